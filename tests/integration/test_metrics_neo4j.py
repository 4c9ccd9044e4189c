"""Metrics computed from a real Neo4j store and written back as node properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from gridvoices.queries.metrics import (
    NEO4J_PROPERTIES,
    brokers,
    centrality,
    write_metrics_neo4j,
)
from gridvoices.queries.run import load_graph
from gridvoices.stores.store import import_paths

pytestmark = pytest.mark.neo4j

DERBYSHIRE = Path(__file__).resolve().parents[2] / "data" / "derbyshire"


def test_metrics_written_back(neo4j):
    import_paths(neo4j, [DERBYSHIRE])
    result = centrality(load_graph(neo4j))
    assert result.betweenness_method == "exact"
    assert "svc-nav-sd" in [b["id"] for b in brokers(result, 5)]

    assert write_metrics_neo4j(neo4j, result) == len(result.nodes) == 75

    rows = neo4j.query(
        "MATCH (n:Entity) WHERE n.betweenness IS NOT NULL "
        "RETURN n.id AS id, properties(n) AS p ORDER BY id"
    )
    assert len(rows) == 75
    stored = {r["id"]: r["p"] for r in rows}
    expected = result.nodes.set_index("id")
    for node_id, p in stored.items():
        for prop in NEO4J_PROPERTIES:
            want = expected.loc[node_id, prop]
            if prop == "constraint" and want != want:  # NaN: no property
                assert prop not in p
            else:
                assert p[prop] == pytest.approx(float(want)), (node_id, prop)
        assert p["metrics_periods"] == result.periods
        assert (p["metrics_betweenness_method"], p["metrics_seed"]) == ("exact", 0)

    # Analysts can query and style on them: the top broker by the stored property.
    top = neo4j.query(
        "MATCH (n:Service) RETURN n.id AS id ORDER BY n.betweenness DESC, n.id LIMIT 1"
    )
    assert top[0]["id"] == brokers(result, 1)[0]["id"]
    # Navigators, districts and organisations get no metrics.
    others = neo4j.query(
        "MATCH (n:Entity) WHERE NOT (n:Service OR n:Group) AND n.betweenness IS NOT NULL "
        "RETURN count(n) AS n"
    )
    assert others[0]["n"] == 0

    # Writing a later run (one period, sampled) overwrites every property.
    q1 = centrality(load_graph(neo4j, ["2024-Q1"]), k=20, seed=5)
    assert write_metrics_neo4j(neo4j, q1) == 75
    p = neo4j.query("MATCH (n:Entity {id: 'svc-spoc'}) RETURN properties(n) AS p")[0]["p"]
    assert p["metrics_periods"] == ["2024-Q1"]
    assert (p["metrics_betweenness_method"], p["metrics_k"], p["metrics_seed"]) == (
        "sampled",
        20,
        5,
    )
    assert p["in_volume"] == int(q1.nodes.set_index("id").loc["svc-spoc", "in_volume"])
