"""Faults on Neo4j: kill -9 and SIGINT at points of an import (one transaction, and the bulk
path into an empty database), two imports at once, an import racing a source replacement,
a reader during a write. Each checked with the integrity check and against clean references.
"""

from __future__ import annotations

import signal
import time

import pytest
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.stores import outcome
from gridvoices.stores.check import check
from gridvoices.stores.neo4j_store import Neo4jStore
from gridvoices.stores.store import import_paths

from tests.faults.harness import Child, snapshot

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def data(tmp_path_factory, neo4j_store):
    root = tmp_path_factory.mktemp("neo4j-faults")
    a = write_ecosystem(root / "a", 60, 600, seed=1)
    b = write_ecosystem(root / "b", 50, 600, seed=2)
    neo4j_store.clear()
    refs = {"empty": snapshot(neo4j_store)}
    import_paths(neo4j_store, [b], source_name="partners")
    refs["b-alone"] = snapshot(neo4j_store)
    neo4j_store.clear()
    import_paths(neo4j_store, [a], source_name="partners")
    refs["before"] = snapshot(neo4j_store)
    import_paths(neo4j_store, [b], source_name="partners")
    refs["after"] = snapshot(neo4j_store)
    neo4j_store.clear()
    return {"a": a, "b": b, **refs}


def _args(path, source="partners"):
    return ["import", str(path), "--store", "neo4j", "--source", source, "-q"]


def _with_a(store, data):
    store.clear()
    import_paths(store, [data["a"]], source_name="partners")


def _state(data, allowed=("before", "after")) -> str:
    with Neo4jStore.connect() as s:  # a fresh opening: removes what a dead import left
        assert check(s) == []
        snap = snapshot(s)
    for name in allowed:
        if snap == data[name]:
            return name
    raise AssertionError(f"the database is none of {allowed}")


@pytest.mark.parametrize("point", ["validated", "pre-commit", "post-commit"])
def test_kill_9_in_one_transaction(neo4j, data, tmp_path, point, trials):
    _with_a(neo4j, data)
    child = Child(tmp_path / "c", _args(data["b"]), point)
    assert child.wait_paused()
    child.signal(signal.SIGKILL)
    assert child.finish()[0] == -signal.SIGKILL
    assert _state(data) == ("after" if point == "post-commit" else "before")
    with Neo4jStore.connect() as s:  # the dead holder's lock is taken over at once
        import_paths(s, [data["b"]], source_name="partners")
        assert snapshot(s) == data["after"]
    trials("neo4j: kill -9 at a point of an import", True)


@pytest.mark.parametrize("batch", [1, 3])
def test_kill_9_in_a_bulk_import_is_removed_at_once(neo4j, data, tmp_path, batch, trials):
    neo4j.clear()
    child = Child(tmp_path / "c", _args(data["b"]), f"batch:{batch}", env={"FAULT_BULK": "1"})
    assert child.wait_paused()
    child.signal(signal.SIGKILL)
    assert child.finish()[0] == -signal.SIGKILL
    assert neo4j.query("MATCH (m:ImportInProgress) RETURN count(m) AS n") == [{"n": 1}]
    # The next command finds its process gone and removes the partial import: no waiting.
    assert _state(data, ("empty",)) == "empty"
    assert neo4j.query("MATCH (n) WHERE NOT n:WriterLock RETURN count(n) AS n") == [{"n": 0}]
    trials("neo4j: kill -9 during a bulk import", True)


@pytest.mark.parametrize(
    ("point", "bulk"), [("pre-commit", ""), ("post-commit", ""), ("batch:2", "1")]
)
def test_sigint_says_what_is_stored(neo4j, data, tmp_path, point, bulk, trials):
    if bulk:
        neo4j.clear()
    else:
        _with_a(neo4j, data)
    child = Child(tmp_path / "c", _args(data["b"]), point, env={"FAULT_BULK": bulk})
    assert child.wait_paused()
    child.signal(signal.SIGINT)
    code, _, err = child.finish()
    assert code == 130, err
    allowed = ("empty", "b-alone") if bulk else ("before", "after")
    state = _state(data, allowed)
    stored = state in ("after", "b-alone")
    assert err.strip() == (outcome.STORED if stored else outcome.NOTHING)
    assert stored == (point == "post-commit")
    trials("neo4j: SIGINT at a point of an import", True)


def test_two_imports_take_turns(neo4j, data, tmp_path, trials):
    _with_a(neo4j, data)
    first = Child(tmp_path / "c1", _args(data["b"]), "validated")
    assert first.wait_paused()
    code, _, err = Child(tmp_path / "c2", _args(data["a"]), None).finish()
    assert code == 1 and "is being written by pid" in err and "Traceback" not in err
    queued = Child(tmp_path / "c3", _args(data["a"]), None, env={"GRIDVOICES_WAIT": "forever"})
    time.sleep(1.0)
    assert queued.proc.poll() is None
    first.resume()
    assert first.finish()[0] == 0
    assert queued.finish()[0] == 0
    assert _state(data) == "before"  # B, then A again
    trials("neo4j: two imports at once (one refused, one queued)", True)


def test_reader_during_a_write_sees_the_last_commit(neo4j, data, tmp_path, trials):
    _with_a(neo4j, data)
    writer = Child(tmp_path / "w", _args(data["b"]), "pre-commit")
    assert writer.wait_paused()
    with Neo4jStore.connect() as reader:
        assert snapshot(reader) == data["before"]
        assert check(reader) == []
    writer.resume()
    assert writer.finish()[0] == 0
    assert _state(data) == "after"
    trials("neo4j: reader during a write", True)


def test_a_read_across_a_commit_is_all_before_or_all_after(neo4j, data, trials):
    """An import committing between the reader's table queries: the reader reads again,
    and never returns services of one import with flows of another."""
    _with_a(neo4j, data)
    reads: list[str] = []
    with Neo4jStore.connect() as reader:
        query = reader.query

        def commit_midway(cypher, params=None, **kw):
            reads.append(cypher)
            if len(reads) == 3:  # after the first tables, before the flows
                import_paths(neo4j, [data["b"]], source_name="partners")
            return query(cypher, params, **kw)

        reader.query = commit_midway
        assert snapshot(reader) == data["after"]
    assert len(reads) > 12  # the tables were read twice
    trials("neo4j: a read across a commit (read again, one state)", True)


def test_import_racing_a_source_replacement(neo4j, data, tmp_path, trials):
    _with_a(neo4j, data)
    before = neo4j.existing_ids()["services"]
    b_ids = {line.split(",")[0] for line in (data["b"] / "services.csv").read_text().splitlines()}
    gone = sorted(before - b_ids)[:4]
    assert gone
    links = tmp_path / "links"
    links.mkdir()
    (links / "navigators.csv").write_text(
        f"id,role,lived_experience,based_at\nNX,navigator,yes,{gone[0]}\n"
    )
    (links / "peer_links.csv").write_text(
        "source,target,kind,strength\n" + "".join(f"NX,{s},links_with,\n" for s in gone)
    )
    one = Child(tmp_path / "c1", _args(links, "links"), "validated")
    assert one.wait_paused()
    two = Child(tmp_path / "c2", _args(data["b"]), None, env={"GRIDVOICES_WAIT": "forever"})
    time.sleep(1.0)
    one.resume()
    assert one.finish()[0] == 0
    code, out, err = two.finish()
    assert code == 2 and "still refers" in out and "Traceback" not in err
    with Neo4jStore.connect() as s:
        assert check(s) == []
    trials("neo4j: an import racing a source replacement", True)
