"""Referral paths answered from the embedded store's compact graph (no NetworkX):
:func:`shortest_paths_sql` and :func:`referral_paths_sql` return exactly what
:func:`gridvoices.queries.paths.forms.shortest_paths` and ``referral_paths`` return."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.compact import _check_k, adjacency, chosen_periods

__all__ = ["shortest_paths_sql", "referral_paths_sql"]


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
