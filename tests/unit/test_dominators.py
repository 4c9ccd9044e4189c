"""Dominator-subtree sizes (what a closure costs in one world) against NetworkX."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from gridvoices.queries.stats.worlds import _dominator_sizes


def _reference(src, dst, seeds, n) -> dict:
    G = nx.DiGraph()
    G.add_edges_from((n, s) for s in seeds)
    G.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    idom = nx.immediate_dominators(G, n)
    size = dict.fromkeys((v for v in idom if v != n), 1)
    depth = {n: 0}
    for v in nx.dfs_preorder_nodes(nx.DiGraph((d, v) for v, d in idom.items() if v != n), n):
        if v != n:
            depth[v] = depth[idom[v]] + 1
    for v in sorted(size, key=lambda v: -depth[v]):
        if idom[v] != n:
            size[idom[v]] += size[v]
    return size


@pytest.mark.parametrize("seed", range(12))
def test_matches_networkx_dominators(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    m = int(rng.integers(0, 3 * n))
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    seeds = rng.choice(n, size=int(rng.integers(1, 4)), replace=False)
    keep = (src != dst) & ~np.isin(dst, seeds)
    src, dst = src[keep], dst[keep]
    nodes, sizes = _dominator_sizes(src, dst, seeds, n)
    assert dict(zip(nodes.tolist(), sizes.tolist(), strict=True)) == _reference(src, dst, seeds, n)


def test_long_chain():
    n = 1000
    src, dst = np.arange(n - 1), np.arange(1, n)
    nodes, sizes = _dominator_sizes(src, dst, np.array([0]), n)
    assert nodes.tolist() == list(range(n)) and sizes.tolist() == list(range(n, 0, -1))
