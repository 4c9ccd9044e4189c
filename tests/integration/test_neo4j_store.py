"""The Neo4j store: idempotent MERGE imports, updates, and all-or-nothing writes."""

from __future__ import annotations

import pytest
from gridvoices.ecosystem.issues import ImportRejected, StoreError
from gridvoices.stores.neo4j_cypher import WRITE
from gridvoices.stores.store import import_paths

from tests.conftest import FIXTURES, edit_csv

pytestmark = pytest.mark.neo4j

_COUNTS = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN nodes, rels
"""


def _state(store):
    return store.query(_COUNTS)[0], {k: v.to_dict("records") for k, v in store.read().items()}


def test_reimport_changes_nothing(neo4j):
    import_paths(neo4j, [FIXTURES / "tiny"])
    first = _state(neo4j)
    import_paths(neo4j, [FIXTURES / "tiny"])
    assert _state(neo4j) == first
    # 10 entities, their :Source and the :GraphModel record; 16 relationships and the
    # per-period links of the 3 (pair, period) cells with referrals (G1->S1 had 0 in Q2).
    assert first[0] == {"nodes": 12, "rels": 19}
    links = neo4j.query(
        "MATCH (a)-[x]->(b) WHERE type(x) STARTS WITH 'FLOW_' "
        "RETURN a.id + '>' + b.id + ' ' + type(x) AS link ORDER BY link"
    )
    assert [r["link"] for r in links] == [
        "S1>S2 FLOW_2024_Q1",
        "S1>S2 FLOW_2024_Q2",
        "S2>G1 FLOW_2024_Q1",
    ]
    assert neo4j.period_links() == ["2024-Q1", "2024-Q2"]


def test_newer_file_updates_same_ids(neo4j, tiny):
    import_paths(neo4j, [tiny])
    edit_csv(tiny / "services.csv", "S3,Lonely,O2,D3", "S3,Lonely Renamed,O1,D1")
    edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q2,2,2", "S1,S2,2024-Q2,9,2")
    import_paths(neo4j, [tiny])
    t = neo4j.read()
    s3 = t["services"].set_index("id").loc["S3"]
    assert (s3["name"], s3["organisation"], s3["districts"]) == ("Lonely Renamed", "O1", ["D1"])
    runs = neo4j.query(
        "MATCH (:Service {id: 'S3'})-[r:RUN_BY|IN_DISTRICT]->(x) RETURN type(r) AS t, x.id AS x "
        "ORDER BY t"
    )
    assert runs == [{"t": "IN_DISTRICT", "x": "D1"}, {"t": "RUN_BY", "x": "O1"}]
    q2 = t["referrals"].query("source == 'S1' and period == '2024-Q2'")
    assert q2["count"].tolist() == [9]
    assert len(t["referrals"]) == 4


def test_rejected_import_leaves_neo4j_unchanged(neo4j, tiny):
    import_paths(neo4j, [tiny])
    before = _state(neo4j)
    edit_csv(tiny / "referrals.csv", "2024-Q1,12,10", "2024-Q1,-3,")
    with pytest.raises(ImportRejected):
        import_paths(neo4j, [tiny])
    assert _state(neo4j) == before


def test_failure_mid_write_rolls_back(neo4j, tiny, monkeypatch):
    import_paths(neo4j, [tiny])
    before = _state(neo4j)
    edit_csv(tiny / "services.csv", "S1,Spoc", "S1,Changed")
    # The last statement of the transaction fails after the others have run.
    monkeypatch.setitem(WRITE, "peer_links", "UNWIND $rows AS row RETURN 1 / 0")
    with pytest.raises(StoreError, match="nothing was stored: .*(/ by zero|divide by zero)"):
        import_paths(neo4j, [tiny])
    assert _state(neo4j) == before


def test_constraint_exists(neo4j):
    rows = neo4j.query("SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties")
    assert {"name": "entity_id", "labelsOrTypes": ["Entity"], "properties": ["id"]} in rows


def test_cypher_readonly_refuses_writes(neo4j):
    import neo4j as driver

    with pytest.raises(driver.exceptions.ClientError):
        neo4j.run_readonly("CREATE (:Entity {id: 'x'})")
    assert neo4j.query("MATCH (n:Entity {id: 'x'}) RETURN count(n) AS n") == [{"n": 0}]
