"""Articulation points and bridges of the compact referral graph, as :mod:`queries.isolation.cuts`.

The same answer as :func:`gridvoices.queries.isolation.cuts.cuts` on the undirected referral graph,
including which (up to 50) nodes each cut is said to cut off, which depends on
the depth-first order. So the undirected adjacency is laid out in the order
NetworkX would hold it (each neighbour where its first edge comes in the
projection's edge order), roots are taken in id order, and the search follows
neighbours in stored order, which gives the same preorder. The search is a
tight loop over flat lists; low-points are then computed with numpy rather
than one Python step per edge, and nothing here imports SciPy or NetworkX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Undirected", "undirected", "Cuts", "cuts", "search", "LIST_LIMIT"]

LIST_LIMIT = 50


@dataclass
class Undirected:
    """The undirected referral graph over the nodes with flow, as CSR in NetworkX's order."""

    indptr: np.ndarray
    indices: np.ndarray
    keep: np.ndarray  # directed edge numbers that stand for each undirected edge
    rev: np.ndarray  # directed edge -> edge the other way, or -1

    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)


def _ranks(ids: list[str]) -> np.ndarray:
    rank = np.empty(len(ids), dtype=np.int64)
    rank[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    return rank


def undirected(adj, flow: np.ndarray, rank: np.ndarray) -> Undirected:
    """The edges with flow, undirected, each node's neighbours in first-edge order."""
    n, m = adj.n, len(adj.eu)
    eu, ev = adj.eu.astype(np.int64), adj.ev.astype(np.int64)
    # Edges are sorted by (source node, target rank): find each edge's reverse by key,
    # asking in order of target so the binary searches walk the keys nearly in order.
    key = eu * n + rank[ev]
    ask, _ = adj.by_target
    rkey = ev[ask] * n + rank[eu[ask]]
    pos = np.minimum(np.searchsorted(key, rkey), max(m - 1, 0))
    rev = np.full(m, -1, dtype=np.int64)
    if m:
        rev[ask] = np.where(key[pos] == rkey, pos, -1)
    live = flow > 0
    later_twin = (rev >= 0) & (rev < np.arange(m)) & live[np.maximum(rev, 0)]
    kept = live & ~later_twin
    keep = np.flatnonzero(kept)
    # Each node's neighbours in edge order: its out-edges (already in order) merged with
    # its in-edges (in order in the by-target listing) by edge number.
    into = ask[kept[ask]]
    out_key = eu[keep] * m + keep
    in_key = ev[into] * m + into
    y = np.empty(2 * len(keep), dtype=np.int64)
    y[np.arange(len(keep)) + np.searchsorted(in_key, out_key)] = ev[keep]
    y[np.arange(len(into)) + np.searchsorted(out_key, in_key)] = eu[into]
    indptr = np.zeros(n + 1, dtype=np.int64)
    deg = np.bincount(eu[keep], minlength=n) + np.bincount(ev[keep], minlength=n)
    np.cumsum(deg, out=indptr[1:])
    return Undirected(indptr, y, keep, rev)


@dataclass
class Cuts:
    """A cut point (``node``) or bridge (``edge``) and the parts its removal leaves."""

    node: Any = None  # a node number here; the graph's node in gridvoices.queries.isolation.cuts
    edge: tuple | None = None
    pieces: list[int] = field(default_factory=list)  # sizes, largest first
    cut_off: int = 0  # nodes outside the largest piece
    examples: list = field(default_factory=list)  # up to LIST_LIMIT ids, sorted


def search(U: Undirected, rank: np.ndarray) -> tuple[list[int], list[int], list[int]]:
    """Depth-first search as :func:`queries.isolation.cuts.cuts` runs it: roots in id order, each
    node's neighbours in stored order. Returns preorder, parent (-1 for a root) and each
    node's root (-1 for a node without edges)."""
    n = len(U.indptr) - 1
    indptr = U.indptr.tolist()
    indices = U.indices.tolist()
    nxt = indptr[:-1]  # where each node's scan of its neighbours resumes
    parent = [-1] * n
    root_of = [-1] * n
    order: list[int] = []
    deg = U.degree()
    for root in np.argsort(rank)[deg[np.argsort(rank)] > 0].tolist():
        if root_of[root] >= 0:
            continue
        root_of[root] = root
        order.append(root)
        stack = [root]
        while stack:
            v = stack[-1]
            i, end = nxt[v], indptr[v + 1]
            while i < end and root_of[indices[i]] >= 0:
                i += 1
            if i < end:
                w = indices[i]
                nxt[v] = i + 1
                parent[w] = v
                root_of[w] = root
                order.append(w)
                stack.append(w)
            else:
                nxt[v] = end
                stack.pop()
    return order, parent, root_of


def cuts(
    U: Undirected, ids: list[str], rank: np.ndarray, *, limit: int = LIST_LIMIT
) -> tuple[list[Cuts], list[Cuts], np.ndarray]:
    """Articulation points and bridges, as :func:`queries.isolation.cuts.cuts`
    finds them, and each node's root (its component's lowest id; -1 without edges)."""
    seq, par, root_of = search(U, rank)
    n = len(ids)
    order = np.array(seq, dtype=np.int64)
    parent = np.array(par, dtype=np.int64)
    disc = np.full(n, -1, dtype=np.int64)
    disc[order] = np.arange(len(order))
    # low[v]: lowest preorder number reachable from v by one non-tree-parent edge ...
    deg = U.degree()
    x = np.repeat(np.arange(n), deg)
    reach = disc[U.indices]
    reach[U.indices == parent[x]] = np.iinfo(np.int64).max
    low0 = disc.copy()
    has = np.flatnonzero(deg > 0)
    if len(has):
        # Neighbour runs are contiguous (CSR), so one reduceat gives each node's minimum.
        low0[has] = np.minimum(low0[has], np.minimum.reduceat(reach, U.indptr[has]))
    # ... then the lowest of its subtree, children before parents.
    low = low0.tolist()
    size = [1] * n
    for v in reversed(seq):
        p = par[v]
        if p >= 0:
            size[p] += size[v]
            if low[v] < low[p]:
                low[p] = low[v]
    d = disc.tolist()
    children: dict[int, list[int]] = {}
    for v in seq:
        if par[v] >= 0:
            children.setdefault(par[v], []).append(v)

    def members(start: int, skip: list[tuple[int, int]], want: int) -> list[int]:
        out = []
        a = d[start]
        for i in range(a, a + size[start]):
            if any(lo <= i < hi for lo, hi in skip):
                continue
            out.append(seq[i])
            if len(out) == want:
                break
        return out

    points: list[Cuts] = []
    for a, kids in children.items():
        is_root = par[a] < 0
        sep = kids if is_root else [c for c in kids if low[c] >= d[a]]
        if (is_root and len(kids) < 2) or not sep:
            continue
        root = root_of[a]
        parts = [(size[c], c) for c in sep]
        rest = size[root] - 1 - sum(s for s, _ in parts)
        pieces = [s for s, _ in parts] + ([rest] if rest > 0 else [])
        biggest = max(pieces)
        kept = next((c for s, c in parts if s == biggest), None) if rest != biggest else -2
        examples: list[int] = []
        for _, c in parts:
            if c != kept and len(examples) < limit:
                examples += members(c, [], limit - len(examples))
        if kept != -2 and rest > 0 and len(examples) < limit:
            skip = [(d[c], d[c] + size[c]) for _, c in parts] + [(d[a], d[a] + 1)]
            examples += members(root, skip, limit - len(examples))
        points.append(
            Cuts(
                node=a,
                pieces=sorted(pieces, reverse=True),
                cut_off=size[root] - 1 - biggest,
                examples=sorted(ids[e] for e in examples),
            )
        )
    bridges: list[Cuts] = []
    for v in seq:
        p = par[v]
        if p < 0 or low[v] <= d[p]:
            continue
        root = root_of[v]
        inside, outside = size[v], size[root] - size[v]
        if inside <= outside:
            ex = members(v, [], limit)
        else:
            ex = members(root, [(d[v], d[v] + size[v])], limit)
        edge = (p, v) if ids[p] <= ids[v] else (v, p)
        bridges.append(
            Cuts(
                edge=edge,
                pieces=sorted([inside, outside], reverse=True),
                cut_off=min(inside, outside),
                examples=sorted(ids[e] for e in ex),
            )
        )
    points.sort(key=lambda c: ids[c.node])
    bridges.sort(key=lambda c: (ids[c.edge[0]], ids[c.edge[1]]))
    return points, bridges, np.array(root_of, dtype=np.int64)
