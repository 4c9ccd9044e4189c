"""Sparse matrices of a graph for the measures: adjacency and weights, and the referral network.

The measures (:mod:`~gridvoices.queries.metrics.brandes`, ``constraint``, ``pagerank``,
``communities``) work on these rather than on the graph, so large networks fit.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import scipy.sparse as sp

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
    """Nodes, 0/1 adjacency, weights, referral counts and peer-link counts, in one pass.

    The same network as :func:`queries.graph.referral_graph`, without its per-edge filter overhead.
    """
    nodes = sorted(v for v, t in G.nodes(data="type") if t in ("Service", "Group"))
    index = {v: i for i, v in enumerate(nodes)}
    rows, cols, wts, refs = [], [], [], []
    peers = Counter()
    for u, v, d in G.edges(data=True):
        r = d.get("referrals", 0)
        if r > 0 and u != v and u in index and v in index:
            rows.append(index[u])
            cols.append(index[v])
            refs.append(r)
            wts.append(1.0 if weight is None else float(d.get(weight, 1)))
        if d.get("peer_kind"):
            peers[u] += 1
            peers[v] += 1
    n = len(nodes)
    shape = (n, n)
    ij = (np.asarray(rows, dtype=int), np.asarray(cols, dtype=int))
    W = sp.csr_array((np.asarray(wts, dtype=float), ij), shape=shape)
    V = sp.csr_array((np.asarray(refs, dtype=float), ij), shape=shape)
    A = sp.csr_array((np.ones(len(rows)), ij), shape=shape)
    return nodes, A, W, V, np.array([peers[v] for v in nodes], dtype="int64")
