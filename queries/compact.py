"""Named queries answered from the embedded store without building the NetworkX graph.

On a national graph (50,000 services, 1,000,000 flow rows) building the
NetworkX projection takes longer than a person will wait for one answer, and
so does aggregating the flow rows in SQL on every question. The embedded store
keeps the referral graph in compact form beside the tables
(:mod:`gridvoices.stores.adjacency`, rewritten by every import in the same transaction):
``summary``, ``isolated`` and the two path queries here read the small tables
with SQL and the flows from those arrays, and :mod:`gridvoices.queries.isolation.compact`
answers the full isolation query the same way. Each function returns exactly
what its graph form (and Cypher form) returns; parity tests hold all three to
that.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from gridvoices.ecosystem.errors import QueryError
from gridvoices.ecosystem.periods import select_periods

# Defined here, not in queries.paths.forms (which uses it too): importing that module would load
# NetworkX into a cold answer that needs none.
MAX_HOPS = 8

__all__ = [
    "summary_sql",
    "isolated_sql",
    "isolated_rows",
    "shortest_paths_sql",
    "referral_paths_sql",
    "adjacency",
    "chosen_periods",
    "node_attributes",
]


def chosen_periods(store, periods: Iterable[str] | None) -> list[str]:
    """The chosen periods that exist in the store, sorted; None means all."""
    return select_periods(store.periods(), periods)


def adjacency(store):
    """The store's compact referral graph (:mod:`stores.adjacency`), loaded once per store."""
    from gridvoices.stores.adjacency import load

    cached = getattr(store, "_adjacency", None)
    if cached is None:
        cached = load(store.conn)
        store._adjacency = cached
    return cached


def node_attributes(store) -> tuple[list, list, list]:
    """Names, first districts and whether active, by node number of :func:`adjacency`."""
    c = store.conn
    rows = c.execute(
        "SELECT name, json_extract(districts, '$[0]'), active FROM services ORDER BY id"
    ).fetchall()
    rows += c.execute("SELECT name, district, 1 FROM groups ORDER BY id").fetchall()
    return [r[0] for r in rows], [r[1] for r in rows], [bool(r[2]) for r in rows]


def summary_sql(store, *, periods: Iterable[str] | None = None) -> dict:
    """The :func:`queries.summary.summary` answer from SQL counts and the compact graph."""
    chosen = chosen_periods(store, periods)
    adj = adjacency(store)
    c = store.conn
    one = lambda q: c.execute(q).fetchone()[0]  # noqa: E731
    flow = adj.flows(chosen)
    live = flow > 0
    totals = {
        "districts": one("SELECT COUNT(*) FROM districts"),
        "organisations": one("SELECT COUNT(*) FROM organisations"),
        "services": one("SELECT COUNT(*) FROM services"),
        "groups": one("SELECT COUNT(*) FROM groups"),
        "navigators": one("SELECT COUNT(*) FROM navigators"),
        "referral_links": int(live.sum()),
        "referrals": int(flow.sum()),
        "peer_links": one("SELECT COUNT(*) FROM (SELECT DISTINCT source, target FROM peer_links)"),
    }
    # Flows summed per district of each edge's end: a node's district is its first one.
    _, node_district, _ = node_attributes(store)
    code: dict = {}
    codes = np.array([code.setdefault(d, len(code)) for d in node_district], dtype=np.int64)
    w = flow.astype(np.float64)
    flow_out, flow_in = (
        dict(
            zip(
                code, np.bincount(codes[ends], weights=w, minlength=len(code)).tolist(), strict=True
            )
        )
        for ends in (adj.eu, adj.ev)
    )
    count = {
        "services": dict(
            c.execute(
                "SELECT j.value, COUNT(*) FROM services s, json_each(s.districts) j GROUP BY 1"
            )
        ),
        "groups": dict(c.execute("SELECT district, COUNT(*) FROM groups GROUP BY 1")),
        "navigators": dict(
            c.execute(
                "SELECT json_extract(s.districts, '$[0]'), COUNT(*) FROM navigators v "
                "JOIN services s ON s.id = v.based_at GROUP BY 1"
            )
        ),
    }
    rows = [
        {
            "district": d,
            "name": name,
            **{k: v.get(d, 0) for k, v in count.items()},
            "referrals_out": int(flow_out.get(d, 0)),
            "referrals_in": int(flow_in.get(d, 0)),
        }
        for d, name in c.execute("SELECT id, name FROM districts ORDER BY id")
    ]
    return {"periods": chosen, "totals": totals, "districts": rows}


def degrees(adj, flow: np.ndarray) -> np.ndarray:
    """Per node, how many edges with flow it has (in and out)."""
    live = flow > 0
    return np.bincount(adj.eu[live], minlength=adj.n) + np.bincount(adj.ev[live], minlength=adj.n)


def isolated_sql(store, *, periods: Iterable[str] | None = None) -> list[dict]:
    """The :func:`queries.isolation.isolated.isolated_services` answer from the compact graph."""
    chosen = chosen_periods(store, periods)
    adj = adjacency(store)
    return isolated_rows(adj, adj.flows(chosen), chosen, node_attributes(store))


