"""The bulk path: a large import into an empty Neo4j, in many transactions, still all or nothing."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from gridvoices.ecosystem.issues import StoreError
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.stores import neo4j_bulk
from gridvoices.stores.neo4j_store import Neo4jStore
from gridvoices.stores.store import import_paths

from gridvoices.api import NoData, connect
from tests.conftest import DERBYSHIRE

pytestmark = pytest.mark.neo4j

# Everything but the per-import ids and clock, which differ between any two imports.
_NODES = """
MATCH (n)
RETURN labels(n) AS labels,
       [k IN keys(n) WHERE NOT k IN ['_import', 'import_id', 'imported_at'] | [k, n[k]]] AS props
"""
_RELS = """
MATCH (a)-[r]->(b)
RETURN a.id AS a, type(r) AS type, b.id AS b,
       [k IN keys(r) WHERE NOT k IN ['_import', 'imports'] | [k, r[k]]] AS props,
       size(coalesce(r.imports, [])) AS n_imports
"""
_BORDERS = "MATCH (a:District)-[:BORDERS]-(b:District) RETURN a.id AS a, b.id AS b"


def _key(row: dict) -> str:
    # Property order follows write order, which an update changes.
    return repr(sorted((k, sorted(v) if k == "props" else v) for k, v in row.items()))


def _graph(store: Neo4jStore) -> dict:
    """The whole graph, order-free; BORDERS compared undirected (MERGE picks a direction)."""
    return {
        "nodes": sorted(_key(r) for r in store.query(_NODES)),
        "rels": sorted(_key(r) for r in store.query(_RELS) if r["type"] != "BORDERS"),
        "borders": sorted(_key(r) for r in store.query(_BORDERS)),
        "tables": {k: v.to_dict("records") for k, v in store.read().items()},
    }


def _empty(store: Neo4jStore) -> bool:
    rows = store.query("MATCH (n) RETURN count(n) AS n")
    return rows == [{"n": 0}]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_ecosystem(tmp_path_factory.mktemp("bulk") / "data", 2000, 20000, seed=1)


@pytest.mark.parametrize("which", ["generated", "derbyshire"])  # derbyshire has feedback
def test_bulk_path_gives_the_same_graph_as_one_transaction(neo4j, data, which, monkeypatch):
    data = data if which == "generated" else DERBYSHIRE
    monkeypatch.setattr(neo4j, "bulk_min_rows", 10**12)
    import_paths(neo4j, [data], source_name="partners")
    one_tx = _graph(neo4j)
    neo4j.clear()
    monkeypatch.setattr(neo4j, "bulk_min_rows", 1)
    monkeypatch.setattr(neo4j_bulk, "BATCH", 3000)  # several batches per table
    batches: list[tuple[str, int]] = []
    import_paths(
        neo4j, [data], lambda name, done, _: batches.append((name, done)), source_name="partners"
    )
    # It took the bulk path (flows in several transactions on the big set), counting file rows.
    flows = [done for name, done in batches if name == "referrals"]
    assert flows[-1] == len(one_tx["tables"]["referrals"])
    assert len(flows) > 1 or which == "derbyshire"
    assert _graph(neo4j) == one_tx
    assert neo4j.query("MATCH (m:ImportInProgress) RETURN count(m) AS n") == [{"n": 0}]
    # A re-import goes through the one-transaction path and replaces the source's rows.
    import_paths(neo4j, [data], source_name="partners")
    assert _graph(neo4j) == one_tx


def test_bulk_import_failing_midway_leaves_the_store_empty(neo4j, data, monkeypatch):
    monkeypatch.setattr(neo4j, "bulk_min_rows", 1)
    monkeypatch.setattr(neo4j_bulk, "BATCH", 3000)

    def stop_in_referrals(name, done, _):
        if name == "referrals" and done >= 6000:
            raise RuntimeError("disk full on the client")

    with pytest.raises(StoreError, match="nothing was stored: RuntimeError: disk full"):
        import_paths(neo4j, [data], stop_in_referrals, source_name="partners")
    assert _empty(neo4j)
    assert neo4j.sources() == []


def test_server_error_in_last_table_leaves_the_store_empty(neo4j, data, monkeypatch):
    monkeypatch.setattr(neo4j, "bulk_min_rows", 1)
    # The peer links come after every node and flow has been committed.
    monkeypatch.setitem(
        neo4j_bulk.CREATE, "peer_links", "UNWIND range(0, size($source) - 1) AS i RETURN 1 / 0"
    )
    with pytest.raises(StoreError, match="nothing was stored: .*(/ by zero|divide by zero)"):
        import_paths(neo4j, [data], source_name="partners")
    assert _empty(neo4j)


_PAUSE_MIDWAY = """
import pathlib, sys, time
from gridvoices.stores import neo4j_bulk
from gridvoices.stores.neo4j_store import Neo4jStore
from gridvoices.stores.store import import_paths
from tests.conftest import DERBYSHIRE

neo4j_bulk.BATCH = 3000

def pause(name, done, _):
    if name == "referrals" and done >= 6000:
        pathlib.Path(sys.argv[2]).touch()
        time.sleep(600)  # killed here by the test: no cleanup, committed batches stay

store = Neo4jStore.connect(bulk_min_rows=1)
import_paths(store, [sys.argv[1]], pause, source_name="partners")
"""


def test_interrupted_bulk_import_reads_as_empty_then_is_removed(neo4j, data, tmp_path):
    flag = tmp_path / "midway"
    child = subprocess.Popen([sys.executable, "-c", _PAUSE_MIDWAY, str(data), str(flag)])
    try:
        while not flag.exists():
            assert child.poll() is None, "the import ended before it was half done"
            time.sleep(0.2)
        assert not _empty(neo4j)  # its committed batches are there ...
        # ... but a reader sees the last committed state, the empty store: not refused.
        with Neo4jStore.connect() as reader:
            assert reader.first_import()["source"] == "partners"
            tables = reader.read()
            assert all(df.empty for df in tables.values())
            assert list(tables["services"].columns) == ENTITIES["services"].column_names
            assert reader.sources() == [] and reader.periods() == []
        with connect() as eco:
            assert not eco.has_data()
            with pytest.raises(NoData, match="no data yet.*first import .*still running"):
                eco.summary()
        cli = subprocess.run(
            [sys.executable, "-m", "gridvoices.cli.interrupts", "summary", "--store", "neo4j"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert "no data yet" in cli.stdout + cli.stderr
        assert "not finished" not in cli.stdout + cli.stderr
        assert "Traceback" not in cli.stderr
        with pytest.raises(StoreError, match="is being written by pid"):
            import_paths(neo4j, [data], source_name="partners")
    finally:
        child.kill()  # kill -9: the process dies holding the lock, marker and batches
        child.wait()
    # Its process is gone: the next command removes the partial data at once.
    with Neo4jStore.connect() as fresh:
        assert _empty(fresh)
        assert fresh.first_import() is None
        assert fresh.query("MATCH (l:WriterLock) RETURN count(l) AS n") == [{"n": 0}]
        fresh.bulk_min_rows = 1
        import_paths(fresh, [data], source_name="partners")
        assert len(fresh.read()["referrals"]) == 20000


def test_small_imports_keep_the_one_transaction_path(neo4j, tiny):
    calls: list[str] = []
    import_paths(neo4j, [tiny], lambda name, done, _: calls.append(name))
    assert neo4j.bulk_min_rows == neo4j_bulk.BULK_MIN_ROWS
    assert calls  # written, with progress, and no marker left behind
    assert neo4j.query("MATCH (m:ImportInProgress) RETURN count(m) AS n") == [{"n": 0}]
