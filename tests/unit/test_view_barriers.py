"""The barriers view: districts and flows by permeability, missing borders, suppression."""

from __future__ import annotations

import networkx as nx
import pytest
from gridvoices.visualise.barriers_view import HIDDEN_COLOUR, MISSING_COLOUR
from gridvoices.visualise.views import render_view

from tests.unit.test_view import XSS_IMG, view_data


def three_districts() -> nx.DiGraph:
    """A borders B, B borders C; A and C do not border."""
    G = nx.DiGraph(
        districts={
            "A": {"name": "Alpha", "borders": ["B"]},
            "B": {"name": XSS_IMG, "borders": ["A", "C"]},
            "C": {"name": "Gamma", "borders": ["B"]},
        },
        borders={frozenset("AB"), frozenset("BC")},
        organisations={
            "O1": {"name": "One", "kind": "treatment", "commissioned": True},
            "O2": {"name": "Two", "kind": "community", "commissioned": False},
        },
        periods=["Q1", "Q2"],
        all_periods=["Q1", "Q2"],
    )
    for n, d, o in [
        ("a1", "A", "O1"),
        ("a2", "A", "O2"),
        ("b1", "B", "O1"),
        ("b2", "B", "O2"),
        ("c1", "C", "O2"),
    ]:
        G.add_node(
            n,
            type="Service",
            name=n,
            district=d,
            districts=[d],
            organisation=o,
            org_kind=G.graph["organisations"][o]["kind"],
            domain="activities",
            active=True,
        )

    def refer(u, v, **by_period):
        G.add_edge(u, v, referrals=sum(by_period.values()), accepted=None, by_period=by_period)

    refer("a1", "a2", Q1=10)
    refer("a1", "b1", Q1=5)  # A -> B shown: the border's 12 and its permeability are exact
    refer("b1", "a2", Q1=7)
    refer("b1", "b2", Q1=20)
    refer("a2", "c1", Q1=4)  # one hidden cell: A -> C is "*"
    refer("c1", "a1", Q2=6)
    return G


def links(data) -> dict:
    names = [n["label"] for n in data["nodes"]]
    return {frozenset((names[e["from"]], names[e["to"]])): e for e in data["edges"]}


def rows(item) -> dict:
    return {r[0]: r[1] for r in item["rows"] if len(r) == 2 and r[0] is not None}


@pytest.fixture
def data():
    return view_data(render_view("barriers", three_districts()))


def test_districts_are_nodes_flows_are_links(data):
    assert data["mode"] == "plain"
    assert sorted(n["label"] for n in data["nodes"]) == sorted(["Alpha", XSS_IMG, "Gamma"])
    assert set(links(data)) == {
        frozenset(("Alpha", XSS_IMG)),
        frozenset((XSS_IMG, "Gamma")),
        frozenset(("Alpha", "Gamma")),
    }


def test_border_with_flow_has_exact_total_but_no_ratio_of_hidden_totals(data):
    ab = links(data)[frozenset(("Alpha", XSS_IMG))]
    r = rows(ab)
    assert r[f"Alpha → {XSS_IMG}"] == "5" and r[f"{XSS_IMG} → Alpha"] == "7"
    assert r["Observed (both ways)"] == "12"
    # Expected = (out A x in B + out B x in A) / total: Alpha's 19 sent is hidden (15 + *), and
    # 21.1 expected beside the other totals would give it back, then A -> C's 4 (19 - 10 - 5).
    assert r["Expected ignoring the boundary"] == "*" and r["Permeability"] == "*"
    assert "21.1" not in str(data)
    assert ab["cat"] == "border" and ab["colour"] == HIDDEN_COLOUR and not ab["dashes"]
    assert r["Borders each other"] == "Yes"


def test_expected_values_are_shown_when_every_total_is():
    exact = view_data(render_view("barriers", three_districts(), suppress_small=False))
    r = rows(links(exact)[frozenset(("Alpha", XSS_IMG))])
    assert r["Expected ignoring the boundary"] == "21.1" and r["Permeability"] == "0.57"


def test_bordering_pair_without_flow_is_a_dashed_missing_link(data):
    bc = links(data)[frozenset((XSS_IMG, "Gamma"))]
    assert bc["cat"] == "missing" and bc["colour"] == MISSING_COLOUR and bc["dashes"]
    assert rows(bc)["Observed (both ways)"] == "0"
    assert rows(bc)["Barrier"] == "Yes"


def test_pair_with_a_hidden_part_shows_no_ratio_and_no_exact_total(data):
    ac = links(data)[frozenset(("Alpha", "Gamma"))]
    r = rows(ac)
    assert r["Alpha → Gamma"] == "*" and r["Gamma → Alpha"] == "6"
    assert r["Observed (both ways)"] == "6 + *"
    assert r["Permeability"] == "*"
    assert ac["colour"] == HIDDEN_COLOUR
    why = [x[1] for x in ac["rows"] if x[0] is None][0]
    assert "6 + * referrals crossed" in why and "permeability *" in why
    assert "10 referrals" not in str(data)  # 4 + 6 never appears


def test_district_details_use_shown_totals(data):
    alpha = [n for n in data["nodes"] if n["label"] == "Alpha"][0]
    r = rows(alpha)
    assert r["Referrals sent (incl. inside)"] == "15 + *"  # 10 inside, 5 to B, * to C
    assert r["Kept inside"] == "10"
    assert r["Share kept inside"] == "*"
    assert "Inward-looking" in r


def test_organisation_level(tmp_path):
    data = view_data(render_view("barriers", three_districts(), level="organisation"))
    assert sorted(n["label"] for n in data["nodes"]) == ["One", "Two"]
    (link,) = data["edges"]
    assert link["cat"] == "cross"
    assert not any(e["cat"] == "missing" for e in data["edges"])
    with pytest.raises(ValueError, match="level"):
        render_view("barriers", three_districts(), level="street")


def test_unsuppressed_barriers_show_everything():
    data = view_data(render_view("barriers", three_districts(), suppress_small=False))
    r = rows(links(data)[frozenset(("Alpha", "Gamma"))])
    assert r["Observed (both ways)"] == "10" and r["Permeability"] != "*"


def test_hostile_district_name_is_data_not_markup():
    page = render_view("barriers", three_districts())
    assert XSS_IMG not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" not in page.split('id="gv-data"')[1]


def test_barriers_flagged_by_the_analysis_are_red():
    from gridvoices.visualise.barriers_view import BANDS

    data = view_data(render_view("barriers", three_districts(), min_permeability=50.0))
    ab = links(data)[frozenset(("Alpha", XSS_IMG))]
    assert rows(ab)["Barrier"] == "Yes"
    assert ab["colour"] == BANDS[0][1]


def test_faint_pairs_are_capped_but_borders_kept(monkeypatch):
    from gridvoices.visualise import barriers_view

    monkeypatch.setattr(barriers_view, "MAX_OTHER_LINKS", 0)
    page = render_view("barriers", three_districts())
    data = view_data(page)
    assert {e["cat"] for e in data["edges"]} == {"border", "missing"}
    assert "Showing the 0 heaviest of 1 links between districts that do not border" in page
