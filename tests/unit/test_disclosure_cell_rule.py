"""The cell rule: the disclosure layer on stores too large to list every figure.

Above ``CELL_RULE_ABOVE`` cells the layer hides every cell of 1-4 and every sum over a
hidden cell without listing figures. These tests lower the limit so a small generated
ecosystem takes that path, and hold it to what it promises: nothing determined, the
same verdicts from SQL as from the full projection, and the answers marked accordingly.
"""

from __future__ import annotations

import pytest
from gridvoices.ecosystem.disclosure.algebra import exposed_figures
from gridvoices.ecosystem.privacy import suppression
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries import disclosure as layer
from gridvoices.queries import run
from gridvoices.queries.disclosure_sql import disclosure_graph
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths

from tests.unit.test_disclosure_sql import marked_both_ways


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cellrule")
    s = SQLiteStore(tmp / "g.sqlite")
    import_paths(s, [write_ecosystem(tmp / "data", 40, 600, seed=5)])
    yield s
    s.close()


@pytest.fixture
def cell_rule(monkeypatch):
    monkeypatch.setattr(layer, "CELL_RULE_ABOVE", 0)


def test_small_graphs_keep_the_listed_protection(store):
    G = disclosure_graph(store)
    assert 0 < layer.cell_count(G) <= layer.CELL_RULE_ABOVE
    assert not isinstance(layer.disclosure(G).protection, layer.CellRule)


def test_every_sum_over_a_hidden_cell_is_hidden_and_no_other(store, cell_rule):
    G = disclosure_graph(store)
    D = layer.disclosure(G)
    assert isinstance(D.protection, layer.CellRule)
    figures = layer.figures(G)
    small = {f.parts[0] for f in figures if len(f.parts) == 1 and 0 < f.value < 5}
    assert small and D.hidden_cells() == small
    for f in figures:
        assert D.hidden(f.parts) == bool(small & set(f.parts)), f.key
        # a shown figure is a sum of cells of 5 or more: never 1-4 itself
        assert D.hidden(f.parts) or not 0 < f.value < 5


def test_nothing_hidden_can_be_worked_out(store, cell_rule):
    G = disclosure_graph(store)
    D = layer.disclosure(G)
    figures = layer.figures(G)
    hidden = [f.key for f in figures if D.hidden(f.parts)]
    assert hidden
    assert exposed_figures({f.key: f.parts for f in figures}, hidden) == []


def test_answers_match_the_full_projection(store, cell_rule):
    """The SQL route and the pandas/NetworkX route give the same marked answers, for all
    periods and for some."""
    for periods in (None, store.periods()[:2]):
        for name in ("summary", "barriers"):
            got, want = marked_both_ways(store, name, periods)
            assert got == want
            assert got["disclosure"]["secondary_hidden"] == "every total over a hidden count"


@pytest.mark.parametrize("some", [False, True])
def test_a_sum_is_hidden_exactly_when_it_holds_a_hidden_cell(store, cell_rule, some):
    """Of the periods asked about: a hidden cell of another period hides nothing here
    (the organisation-kind matrix of barriers, where both verdicts occur)."""
    periods = store.periods()[:1] if some else None
    raw = run._answer(store, "barriers", periods=periods)
    with suppression(True):
        marked = layer.disclose_store(store, "barriers", raw, periods)
    hidden = layer.disclosure(disclosure_graph(store)).hidden_cells()
    groups = layer.cell_groups(disclosure_graph(store, periods))
    verdicts = []
    for row in marked["kind_matrix"]:
        cells = set(groups.get(("kind_matrix", row["source"], row["target"]), ()))
        verdicts.append(bool(cells & hidden) and bool(row["referrals"]))
        assert ("referrals" in row.get("_hidden", ())) == verdicts[-1], row
    assert True in verdicts and False in verdicts  # both verdicts tried


def test_edges_are_looked_up_by_pair(store):
    G = disclosure_graph(store)
    u, v, d = G.edges(data=True)[-1]
    assert G.edges[u, v] is d
    with pytest.raises(KeyError):
        G.edges["no such", "link"]
