"""The disclosure layer's graph from SQL gives exactly the figures of the full projection.

``disclose_store`` on the embedded store reads its graph from SQL (no pandas, no feedback
table); these tests hold it to the answer built from ``store.read()`` and ``build_graph``
on the shipped data, the tiny fixture and a generated ecosystem: the same figures in the
same order, the same cell groups, and the same marked answers.
"""

from __future__ import annotations

import pytest
from gridvoices.ecosystem.privacy import suppression
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries import disclosure as layer
from gridvoices.queries import run
from gridvoices.queries.disclosure_sql import disclosure_graph
from gridvoices.queries.graph import build_graph
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths

from tests.conftest import DERBYSHIRE, FIXTURES


def _store(folder, data) -> SQLiteStore:
    s = SQLiteStore(folder / "g.sqlite")
    import_paths(s, [data])
    return s


@pytest.fixture(scope="module", params=["derbyshire", "tiny", "generated"])
def store(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "derbyshire":
        data = DERBYSHIRE
    elif request.param == "tiny":
        data = FIXTURES / "tiny"
    else:
        data = write_ecosystem(tmp / "data", 120, 2500, seed=3)
    s = _store(tmp, data)
    yield s
    s.close()


def marked_both_ways(store, name: str, periods) -> tuple[dict, dict]:
    """Answer ``name`` marked from SQL, and marked through every table: the chosen
    periods' graph with the all-periods one."""
    raw = run._answer(store, name, periods=periods)
    with suppression(True):
        got = layer.disclose_store(store, name, raw, periods)
        tables = store.read()
        G = build_graph(tables, periods)
        G.graph["disclosure_graph"] = build_graph(tables)
        return got, layer.disclose(name, raw, G)


def _some_periods(store) -> list[str]:
    return store.periods()[:2]


@pytest.mark.parametrize("pick", [None, _some_periods])
def test_same_figures_and_cells_as_the_full_projection(store, pick):
    periods = pick(store) if pick else None
    tables = store.read()
    want = build_graph(tables, periods)
    got = disclosure_graph(store, periods)
    assert got.graph["periods"] == want.graph["periods"]
    assert got.graph["all_periods"] == want.graph["all_periods"]
    assert layer.figures(got) == layer.figures(want)
    assert layer.cell_groups(got) == layer.cell_groups(want)
    assert list(got.edges) == [(u, v) for u, v, d in want.edges(data=True) if d.get("by_period")]


@pytest.mark.parametrize("name", sorted(layer.DISCLOSED & set(run.NAMED_QUERIES)))
@pytest.mark.parametrize("pick", [None, _some_periods])
def test_same_marked_answer_as_from_the_full_projection(store, name, pick):
    got, want = marked_both_ways(store, name, pick(store) if pick else None)
    assert got == want
    assert got.get("disclosure") == want.get("disclosure")
