"""Provenance on both stores: sources listed, re-import replaces, references protected."""

from __future__ import annotations

import pytest
from gridvoices.ecosystem.issues import ImportRejected
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths

from tests.conftest import edit_csv


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path):
    if request.param == "embedded":
        s = SQLiteStore(tmp_path / "gridvoices.sqlite")
        yield s
        s.close()
    else:
        yield request.getfixturevalue("neo4j")


def _snapshot(store):
    return {k: v.to_dict("records") for k, v in store.read().items()}


def test_sources_listed_with_counts(store, tiny):
    import_paths(store, [tiny], source_name="tiny partners")
    [src] = store.sources()
    assert src["source"] == "tiny partners" and src["format"] == "csv"
    assert src["rows"] == {
        "districts": 3,
        "organisations": 2,
        "services": 3,
        "groups": 1,
        "navigators": 1,
        "referrals": 4,
        "peer_links": 2,
    }
    assert src["imported_at"].endswith("+00:00")


def test_reimport_replaces_the_source(store, tiny):
    import_paths(store, [tiny], source_name="partners")
    first = _snapshot(store)
    import_paths(store, [tiny], source_name="partners")
    assert _snapshot(store) == first
    # The partner drops a referral row and a peer link and sends the rest again.
    edit_csv(tiny / "referrals.csv", "G1,S1,2024-Q2,0,\n", "")
    edit_csv(tiny / "peer_links.csv", "G1,S2,links_with,\n", "")
    import_paths(store, [tiny], source_name="partners")
    t = store.read()
    assert len(t["referrals"]) == 3 and len(t["peer_links"]) == 1
    assert store.sources()[0]["rows"]["referrals"] == 3


def test_other_sources_are_untouched(store, tiny, tmp_path):
    import_paths(store, [tiny], source_name="partners")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "referrals.csv").write_text("source,target,period,count\nS3,S1,2024-Q3,7\n")
    import_paths(store, [extra], source_name="survey")
    import_paths(store, [tiny], source_name="partners")
    assert len(store.read()["referrals"]) == 5
    assert {s["source"]: s["rows"] for s in store.sources()}["survey"] == {"referrals": 1}


def test_removing_a_record_others_refer_to_is_rejected(store, tiny, tmp_path):
    import_paths(store, [tiny], source_name="partners")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "referrals.csv").write_text("source,target,period,count\nS3,S1,2024-Q3,7\n")
    import_paths(store, [extra], source_name="survey")
    before = _snapshot(store)
    # The partner no longer lists S3 (nor its own rows about it).
    edit_csv(tiny / "services.csv", "S3,Lonely,O2,D3,volunteering,,no,yes\n", "")
    with pytest.raises(ImportRejected) as e:
        import_paths(store, [tiny], source_name="partners")
    [issue] = e.value.report.errors
    assert issue.code == "still-referenced" and "'S3'" in issue.message
    assert _snapshot(store) == before
