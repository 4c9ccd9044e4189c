"""Articulation points and bridges of the compact referral graph, as :mod:`queries.cuts`.

The same answer as :func:`queries.cuts.cuts` on the undirected referral graph,
including which (up to 50) nodes each cut is said to cut off, which depends on
the depth-first order. So the undirected adjacency is laid out in the order
NetworkX would hold it (each neighbour where its first edge comes in the
projection's edge order), roots are taken in id order, and SciPy's depth-first
search, which follows neighbours in stored order, gives the same preorder.
Low-points are then computed with numpy instead of one Python step per edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Undirected", "undirected", "Cuts", "cuts", "LIST_LIMIT"]

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
    # Edges are sorted by (source node, target rank): find each edge's reverse by key.
    key = eu * n + rank[ev]
    rkey = ev * n + rank[eu]
    pos = np.searchsorted(key, rkey)
    pos[pos >= m] = 0
    rev = np.where((m > 0) & (key[pos] == rkey), pos, -1) if m else np.zeros(0, np.int64)
    live = flow > 0
    later_twin = (rev >= 0) & (rev < np.arange(m)) & live[np.maximum(rev, 0)]
    keep = np.flatnonzero(live & ~later_twin)
    x = np.concatenate([eu[keep], ev[keep]])
    y = np.concatenate([ev[keep], eu[keep]])
    at = np.concatenate([keep, keep])
    order = np.argsort(x * max(m, 1) + at, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(x, minlength=n), out=indptr[1:])
    return Undirected(indptr, y[order], keep, rev)


@dataclass
class Cuts:
    """A cut point (``node``) or bridge (``edge``) and the parts its removal leaves."""

    node: int | None = None
    edge: tuple[int, int] | None = None
    pieces: list[int] = field(default_factory=list)  # sizes, largest first
    cut_off: int = 0  # nodes outside the largest piece
    examples: list[str] = field(default_factory=list)  # up to LIST_LIMIT ids, sorted


def components(U: Undirected, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Component label per node (-1: no edge), and the components' roots (each one's lowest
    id) in id order: where :func:`queries.cuts.cuts` starts each search."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import connected_components

    n = len(U.indptr) - 1
    g = csr_array((np.ones(len(U.indices)), U.indices, U.indptr), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    inside = np.flatnonzero(U.degree() > 0)
    labels = labels.astype(np.int64)
    labels[U.degree() == 0] = -1
    by_label = inside[np.lexsort((rank[inside], labels[inside]))]
    lab = labels[by_label]
    first = np.ones(len(by_label), dtype=bool)
    first[1:] = lab[1:] != lab[:-1]
    roots = by_label[first]
    return labels, roots[np.argsort(rank[roots])]


def _dfs(U: Undirected, roots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Preorder and parent (-1 for a root) of NetworkX-ordered depth-first search."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import depth_first_order

    n = len(U.indptr) - 1
    # One extra node whose neighbours are the roots in id order: one search covers all.
    indptr = np.concatenate([U.indptr, [U.indptr[-1] + len(roots)]])
    indices = np.concatenate([U.indices, roots]).astype(np.int32)
    g = csr_array((np.ones(len(indices)), indices, indptr), shape=(n + 1, n + 1))
    order, pred = depth_first_order(g, n, directed=True, return_predecessors=True)
    order = order[1:].astype(np.int64)
    parent = pred[:n].astype(np.int64)
    parent[(parent == n) | (parent < 0)] = -1
    return order, parent


def cuts(
    U: Undirected, ids: list[str], rank: np.ndarray, *, limit: int = LIST_LIMIT
) -> tuple[list[Cuts], list[Cuts], np.ndarray, np.ndarray]:
    """Articulation points and bridges with what each cuts off, and the search's
    (preorder, parent), as :func:`queries.cuts.cuts` finds them."""
    labels, roots = components(U, rank)
    order, parent = _dfs(U, roots)
    n = len(ids)
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
    par = parent.tolist()
    seq = order.tolist()
    for v in reversed(seq):
        p = par[v]
        if p >= 0:
            size[p] += size[v]
            if low[v] < low[p]:
                low[p] = low[v]
    d = disc.tolist()
    root_of = [-1] * n
    children: dict[int, list[int]] = {}
    for v in seq:
        p = par[v]
        root_of[v] = v if p < 0 else root_of[p]
        if p >= 0:
            children.setdefault(p, []).append(v)

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
    return points, bridges, labels, roots
