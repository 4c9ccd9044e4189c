"""Per-period links (FLOW_<period>) beside each REFERS: in step with the flows through every
write path, invisible to the named queries, and the subset-period paths they serve."""

from __future__ import annotations

import pytest
from gridvoices.ecosystem.issues import ImportRejected, StoreError
from gridvoices.queries.paths import forms
from gridvoices.queries.run import answer
from gridvoices.stores import neo4j_write
from gridvoices.stores.check import check
from gridvoices.stores.neo4j_cypher import WRITE
from gridvoices.stores.neo4j_links import MODEL, link_type
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths

from tests.conftest import DERBYSHIRE, edit_csv

pytestmark = pytest.mark.neo4j

_LINKS = """
MATCH (a)-[x]->(b) WHERE type(x) STARTS WITH 'FLOW_'
RETURN a.id AS a, b.id AS b, type(x) AS t
"""
_COUNTS = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN nodes, rels
"""


def _links(store) -> list[tuple]:
    return sorted((r["a"], r["b"], r["t"]) for r in store.query(_LINKS))


def _expected(store) -> list[tuple]:
    """One link per (pair, period) whose stored count is above zero."""
    rows = store.read()["referrals"].to_dict("records")
    return sorted({(r["source"], r["target"], link_type(r["period"])) for r in rows if r["count"]})


def _recorded(store) -> list[str] | None:
    return store.query(MODEL)[0]["periods"]


def _forget_links(store) -> None:
    """Make the store look like one written before the per-period links existed."""
    store.query(
        "MATCH ()-[x]->() WHERE type(x) STARTS WITH 'FLOW_' DELETE x "
        "WITH count(*) AS n MATCH (m:GraphModel) DELETE m",
        write=True,
    )
    store._periods = store._links = None  # the store caches both per connection


def _in_step(store) -> None:
    assert _links(store) == _expected(store)
    # The record may keep a period whose flows have all gone: it then has no links to miss.
    assert set(store.periods()) <= set(_recorded(store))


def test_links_follow_the_flows_through_every_write_path(neo4j, tiny, tmp_path):
    import_paths(neo4j, [tiny], source_name="partners")
    _in_step(neo4j)
    first = (neo4j.query(_COUNTS), _links(neo4j))
    import_paths(neo4j, [tiny], source_name="partners")
    assert (neo4j.query(_COUNTS), _links(neo4j)) == first  # re-import: nothing new

    # An update: one cell falls to zero (its link goes), another rises from zero.
    edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q2,2,2", "S1,S2,2024-Q2,0,0")
    edit_csv(tiny / "referrals.csv", "G1,S1,2024-Q2,0,", "G1,S1,2024-Q2,5,")
    import_paths(neo4j, [tiny], source_name="partners")
    _in_step(neo4j)
    assert ("S1", "S2", "FLOW_2024_Q2") not in _links(neo4j)
    assert ("G1", "S1", "FLOW_2024_Q2") in _links(neo4j)

    # Another source brings a new period onto a pair the first one also covers.
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "referrals.csv").write_text(
        "source,target,period,count\nS3,S1,2024-Q3,7\nS1,S2,2024-Q3,1\n"
    )
    import_paths(neo4j, [extra], source_name="survey")
    _in_step(neo4j)
    assert ("S1", "S2", "FLOW_2024_Q3") in _links(neo4j)

    # The first source drops rows: its stale flow entries and their links go, the
    # other source's links on the same pair stay.
    edit_csv(tiny / "referrals.csv", "S2,G1,2024-Q1,3,\n", "")
    edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q1,12,10\n", "")
    import_paths(neo4j, [tiny], source_name="partners")
    _in_step(neo4j)
    assert not [x for x in _links(neo4j) if x[:2] == ("S2", "G1")]
    assert [x for x in _links(neo4j) if x[:2] == ("S1", "S2")] == [("S1", "S2", "FLOW_2024_Q3")]


def test_failed_imports_leave_no_links(neo4j, tiny, monkeypatch):
    bad = tiny.parent / "bad"
    bad.mkdir()
    for f in tiny.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    edit_csv(bad / "referrals.csv", "2024-Q1,12,10", "2024-Q1,-3,")
    with pytest.raises(ImportRejected):
        import_paths(neo4j, [bad])
    assert _links(neo4j) == [] and _recorded(neo4j) is None

    import_paths(neo4j, [tiny])
    before = (neo4j.query(_COUNTS), _links(neo4j), _recorded(neo4j))
    # New flows in a new period, then a failure after the referrals (and their links)
    # were written in the same transaction.
    edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q2,2,2", "S1,S2,2024-Q2,2,2\nS3,G1,2024-Q4,4,")
    monkeypatch.setitem(WRITE, "peer_links", "UNWIND $rows AS row RETURN 1 / 0")
    with pytest.raises(StoreError, match="nothing was stored"):
        import_paths(neo4j, [tiny])
    assert (neo4j.query(_COUNTS), _links(neo4j), _recorded(neo4j)) == before


_NAMED = ("summary", "isolated", "isolation", "barriers", "coverage", "feedback")


def test_named_queries_do_not_see_the_links(neo4j, tmp_path):
    """Degree, isolation and summary counts are the same with and without the links, and
    the same as the embedded store's."""
    embedded = SQLiteStore(tmp_path / "gridvoices.sqlite")
    import_paths(embedded, [DERBYSHIRE])
    import_paths(neo4j, [DERBYSHIRE])
    assert len(_links(neo4j)) > 0
    periods = sorted(embedded.periods())
    choices = [None, periods[:1], periods[-2:]]
    linked = {(n, i): answer(neo4j, n, periods=p) for n in _NAMED for i, p in enumerate(choices)}
    for (name, i), got in linked.items():
        assert got == answer(embedded, name, periods=choices[i]), (name, choices[i])
    _forget_links(neo4j)
    for (name, i), got in linked.items():
        assert answer(neo4j, name, periods=choices[i]) == got, (name, choices[i])
    embedded.close()


