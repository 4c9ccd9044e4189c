"""``read_graph`` (SQL) builds exactly the graph ``build_graph(store.read())`` builds.

Same nodes and edges in the same order, the same attributes with the same Python types,
the same graph attributes, for all periods and for a subset, on the shipped data, the tiny
fixture and a generated ecosystem. The analyses on the embedded store read the SQL form,
so any change to one projection must be made to the other; these tests say where not.
"""

from __future__ import annotations

import pytest
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries.graph import build_graph
from gridvoices.queries.graph_sql import read_graph
from gridvoices.queries.run import load_graph
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths

from tests.conftest import DERBYSHIRE, FIXTURES


@pytest.fixture(scope="module", params=["derbyshire", "tiny", "generated"])
def store(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    data = {"derbyshire": DERBYSHIRE, "tiny": FIXTURES / "tiny"}.get(request.param)
    if data is None:
        data = write_ecosystem(tmp / "data", 150, 3000, seed=5)
    s = SQLiteStore(tmp / "g.sqlite")
    import_paths(s, [data])
    yield s
    s.close()


def same(a, b, where="") -> None:
    """Equal values of the same types all the way down (np.int64 is not int here)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _choices(store):
    periods = store.periods()
    return [None, periods[:1], periods[1:3], ["no-such-period"]]


@pytest.mark.parametrize("choice", range(4))
def test_the_same_graph_as_from_the_tables(store, choice):
    periods = _choices(store)[choice]
    want = build_graph(store.read(), periods)
    got = read_graph(store, periods)
    same(list(got.nodes(data=True)), list(want.nodes(data=True)), "nodes")
    same(list(got.edges(data=True)), list(want.edges(data=True)), "edges")
    assert set(got.graph) == set(want.graph)
    for k in want.graph:
        if k == "borders":  # a set: no order to compare
            assert got.graph[k] == want.graph[k]
        elif k == "disclosure_source":  # how each builds the all-periods graph: same graph
            same(list(got.graph[k]().edges(data=True)), list(want.graph[k]().edges(data=True)), k)
        else:
            same(got.graph[k], want.graph[k], k)


def test_the_embedded_store_loads_through_sql(store):
    periods = store.periods()[:2]
    G = load_graph(store, periods)
    same(list(G.edges(data=True)), list(build_graph(store.read(), periods).edges(data=True)))
