"""Expected flows and shares are shown only when every total they come from is shown."""

from __future__ import annotations

from gridvoices.ecosystem.privacy import suppression
from gridvoices.queries.barriers.forms import barriers
from gridvoices.queries.disclosure import cell_groups, disclose, layer
from gridvoices.queries.disclosure_expected import hidden_margins
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.render import shown

from tests.conftest import DERBYSHIRE
from tests.unit.test_view_barriers import three_districts


def _answer(G):
    with suppression(True):
        return shown(disclose("barriers", barriers(G), G))


def test_a_hidden_district_total_hides_every_expected_value_built_on_it():
    G = three_districts()
    bad, secret_total = hidden_margins(cell_groups(G), layer(G).hidden)
    assert "A" in bad  # Alpha sends 10 + 5 + 4: the 4 is hidden, and so is the 19
    r = _answer(G)
    ab = next(x for x in r["borders"] if {x["a"], x["b"]} == {"A", "B"})
    assert ab["observed"] == 12 and ab["expected"] == "*" and ab["permeability"] == "*"
    assert "* expected" in ab["why"] and "21.1" not in ab["why"]
    assert "permeability *" in ab["why"]
    assert all(x["expected"] == "*" for x in r["district_matrix"] if x["source"] == "A")
    # The grand total (52) is hidden too, so every expected share is.
    assert secret_total
    assert all(x["expected_share"] == "*" for x in r["inward"] if x["expected_share"] is not None)


def test_shipped_data_shows_expected_values_exactly_when_their_totals_are_shown():
    _, tables = validate_paths([DERBYSHIRE])
    G = build_graph(tables)
    bad, secret_total = hidden_margins(cell_groups(G), layer(G).hidden)
    r = _answer(G)
    for x in r["district_matrix"]:
        hidden = secret_total or bool({x["source"], x["target"]} & bad)
        assert (x["expected"] == "*") == hidden, x
    for x in r["borders"]:
        hidden = secret_total or bool({x["a"], x["b"]} & bad)
        assert (x["expected"] == "*") == hidden, x
    assert any(isinstance(x["expected"], float) for x in r["borders"])