def isolated_rows(adj, flow: np.ndarray, chosen: list[str], attributes: tuple) -> list[dict]:
    """Active services and groups without a flow in or out, sorted by id."""
    from gridvoices.queries.isolation.isolated import _reason

    names, districts, active = attributes
    reason = _reason(chosen)
    rows = [
        {
            "id": adj.ids[i],
            "name": names[i],
            "type": "Service" if i < adj.n_services else "Group",
            "district": districts[i],
            "reason": reason,
        }
        for i in np.flatnonzero(degrees(adj, flow) == 0).tolist()
        if active[i]
    ]
    return sorted(rows, key=lambda r: r["id"])


def _check_ends_sql(store, source: str, target: str) -> None:
    for n in (source, target):
        hit = store.conn.execute(
            "SELECT 1 FROM services WHERE id = ? UNION ALL SELECT 1 FROM groups WHERE id = ?",
            (n, n),
        ).fetchone()
        if hit is None:
            raise QueryError(f"{n!r} is not a known service or group id")


class _Walker:
    """Neighbours with flow over the chosen periods, one frontier at a time."""

    def __init__(self, store, chosen: list[str]):
        self.adj = adjacency(store)
        self.flow = self.adj.flows(chosen)

    def neighbours(self, nodes: list[str], forward: bool) -> dict[str, dict]:
        """node -> {neighbour: flow} over edges with flow > 0."""
        adj, flow, ids = self.adj, self.flow, self.adj.ids
        out: dict[str, dict] = {}
        if forward:
            starts, order, far = adj.by_source, None, adj.ev
        else:
            (order, starts), far = adj.by_target, adj.eu
        for node in nodes:
            i = adj.index[node]
            edges = np.arange(starts[i], starts[i + 1])
            if order is not None:
                edges = order[edges]
            edges = edges[flow[edges] > 0]
            out[node] = {ids[j]: int(f) for j, f in zip(far[edges], flow[edges], strict=True)}
        return out


def _check_k(k: int) -> None:
    """The hop bound every path query accepts (graph, SQL and Cypher forms alike)."""
    if not isinstance(k, int) or not 1 <= k <= MAX_HOPS:
        raise QueryError(f"k must be a whole number of hops from 1 to {MAX_HOPS}, not {k!r}")


def _hops(path: list[str], flow: dict) -> dict:
    return {
        "nodes": list(path),
        "hops": [
            {"source": u, "target": v, "referrals": flow[(u, v)]}
            for u, v in zip(path, path[1:], strict=False)
        ],
    }


def shortest_paths_sql(
    store, source: str, target: str, *, periods: Iterable[str] | None = None
) -> list[dict]:
    """The :func:`gridvoices.queries.paths.forms.shortest_paths` answer by breadth-first search."""
    _check_ends_sql(store, source, target)
    if source == target:
        return []
    walk = _Walker(store, chosen_periods(store, periods))
    preds: dict[str, list[str]] = {source: []}
    flow: dict[tuple[str, str], int] = {}
    frontier = [source]
    while frontier and target not in preds:
        adj = walk.neighbours(frontier, forward=True)
        level: dict[str, list[str]] = {}
        for u in frontier:
            for v, n in adj[u].items():
                if v not in preds:
                    level.setdefault(v, []).append(u)
                    flow[(u, v)] = n
        preds.update(level)
        frontier = sorted(level)
    if target not in preds:
        return []
    paths: list[list[str]] = []

    def back(node: str, tail: list[str]) -> None:
        if node == source:
            paths.append([source, *tail])
            return
        for p in preds[node]:
            back(p, [node, *tail])

    back(target, [])
    return [_hops(p, flow) for p in sorted(paths)]


def _depths(walk: _Walker, start: str, k: int, forward: bool, flow: dict) -> dict[str, int]:
    depth = {start: 0}
    frontier = [start]
    for d in range(1, k + 1):
        if not frontier:
            break
        adj = walk.neighbours(frontier, forward)
        nxt = []
        for u in frontier:
            for v, n in adj[u].items():
                flow[(u, v) if forward else (v, u)] = n
                if v not in depth:
                    depth[v] = d
                    nxt.append(v)
        frontier = nxt
    return depth


def referral_paths_sql(
    store, source: str, target: str, k: int = 4, *, periods: Iterable[str] | None = None
) -> list[dict]:
    """The :func:`queries.paths.forms.referral_paths` answer: search out from both ends, keep
    nodes that lie on some path of at most ``k`` hops, then list the simple paths."""
    _check_ends_sql(store, source, target)
    _check_k(k)
    if source == target:
        return []
    walk = _Walker(store, chosen_periods(store, periods))
    flow: dict[tuple[str, str], int] = {}
    ds = _depths(walk, source, max(k - 1, 1), True, flow)
    dt = _depths(walk, target, k - 1, False, flow)
    keep = {n for n in ds if n in dt and ds[n] + dt[n] <= k}
    keep |= {source, target}
    succ: dict[str, list[str]] = {}
    for u, v in flow:
        if u in keep and v in keep:
            succ.setdefault(u, []).append(v)
    paths: list[list[str]] = []
    stack = [(source, [source])]
    while stack:
        node, path = stack.pop()
        for v in succ.get(node, ()):
            if v in path:
                continue
            if v == target:
                paths.append([*path, v])
            elif len(path) < k and dt.get(v, k + 1) + len(path) <= k:
                stack.append((v, [*path, v]))
    return [_hops(p, flow) for p in sorted(paths, key=lambda p: (len(p), p))]
