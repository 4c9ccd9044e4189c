"""Articulation points and bridges with the size of what each one cuts off, in one DFS.

NetworkX finds articulation points and bridges in linear time but not what
removing each one disconnects; recomputing components per cut point is
quadratic on a national graph. One depth-first search with low-points gives
both, and each DFS subtree is a contiguous slice of the preorder, so the nodes
cut off can be listed without another traversal. The search itself is
:func:`queries.isolation.cuts_compact.cuts` (the embedded store's form); this module lays a
NetworkX graph out for it and maps the answer back to the graph's nodes.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from gridvoices.queries.isolation.cuts_compact import LIST_LIMIT, Undirected, _ranks
from gridvoices.queries.isolation.cuts_compact import Cuts as Cut
from gridvoices.queries.isolation.cuts_compact import cuts as _cuts

__all__ = ["Cut", "cuts", "cuts_csr", "LIST_LIMIT"]


def cuts(U: nx.Graph, *, limit: int = LIST_LIMIT) -> tuple[list[Cut], list[Cut]]:
    """Articulation points and bridges of ``U`` with what each cuts off.

    Roots are taken in order of ``str(node)`` and neighbours in ``U``'s order, so the
    (at most ``limit``) nodes listed as cut off are those of that search.

    Examples
    --------
    >>> points, bridges = cuts(nx.path_graph(4))
    >>> [(c.node, c.pieces) for c in points]
    [(1, [2, 1]), (2, [2, 1])]
    >>> [(c.edge, c.cut_off) for c in bridges]
    [((0, 1), 1), ((1, 2), 2), ((2, 3), 1)]
    """
    nodes = list(U)
    index = {v: i for i, v in enumerate(nodes)}
    adj = U._adj  # neighbour dicts in insertion order: the order the search must follow
    degree = np.fromiter((len(adj[v]) for v in nodes), dtype=np.int64, count=len(nodes))
    indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(degree, out=indptr[1:])
    indices = np.fromiter(
        (index[w] for v in nodes for w in adj[v]), dtype=np.int64, count=int(indptr[-1])
    )
    return cuts_csr(nodes, indptr, indices, limit=limit)


def cuts_csr(
    nodes: list, indptr: np.ndarray, indices: np.ndarray, *, limit: int = LIST_LIMIT
) -> tuple[list[Cut], list[Cut]]:
    """:func:`cuts` of an undirected graph laid out as CSR rows over ``nodes`` (each edge in
    both rows, each row's neighbours in the order the search should follow them).

    >>> points, _ = cuts_csr(["a", "b", "c"], np.array([0, 1, 3, 4]), np.array([1, 0, 2, 1]))
    >>> [(c.node, c.cut_off) for c in points]
    [('b', 1)]
    """
    none = np.zeros(0, dtype=np.int64)
    keys = [str(v) for v in nodes]
    points, bridges, _ = _cuts(
        Undirected(indptr, indices, none, none), keys, _ranks(keys), limit=limit
    )
    by_key = dict(zip(keys, nodes, strict=True))
    for c in points:
        c.node = nodes[c.node]
        c.examples = [by_key[k] for k in c.examples]
    for c in bridges:
        c.edge = (nodes[c.edge[0]], nodes[c.edge[1]])
        c.examples = [by_key[k] for k in c.examples]
    return points, bridges
