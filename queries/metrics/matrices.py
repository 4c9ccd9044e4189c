"""Sparse matrices of a graph for the measures: adjacency and weights, and the referral network.

The measures (:mod:`~gridvoices.queries.metrics.brandes`, ``constraint``, ``pagerank``,
``communities``) work on these rather than on the graph, so large networks fit.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import scipy.sparse as sp
from gridvoices.queries.graph import referral_arrays, referral_graph

__all__ = ["adjacency", "referral_matrices"]


def adjacency(G: nx.Graph, nodes: list, weight: str | None) -> tuple[sp.csr_array, sp.csr_array]:
    """0/1 adjacency and weights over ``nodes`` (both directions for an undirected G)."""
    index = {v: i for i, v in enumerate(nodes)}
    rows, cols, vals = [], [], []
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        w = 1.0 if weight is None else float(d.get(weight, 1))
        rows.append(index[u])
        cols.append(index[v])
        vals.append(w)
        if not G.is_directed():
            rows.append(index[v])
            cols.append(index[u])
            vals.append(w)
    n = len(nodes)
    W = sp.csr_array(
        (np.asarray(vals, dtype=float), (np.asarray(rows, int), np.asarray(cols, int))),
        shape=(n, n),
    )
    W.sum_duplicates()
    A = W.copy()
    A.data[:] = 1.0
    return A, W


def referral_matrices(G: nx.DiGraph, weight: str | None):
    """Nodes (sorted), 0/1 adjacency, weights, referral counts and peer-link counts.

    The network of :func:`queries.graph.referral_graph`, read from its cached arrays
    (:func:`queries.graph.referral_arrays`, which the barriers and the index also use)
    rather than from another pass over every edge of ``G``; self-referrals are left out.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "cab": G.add_node(n, type="Service")
    >>> G.add_edge("a", "b", referrals=3, w=2.0); G.add_edge("b", "a", referrals=0, peer_kind="x")
    >>> nodes, A, W, V, peers = referral_matrices(G, "w")
    >>> nodes, A.toarray().tolist(), W.data.tolist(), V.data.tolist(), peers.tolist()
    (['a', 'b', 'c'], [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [2.0], [3.0], [1, 1, 0])
    """
    R = referral_arrays(G)
    nodes = sorted(R.nodes)
    n = len(nodes)
    # Position in ``nodes`` of each node of the arrays' order.
    rank = np.empty(n, dtype=np.int64)
    rank[sorted(range(n), key=R.nodes.__getitem__)] = np.arange(n)
    keep = R.src != R.dst
    ij = (rank[R.src[keep]], rank[R.dst[keep]])
    refs = R.referrals[keep].astype(float)
    if weight is None:
        wts = np.ones(len(refs))
    elif weight == "referrals":
        wts = refs
    else:
        succ = referral_graph(G)._succ
        every = np.fromiter(
            (float(d.get(weight, 1)) for u in R.nodes for d in succ[u].values()),
            dtype=float,
            count=len(R.src),
        )
        wts = every[keep]
    shape = (n, n)
    W = sp.csr_array((wts, ij), shape=shape)
    V = sp.csr_array((refs, ij), shape=shape)
    A = sp.csr_array((np.ones(len(refs)), ij), shape=shape)
    return nodes, A, W, V, _peer_counts(G, nodes)


def _peer_counts(G: nx.DiGraph, nodes: list) -> np.ndarray:
    """Peer links touching each of ``nodes``."""
    peers = Counter()
    for u, nbrs in G._succ.items():
        for v, d in nbrs.items():
            if d.get("peer_kind"):
                peers[u] += 1
                peers[v] += 1
    return np.array([peers[v] for v in nodes], dtype="int64")
