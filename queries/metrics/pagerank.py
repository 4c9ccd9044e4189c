"""PageRank from a sparse weight matrix: the long-run share of a random walk along referrals.

Weighted, with damping 0.85; nodes that refer nobody restart uniformly, as in
:func:`networkx.pagerank`, which gives the same values.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["DAMPING", "sparse_pagerank"]

DAMPING = 0.85


def sparse_pagerank(W: sp.csr_array, alpha: float = DAMPING, tol: float = 1.0e-6) -> np.ndarray:
    """Power iteration as ``nx.pagerank`` (uniform teleport; dangling nodes restart uniformly)."""
    n = W.shape[0]
    if n == 0:
        return np.zeros(0)
    out_w = np.asarray(W.sum(axis=1)).ravel()
    inv = np.zeros(n)
    np.divide(1.0, out_w, out=inv, where=out_w > 0)
    QT = sp.csr_array((sp.diags_array(inv) @ W).T)
    dangling = out_w == 0
    x = np.full(n, 1.0 / n)
    for _ in range(1000):  # contraction by alpha: converges long before this
        last = x
        x = alpha * (QT @ x + x[dangling].sum() / n) + (1 - alpha) / n
        if np.abs(x - last).sum() < n * tol:
            break
    return x
