"""The one-pass cut finder agrees with NetworkX and brute force on random graphs."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from gridvoices.queries.isolation.cuts import cuts


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force(seed):
    rng = random.Random(seed)
    G = nx.gnm_random_graph(rng.randint(2, 40), rng.randint(1, 60), seed=seed)
    G.add_edges_from((rng.randint(0, 50), rng.randint(0, 50)) for _ in range(rng.randint(0, 5)))
    G.remove_edges_from(list(nx.selfloop_edges(G)))
    points, bridges = cuts(G, limit=1000)
    assert sorted(c.node for c in points) == sorted(nx.articulation_points(G))
    for c in points:
        comp = nx.node_connected_component(G, c.node)
        parts = list(nx.connected_components(G.subgraph(comp - {c.node})))
        assert c.pieces == sorted(map(len, parts), reverse=True)
        assert c.cut_off == len(comp) - 1 - max(map(len, parts))
        assert len(c.examples) == c.cut_off
    assert sorted(tuple(sorted(c.edge)) for c in bridges) == sorted(
        tuple(sorted(e)) for e in nx.bridges(G)
    )
    for c in bridges:
        H = G.copy()
        H.remove_edge(*c.edge)
        a, b = (nx.node_connected_component(H, n) for n in c.edge)
        assert c.pieces == sorted([len(a), len(b)], reverse=True)
        if len(a) != len(b):
            assert set(c.examples) == min(a, b, key=len)


def test_examples_are_capped():
    points, _ = cuts(nx.star_graph(200), limit=10)
    assert points[0].cut_off == 199 and len(points[0].examples) == 10