@pytest.fixture
def parallel(tiny):
    """The tiny ecosystem with pairs linked in several periods, a period whose only row has
    no referrals (2024-Q3) and one more period (2024-Q4) so no subset is every period."""
    (tiny / "referrals.csv").write_text(
        "source,target,period,count,accepted\n"
        "S1,S2,2024-Q1,5,\nS1,S2,2024-Q2,3,\n"
        "S2,G1,2024-Q1,1,\nS2,G1,2024-Q2,2,\n"
        "S1,S3,2024-Q2,4,\nS3,G1,2024-Q1,2,\n"
        "G1,S1,2024-Q3,0,\nG1,S3,2024-Q4,1,\nS3,S2,2024-Q4,6,\n"
    )
    return tiny


_CHOICES = [["2024-Q1", "2024-Q2"], ["2024-Q1"], ["2024-Q3"], ["2024-Q2", "2024-Q4"], None]
_ENDS = ["S1", "S2", "S3", "G1"]


def _all_answers(store) -> dict:
    return {
        (s, t, i): answer(store, "shortest_paths", s, t, periods=p)
        for i, p in enumerate(_CHOICES)
        for s in _ENDS
        for t in _ENDS
        if s != t
    }


def test_subset_paths_on_the_links_match_the_embedded_store_and_the_list_filter(
    neo4j, parallel, tmp_path
):
    embedded = SQLiteStore(tmp_path / "gridvoices.sqlite")
    import_paths(embedded, [parallel])
    import_paths(neo4j, [parallel])
    assert neo4j.period_links() == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert ("G1", "S1", "FLOW_2024_Q3") not in _links(neo4j)

    # Two shortest routes, each hop linked in both chosen periods: each route once, with
    # its flow summed over the two periods.
    got = answer(neo4j, "shortest_paths", "S1", "G1", periods=["2024-Q1", "2024-Q2"])
    assert [(p["nodes"], [h["referrals"] for h in p["hops"]]) for p in got] == [
        (["S1", "S2", "G1"], [8, 3]),
        (["S1", "S3", "G1"], [4, 2]),
    ]
    assert answer(neo4j, "shortest_paths", "G1", "S1", periods=["2024-Q3"]) == []

    linked = _all_answers(neo4j)
    assert linked == _all_answers(embedded)
    assert any(len(v) > 1 for v in linked.values()) and any(v == [] for v in linked.values())
    # The list-filter form, run directly on the same database.
    for (s, t, i), want in linked.items():
        if _CHOICES[i] is None:
            continue
        params = {"source": s, "target": t, "periods": _CHOICES[i]}
        listed = forms._answer(neo4j, forms._SHORTEST_SOME, params, key=lambda r: r["nodes"])
        assert listed == want, (s, t, _CHOICES[i])

    # A database without the links falls back to the list filter, with the same answers.
    _forget_links(neo4j)
    assert neo4j.period_links() is None
    assert _all_answers(neo4j) == linked
    embedded.close()


