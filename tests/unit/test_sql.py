"""The SQL forms on the embedded store give exactly the graph forms' answers."""

from __future__ import annotations

import random

import pytest
from gridvoices.ecosystem.errors import QueryError
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries.run import answer
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths

from tests.conftest import DERBYSHIRE, FIXTURES


def _same(store, name, *args, **kw):
    assert answer(store, name, *args, engine="sql", **kw) == answer(
        store, name, *args, engine="graph", **kw
    ), (name, args, kw)


@pytest.mark.parametrize("data", ["tiny", "derbyshire", 1, 2, 3])
def test_sql_equals_graph(tmp_path, data):
    if data == "tiny":
        path = FIXTURES / "tiny"
    elif data == "derbyshire":
        path = DERBYSHIRE
    else:
        path = write_ecosystem(tmp_path / "gen", 60 * data, 250 * data, seed=data)
    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [path])
    t = store.read()
    ends = sorted(set(t["services"]["id"]) | set(t["groups"]["id"]))
    periods = store.periods()
    rng = random.Random(str(data))
    for chosen in (None, periods[:1], periods[-2:]):
        _same(store, "summary", periods=chosen)
        _same(store, "isolated", periods=chosen)
        for _ in range(8):
            s, e = rng.sample(ends, 2)
            _same(store, "shortest_paths", s, e, periods=chosen)
            for k in (1, 2, 3, 4):
                _same(store, "referral_paths", s, e, k=k, periods=chosen)
    store.close()


def test_unknown_end_is_an_error(tmp_path):
    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [FIXTURES / "tiny"])
    with pytest.raises(QueryError, match="'nope' is not a known service or group id"):
        answer(store, "shortest_paths", "S1", "nope", engine="sql")


def _isolation_same(store, **kw):
    assert answer(store, "isolation", engine="sql", **kw) == answer(
        store, "isolation", engine="graph", **kw
    ), kw


@pytest.mark.parametrize(
    "data", ["tiny", "derbyshire", (60, 150, 1), (600, 650, 3), (2000, 20000, 1)]
)
def test_isolation_from_compact_graph_equals_graph(tmp_path, data):
    """Every flag, row and sentence of `isolated` (cut-offs listed in search order too)."""
    if data == "tiny":
        path = FIXTURES / "tiny"
    elif data == "derbyshire":
        path = DERBYSHIRE
    else:
        services, flows, seed = data
        path = write_ecosystem(tmp_path / "gen", services, flows, seed=seed, planted=True)
    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [path])
    periods = store.periods()
    for chosen in (None, periods[:1], periods[-2:]):
        for k in (0, 1, 2, 3):
            _isolation_same(store, periods=chosen, k=k)
        if isinstance(data, tuple) and data[0] >= 2000:
            break  # the national shape at small size: the default question is enough
    store.close()


def test_compact_graph_follows_every_import(tmp_path):
    """A second source, a re-import that drops rows, and a feedback-only change: the compact
    graph is rewritten in the same transaction each time, so answers stay equal."""
    import shutil

    from tests.conftest import edit_csv

    base = write_ecosystem(tmp_path / "a", 120, 600, seed=4, planted=True)
    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [base])
    _isolation_same(store)
    extra = tmp_path / "b"
    extra.mkdir()
    ref = (base / "referrals.csv").read_text().splitlines()
    (extra / "referrals.csv").write_text(
        "\n".join([ref[0]] + [r.replace("2024-Q", "2023-Q") for r in ref[1:40]]) + "\n"
    )
    import_paths(store, [extra], source_name="older flows")
    _isolation_same(store)
    _same(store, "summary")
    shutil.copytree(base, tmp_path / "a2")
    lines = (tmp_path / "a2" / "referrals.csv").read_text().splitlines()
    (tmp_path / "a2" / "referrals.csv").write_text("\n".join(lines[: len(lines) // 2]) + "\n")
    edit_csv(tmp_path / "a2" / "services.csv", "Service 1,", "Service one,")
    import_paths(store, [tmp_path / "a2"], source_name=str((base).resolve()))
    _isolation_same(store)
    _same(store, "summary")
    _same(store, "isolated")
    reopened = SQLiteStore(tmp_path / "g.sqlite")
    assert answer(reopened, "isolation", engine="sql") == answer(store, "isolation", engine="sql")
    reopened.close()
    store.close()


def test_compact_graph_is_rebuilt_when_missing(tmp_path):
    """A store written before the compact graph existed gets it on first use."""
    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [DERBYSHIRE])
    store.conn.execute("DROP TABLE _adjacency")
    store.close()
    store = SQLiteStore(tmp_path / "g.sqlite")
    _isolation_same(store)
    _same(store, "summary")
    store.close()


def test_failed_import_leaves_compact_graph_as_before(tmp_path, tiny):
    from gridvoices.ecosystem.issues import ImportRejected

    from tests.conftest import edit_csv

    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [DERBYSHIRE])
    before = store.conn.execute("SELECT name, data FROM _adjacency ORDER BY name").fetchall()
    edit_csv(tiny / "referrals.csv", "S1,", "nope,")
    with pytest.raises(ImportRejected):
        import_paths(store, [tiny])
    after = store.conn.execute("SELECT name, data FROM _adjacency ORDER BY name").fetchall()
    assert before == after
    store.close()


@pytest.mark.parametrize("k", [0, 9, 2.5])
def test_bad_k_is_the_same_error_on_both_engines(tmp_path, k):
    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [FIXTURES / "tiny"])
    messages = []
    for engine in ("sql", "graph"):
        with pytest.raises(QueryError) as e:
            answer(store, "referral_paths", "S1", "S2", k=k, engine=engine)
        messages.append(str(e.value))
    assert messages[0] == messages[1]
    store.close()
