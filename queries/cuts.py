"""Articulation points and bridges with the size of what each one cuts off, in one DFS.

NetworkX finds articulation points and bridges in linear time but not what
removing each one disconnects; recomputing components per cut point is
quadratic on a national graph. One iterative depth-first search with
low-points gives both, and each DFS subtree is a contiguous slice of the
preorder, so the nodes cut off can be listed without another traversal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

__all__ = ["Cut", "cuts"]

LIST_LIMIT = 50


@dataclass
class Cut:
    """A cut point (``node``) or bridge (``edge``) and the parts its removal leaves."""

    node: object = None
    edge: tuple | None = None
    pieces: list[int] = field(default_factory=list)  # sizes, largest first
    cut_off: int = 0  # nodes outside the largest piece
    examples: list = field(default_factory=list)  # up to LIST_LIMIT of them, sorted


def _dfs(U: nx.Graph):
    disc: dict = {}
    low: dict = {}
    size: dict = {}
    parent: dict = {}
    root_of: dict = {}
    order: list = []
    for root in sorted(U, key=str):
        if root in disc:
            continue
        parent[root] = None
        disc[root] = low[root] = len(order)
        size[root] = 1
        root_of[root] = root
        order.append(root)
        stack = [(root, iter(U[root]))]
        while stack:
            v, it = stack[-1]
            for w in it:
                if w not in disc:
                    parent[w] = v
                    disc[w] = low[w] = len(order)
                    size[w] = 1
                    root_of[w] = root
                    order.append(w)
                    stack.append((w, iter(U[w])))
                    break
                if w != parent[v] and disc[w] < low[v]:
                    low[v] = disc[w]
            else:
                stack.pop()
                p = parent[v]
                if p is not None:
                    size[p] += size[v]
                    if low[v] < low[p]:
                        low[p] = low[v]
    return disc, low, size, parent, root_of, order


def _members(order, disc, size, start_node, exclude_ranges, limit):
    """Up to ``limit`` nodes of the subtree of ``start_node`` outside ``exclude_ranges``."""
    a = disc[start_node]
    out = []
    for i in range(a, a + size[start_node]):
        if any(lo <= i < hi for lo, hi in exclude_ranges):
            continue
        out.append(order[i])
        if len(out) == limit:
            break
    return out


def cuts(U: nx.Graph, *, limit: int = LIST_LIMIT) -> tuple[list[Cut], list[Cut]]:
    """Articulation points and bridges of ``U`` with what each cuts off.

    Examples
    --------
    >>> points, bridges = cuts(nx.path_graph(4))
    >>> [(c.node, c.pieces) for c in points]
    [(1, [2, 1]), (2, [2, 1])]
    >>> [(c.edge, c.cut_off) for c in bridges]
    [((0, 1), 1), ((1, 2), 2), ((2, 3), 1)]
    """
    disc, low, size, parent, root_of, order = _dfs(U)
    children: dict = {}
    for v, p in parent.items():
        if p is not None:
            children.setdefault(p, []).append(v)
    points, bridges = [], []
    for a, kids in children.items():
        is_root = parent[a] is None
        sep = kids if is_root else [c for c in kids if low[c] >= disc[a]]
        if (is_root and len(kids) < 2) or not sep:
            continue
        root = root_of[a]
        parts = [(size[c], c) for c in sep]
        rest = size[root] - 1 - sum(s for s, _ in parts)
        pieces = [s for s, _ in parts] + ([rest] if rest > 0 else [])
        biggest = max(pieces)
        # Keep the largest piece connected; list the others.
        kept = next((c for s, c in parts if s == biggest), None) if rest != biggest else "rest"
        examples: list = []
        for _, c in parts:
            if c != kept and len(examples) < limit:
                examples += _members(order, disc, size, c, [], limit - len(examples))
        if kept != "rest" and rest > 0 and len(examples) < limit:
            skip = [(disc[c], disc[c] + size[c]) for _, c in parts] + [(disc[a], disc[a] + 1)]
            examples += _members(order, disc, size, root, skip, limit - len(examples))
        points.append(
            Cut(
                node=a,
                pieces=sorted(pieces, reverse=True),
                cut_off=size[root] - 1 - biggest,
                examples=sorted(examples, key=str),
            )
        )
    for v, p in parent.items():
        if p is None or low[v] <= disc[p]:
            continue
        root = root_of[v]
        inside, outside = size[v], size[root] - size[v]
        if inside <= outside:
            ex = _members(order, disc, size, v, [], limit)
        else:
            ex = _members(order, disc, size, root, [(disc[v], disc[v] + size[v])], limit)
        edge = tuple(sorted((p, v), key=str))
        bridges.append(
            Cut(
                edge=edge,
                pieces=sorted([inside, outside], reverse=True),
                cut_off=min(inside, outside),
                examples=sorted(ex, key=str),
            )
        )
    points.sort(key=lambda c: str(c.node))
    bridges.sort(key=lambda c: tuple(map(str, c.edge)))
    return points, bridges