def test_a_store_from_before_the_links_is_linked_by_its_next_import(neo4j, parallel, tiny):
    import_paths(neo4j, [parallel], source_name="partners")
    want = _links(neo4j)
    _forget_links(neo4j)
    import_paths(neo4j, [parallel], source_name="partners")
    _in_step(neo4j)
    assert _links(neo4j) == want


def test_a_large_store_from_before_the_links_stays_unlinked_and_right(neo4j, parallel, monkeypatch):
    import_paths(neo4j, [parallel], source_name="partners")
    linked = _all_answers(neo4j)
    _forget_links(neo4j)
    # Too many REFERS to link in the import's transaction: no links, no record.
    monkeypatch.setattr(neo4j_write, "RELINK_MAX", 0)
    edit_csv(parallel / "referrals.csv", "S3,S2,2024-Q4,6,", "S3,S2,2024-Q4,6,\nS2,S3,2024-Q1,2,")
    import_paths(neo4j, [parallel], source_name="partners")
    assert _links(neo4j) == [] and _recorded(neo4j) is None
    after = _all_answers(neo4j)
    assert after != linked  # the new S2->S3 flow changes some answers
    monkeypatch.setattr(neo4j_write, "RELINK_MAX", 100_000)
    _forget_links(neo4j)
    import_paths(neo4j, [parallel], source_name="partners")
    _in_step(neo4j)
    assert _all_answers(neo4j) == after


def test_relink_links_a_large_store_in_batches_and_check_sees_links_out_of_step(
    neo4j, parallel, monkeypatch
):
    import_paths(neo4j, [parallel], source_name="partners")
    linked, want = _all_answers(neo4j), _links(neo4j)
    _forget_links(neo4j)
    monkeypatch.setattr(neo4j_write, "RELINK_MAX", 0)
    import_paths(neo4j, [parallel], source_name="partners")
    assert _recorded(neo4j) is None and check(neo4j) == []

    # Batches of one pair each; a run cut off part way (here: links already there for
    # some pairs) is started again and leaves each pair linked once.
    neo4j.query(
        "MATCH (a {id: 'S1'})-[r:REFERS]->(b {id: 'S2'}) CREATE (a)-[:FLOW_2024_Q1]->(b)",
        write=True,
    )
    assert neo4j.link_periods(batch=1) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    _in_step(neo4j)
    assert _links(neo4j) == want and _all_answers(neo4j) == linked
    assert neo4j.link_periods() == _recorded(neo4j)  # nothing left to do
    assert check(neo4j) == []

    # A link lost (or one too many) is derived data out of step with its records.
    neo4j.query("MATCH ({id: 'S1'})-[x:FLOW_2024_Q1]->({id: 'S2'}) DELETE x", write=True)
    assert any("per-period links differ" in p for p in check(neo4j))


def test_a_linked_search_cut_off_by_parallel_links_falls_back(neo4j, parallel, monkeypatch):
    import_paths(neo4j, [parallel])
    full = _all_answers(neo4j)
    # S1->G1 over Q1+Q2 has 5 relationship paths (S1-S2-G1 in 2 x 2 ways, S1-S3-G1 in 1)
    # for 2 node sequences: a cap of 3 cuts that search off.
    monkeypatch.setattr(forms, "LINKED_PATHS_CAP", 3)
    calls = []
    real = forms._answer
    monkeypatch.setattr(forms, "_answer", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    got = answer(neo4j, "shortest_paths", "S1", "G1", periods=["2024-Q1", "2024-Q2"])
    assert calls == [forms._shortest_linked(("2024-Q1", "2024-Q2")), forms._SHORTEST_SOME]
    assert got == full["S1", "G1", 0]
    assert _all_answers(neo4j) == full
