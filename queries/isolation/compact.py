"""The full isolation answer (:func:`queries.isolation.flags.isolation`) on the embedded store.

Every flag is computed on the compact referral graph (:mod:`gridvoices.stores.adjacency`)
and the small tables, so a fresh process answers in about a second at national
scale instead of building the NetworkX graph from a million flow rows. The rows,
their order and their wording are exactly the graph form's; parity tests hold
the two to that.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from gridvoices.ecosystem.privacy import fmt
from gridvoices.queries.compact import adjacency, chosen_periods, degrees, node_attributes
from gridvoices.queries.isolation.cuts_compact import _ranks, cuts, undirected

__all__ = ["isolation_sql", "FLAGS"]

# Defined here and imported by queries.isolation.flags, so that checking a --flag loads no NetworkX.
FLAGS = (
    "no_flows",
    "detached",
    "dead_end",
    "source_only",
    "single_bridge",
    "bridge_link",
    "no_peer_support",
)


class _Nodes:
    def __init__(self, store, adj):
        self.ids = adj.ids
        self.n_services = adj.n_services
        self.names, self.districts, self.active = node_attributes(store)

    def row(self, i: int, flag: str, why: str, **extra) -> dict:
        return {
            "id": self.ids[i],
            "name": self.names[i],
            "type": "Service" if i < self.n_services else "Group",
            "district": self.districts[i],
            "flag": flag,
            "why": why,
            **extra,
        }

    def is_active_service(self, i: int) -> bool:
        return i < self.n_services and self.active[i]


def _detached(nodes: _Nodes, root_of: np.ndarray, names: dict) -> list[dict]:
    """Nodes outside the largest referral component (ties: the one with the lowest id)."""
    inside = np.flatnonzero(root_of >= 0)
    members: dict[int, list[int]] = {}
    for i, r in zip(inside.tolist(), root_of[inside].tolist(), strict=True):
        members.setdefault(r, []).append(i)
    if len(members) < 2:
        return []
    # Each component's root is its lowest id.
    ranked = sorted(members, key=lambda r: (-len(members[r]), nodes.ids[r]))
    main = len(members[ranked[0]])
    rows = []
    for r in ranked[1:]:
        comp = members[r]
        where = sorted({names.get(nodes.districts[i], "no district") for i in comp})
        for i in comp:
            rows.append(
                nodes.row(
                    i,
                    "detached",
                    f"in a part of {len(comp)} services/groups ({', '.join(where)}) with no "
                    f"referral to or from the main part of {main}",
                    component_size=len(comp),
                )
            )
    return sorted(rows, key=lambda r: r["id"])


def _dead_ends(nodes: _Nodes, adj, flow: np.ndarray) -> list[dict]:
    w = flow.astype(np.float64)
    flow_in = np.bincount(adj.ev, weights=w, minlength=adj.n).astype(np.int64)
    flow_out = np.bincount(adj.eu, weights=w, minlength=adj.n).astype(np.int64)
    rows = []
    for i in np.flatnonzero((flow_in > 0) != (flow_out > 0)).tolist():
        if not nodes.is_active_service(i):
            continue
        fi, fo = int(flow_in[i]), int(flow_out[i])
        if fi:
            rows.append(
                nodes.row(
                    i,
                    "dead_end",
                    f"receives {fmt(fi)} referrals but refers none on",
                    referrals_in=fi,
                    referrals_out=fo,
                )
            )
        else:
            rows.append(
                nodes.row(
                    i,
                    "source_only",
                    f"refers {fmt(fo)} on but receives none",
                    referrals_in=fi,
                    referrals_out=fo,
                )
            )
    return sorted(rows, key=lambda r: (r["flag"], r["id"]))


def _cut_rows(nodes: _Nodes, adj, flow: np.ndarray, U, rank) -> tuple[list[dict], np.ndarray]:
    points, bridges, root_of = cuts(U, nodes.ids, rank)
    rows = []
    for c in points:
        shown = ", ".join(c.examples[:6]) + (", …" if c.cut_off > 6 else "")
        rows.append(
            nodes.row(
                c.node,
                "single_bridge",
                f"the only link to {c.cut_off} services/groups ({shown}); removing it splits "
                f"its part into {len(c.pieces)} pieces",
                cut_off=c.examples,
            )
        )
    if bridges:
        key = adj.eu.astype(np.int64) * adj.n + rank[adj.ev]
    for c in bridges:
        a, b = c.edge
        total = 0
        for x, y in ((a, b), (b, a)):
            e = int(np.searchsorted(key, x * adj.n + rank[y]))
            if e < len(key) and key[e] == x * adj.n + rank[y] and flow[e] > 0:
                total += int(flow[e])
        rows.append(
            {
                "id": f"{nodes.ids[a]}--{nodes.ids[b]}",
                "name": f"{nodes.names[a]} - {nodes.names[b]}",
                "type": "link",
                "district": nodes.districts[a],
                "flag": "bridge_link",
                "why": f"the only referral link between {c.cut_off} services/groups and the rest "
                f"({fmt(total)} referrals)",
                "cut_off": c.examples,
            }
        )
    return sorted(rows, key=lambda r: (r["flag"], r["id"])), root_of


def _no_peer_support(store, nodes: _Nodes, adj, flow: np.ndarray, k: int) -> list[dict]:
    """Active services with no peer link within ``k`` hops over referral and peer edges."""
    index = dict(adj.index)
    ends = [
        (index.setdefault(u, len(index)), index.setdefault(v, len(index)))
        for u, v in store.conn.execute("SELECT source, target FROM peer_links")
    ]
    peer = np.array(ends, dtype=np.int64).reshape(-1, 2)
    live = flow > 0
    src = np.concatenate([adj.eu[live].astype(np.int64), peer[:, 0]])
    dst = np.concatenate([adj.ev[live].astype(np.int64), peer[:, 1]])
    reached = np.zeros(len(index), dtype=bool)
    reached[peer.ravel()] = True
    # One hop per round, in both directions, from the previous round's nodes only.
    for _ in range(max(k, 0)):
        grown = reached.copy()
        grown[dst[reached[src]]] = True
        grown[src[reached[dst]]] = True
        if (grown == reached).all():
            break
        reached = grown
    return [
        nodes.row(i, "no_peer_support", f"no peer-support link within {k} hops")
        for i in sorted(range(adj.n), key=adj.ids.__getitem__)
        if nodes.is_active_service(i) and not reached[i]
    ]


def isolation_sql(store, *, k: int = 2, periods: Iterable[str] | None = None) -> list[dict]:
    """The :func:`gridvoices.queries.isolation.flags.isolation` answer from the compact graph."""
    chosen = chosen_periods(store, periods)
    adj = adjacency(store)
    flow = adj.flows(chosen)
    nodes = _Nodes(store, adj)
    rank = _ranks(adj.ids)
    names = dict(store.conn.execute("SELECT id, name FROM districts"))
    rows = [
        {**r, "flag": "no_flows", "why": r.pop("reason")}
        for r in isolated_rows(adj, flow, chosen, (nodes.names, nodes.districts, nodes.active))
    ]
    cut_rows, root_of = _cut_rows(nodes, adj, flow, undirected(adj, flow, rank), rank)
    rows += _detached(nodes, root_of, names) + _dead_ends(nodes, adj, flow) + cut_rows
    rows += _no_peer_support(store, nodes, adj, flow, k)
    return sorted(rows, key=lambda r: (FLAGS.index(r["flag"]), r["id"]))


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
