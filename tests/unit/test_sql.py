"""The SQL forms on the embedded store give exactly the graph forms' answers."""

from __future__ import annotations

import random

import pytest

from loaders.generate import write_ecosystem
from loaders.sqlite_store import SQLiteStore
from loaders.store import import_paths
from queries.errors import QueryError
from queries.run import answer
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
