"""Burt's constraint (structural holes) from sparse products, in bounded memory.

Computed on mutual weights ``w(u,v) + w(v,u)``. It is low when a node's partners are not
linked to each other, which means the node spans a structural hole. It is high (up to 1
and over) when all of its flow goes to one partner or to a closed clique. It is NaN for a
node with no partner. The values match :func:`networkx.constraint`.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp
from gridvoices.queries.metrics.matrices import adjacency

__all__ = ["burt_constraint", "sparse_constraint"]

_CONSTRAINT_CELLS = 4_000_000.0  # bound on the two-step entries per constraint chunk


def sparse_constraint(W: sp.csr_array) -> np.ndarray:
    """Burt's constraint from a weight matrix, masked products in bounded row chunks."""
    n = W.shape[0]
    M = (W + W.T).tocsr()  # no self-loops: adjacency drops them
    total = np.asarray(M.sum(axis=1)).ravel()
    inv = np.zeros(n)
    np.divide(1.0, total, out=inv, where=total > 0)
    P = sp.csr_array(sp.diags_array(inv) @ M)
    P.sort_indices()
    out = np.full(n, np.nan)
    if n == 0 or P.nnz == 0:
        return out
    # Bound the size of each chunk's P[rows] @ P by the sum of its neighbours' degrees.
    pattern = P.copy()
    pattern.data[:] = 1.0
    bound = pattern @ np.diff(P.indptr).astype(float)
    start = 0
    while start < n:
        stop, acc = start, 0.0
        while stop < n and (stop == start or acc + bound[stop] <= _CONSTRAINT_CELLS):
            acc += bound[stop]
            stop += 1
        rows = P[start:stop]
        two_step = (rows @ P).tocsr()
        mask = rows.copy()
        mask.data[:] = 1.0
        local = rows + two_step.multiply(mask)
        c = np.asarray(local.power(2).sum(axis=1)).ravel()
        out[start:stop] = np.where(total[start:stop] > 0, c, np.nan)
        start = stop
    return out


def burt_constraint(G: nx.Graph, weight: str | None = None) -> dict:
    """Burt's constraint of every node (equal to ``nx.constraint(G, weight=weight)``).

    NaN for a node with no neighbour. Self-loops are ignored. For a directed ``G``, a
    node with in-edges only is still constrained by them. (networkx's node-by-node
    route reports NaN for such a node; its default matrix route does not.)

    Examples
    --------
    >>> c = burt_constraint(nx.star_graph(3))
    >>> round(c[0], 3), round(c[1], 3)
    (0.333, 1.0)
    """
    nodes = list(G)
    _, W = adjacency(G, nodes, weight)
    return dict(zip(nodes, sparse_constraint(W).tolist(), strict=True))
