"""Named queries answered straight from the embedded store's indexed tables.

On a national graph (50,000 services, 1,000,000 flow rows) building the
NetworkX projection takes longer than a person will wait for one answer, so
the CLI answers ``summary``, ``isolated`` and the two path queries on the
embedded store with SQL: aggregates for the first two, and a breadth-first
search that asks the ``referrals`` table (primary key led by ``source``, an
index on ``target``) for one frontier of neighbours at a time for the paths.
Each function returns exactly what its graph form (and Cypher form) returns;
parity tests hold all three to that.
"""

from __future__ import annotations

from collections.abc import Iterable

from queries.errors import QueryError
from queries.paths import _check_k

__all__ = ["summary_sql", "isolated_sql", "shortest_paths_sql", "referral_paths_sql"]

_CHUNK = 500


def _periods(store, periods: Iterable[str] | None) -> list[str]:
    avail = store.periods()
    if periods is None:
        return avail
    wanted = set(periods)
    return [p for p in avail if p in wanted]


def _marks(n: int) -> str:
    return ", ".join("?" * n) if n else "NULL"


def _flows(periods: list[str]) -> str:
    """Per ordered pair, the flow over the chosen periods (pairs with flow > 0)."""
    return (
        "SELECT source, target, SUM(count) AS n FROM referrals "
        f"WHERE period IN ({_marks(len(periods))}) GROUP BY source, target HAVING n > 0"
    )


_NODE_DISTRICT = (
    "SELECT id, json_extract(districts, '$[0]') AS d FROM services "
    "UNION ALL SELECT id, district FROM groups"
)


def summary_sql(store, *, periods: Iterable[str] | None = None) -> dict:
    """The :func:`queries.summary.summary` answer from SQL aggregates."""
    chosen = _periods(store, periods)
    c = store.conn
    one = lambda q, p=(): c.execute(q, p).fetchone()[0]  # noqa: E731
    links, total = c.execute(
        f"SELECT COUNT(*), COALESCE(SUM(n), 0) FROM ({_flows(chosen)})", chosen
    ).fetchone()
    totals = {
        "districts": one("SELECT COUNT(*) FROM districts"),
        "organisations": one("SELECT COUNT(*) FROM organisations"),
        "services": one("SELECT COUNT(*) FROM services"),
        "groups": one("SELECT COUNT(*) FROM groups"),
        "navigators": one("SELECT COUNT(*) FROM navigators"),
        "referral_links": links,
        "referrals": total,
        "peer_links": one("SELECT COUNT(*) FROM (SELECT DISTINCT source, target FROM peer_links)"),
    }
    # One grouped pass per count, mapped to districts here: joining a million flow rows
    # to their districts in SQL costs seconds more than summing per node first.
    node_d = dict(c.execute(_NODE_DISTRICT))
    flow_out: dict = {}
    flow_in: dict = {}
    marks = _marks(len(chosen))
    for end, acc in (("source", flow_out), ("target", flow_in)):
        q = f"SELECT {end}, SUM(count) FROM referrals WHERE period IN ({marks}) GROUP BY {end}"
        for node, n in c.execute(q, chosen):
            d = node_d.get(node)
            acc[d] = acc.get(d, 0) + n
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
            "referrals_out": flow_out.get(d, 0),
            "referrals_in": flow_in.get(d, 0),
        }
        for d, name in c.execute("SELECT id, name FROM districts ORDER BY id")
    ]
    return {"periods": chosen, "totals": totals, "districts": rows}


def isolated_sql(store, *, periods: Iterable[str] | None = None) -> list[dict]:
    """The :func:`queries.isolated.isolated_services` answer from SQL."""
    from queries.isolated import _reason

    chosen = _periods(store, periods)
    q = f"""
    WITH f AS ({_flows(chosen)}),
         touched AS (SELECT source AS id FROM f UNION SELECT target FROM f)
    SELECT id, name, 'Service', json_extract(districts, '$[0]') FROM services
      WHERE active = 1 AND id NOT IN touched
    UNION ALL
    SELECT id, name, 'Group', district FROM groups WHERE id NOT IN touched
    ORDER BY 1
    """
    return [
        {"id": i, "name": n, "type": t, "district": d, "reason": _reason(chosen)}
        for i, n, t, d in store.conn.execute(q, chosen)
    ]


def _check_ends_sql(store, source: str, target: str) -> None:
    for n in (source, target):
        hit = store.conn.execute(
            "SELECT 1 FROM services WHERE id = ? UNION ALL SELECT 1 FROM groups WHERE id = ?",
            (n, n),
        ).fetchone()
        if hit is None:
            raise QueryError(f"{n!r} is not a known service or group id")


def _neighbours(store, nodes: list[str], chosen: list[str], forward: bool) -> dict[str, dict]:
    """node -> {neighbour: flow} over edges with flow > 0, for a whole frontier."""
    near, far = ("source", "target") if forward else ("target", "source")
    out: dict[str, dict] = {n: {} for n in nodes}
    for i in range(0, len(nodes), _CHUNK):
        part = nodes[i : i + _CHUNK]
        q = (
            f"SELECT {near}, {far}, SUM(count) AS n FROM referrals "
            f"WHERE {near} IN ({_marks(len(part))}) AND period IN ({_marks(len(chosen))}) "
            f"GROUP BY {near}, {far} HAVING n > 0"
        )
        for a, b, n in store.conn.execute(q, [*part, *chosen]):
            out[a][b] = n
    return out


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
    """The :func:`queries.paths.shortest_paths` answer by breadth-first search over SQL."""
    _check_ends_sql(store, source, target)
    if source == target:
        return []
    chosen = _periods(store, periods)
    preds: dict[str, list[str]] = {source: []}
    flow: dict[tuple[str, str], int] = {}
    frontier = [source]
    while frontier and target not in preds:
        adj = _neighbours(store, frontier, chosen, forward=True)
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


def _depths(store, start: str, k: int, chosen, forward: bool, flow: dict) -> dict[str, int]:
    depth = {start: 0}
    frontier = [start]
    for d in range(1, k + 1):
        if not frontier:
            break
        adj = _neighbours(store, frontier, chosen, forward)
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
    """The :func:`queries.paths.referral_paths` answer: search out from both ends, keep
    nodes that lie on some path of at most ``k`` hops, then list the simple paths."""
    _check_ends_sql(store, source, target)
    _check_k(k)
    if source == target:
        return []
    chosen = _periods(store, periods)
    flow: dict[tuple[str, str], int] = {}
    ds = _depths(store, source, max(k - 1, 1), chosen, True, flow)
    dt = _depths(store, target, k - 1, chosen, False, flow)
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
