"""The contagion view: activation as colour, pathways marked, steps, suggested links."""

from __future__ import annotations

from gridvoices.visualise.contagion_view import PATHWAY_COLOUR, SUGGESTED_COLOUR
from gridvoices.visualise.views import render_view, view_kinds

from tests.unit.test_view import XSS_IMG, edge_rows, parse, tiny_graph, view_data


def graph():
    G = tiny_graph()
    for k in range(3, 7):
        G.add_node(
            f"S{k}",
            type="Service",
            name=f"Service {k}",
            district="DER",
            districts=["DER"],
            organisation="ORG1",
            org_kind="housing" if k % 2 else "employment",
            domain="linkage",
            active=True,
        )
    for k in (7, 8):
        G.add_node(
            f"S{k}",
            type="Service",
            name=f"Erewash service {k}",
            district="ERE",
            districts=["ERE"],
            organisation="ORG2",
            org_kind="community",
            domain="activities",
            active=True,
        )
    G.add_edge("S7", "S8", referrals=40, by_period={"2024-Q1": 20, "2024-Q2": 20})
    G.add_edge("G1", "S3", referrals=40, by_period={"2024-Q1": 20, "2024-Q2": 20})
    G.add_edge("S3", "S4", referrals=30, by_period={"2024-Q1": 3, "2024-Q2": 27})
    G.add_edge("S4", "S5", referrals=30, by_period={"2024-Q1": 15, "2024-Q2": 15})
    return G


def page(**options):
    return render_view("contagion", graph(), illustrative=True, source="Test", runs=200, **options)


def test_found_by_name():
    assert "contagion" in view_kinds()


def test_activation_scale_steps_pathways_and_suggestions():
    html = page()
    data = view_data(html)
    (mode,) = [m for m in data["colour_modes"] if m["key"] == "activation"]
    assert mode["type"] == "scale" and mode["min"] == 0 and mode["max"] == 1
    ids = data["nodes"]["id"]
    prob = dict(zip(ids, mode["values"], strict=True))
    assert prob["G1"] == 1.0 and 0 < prob["S5"] < prob["S3"] <= 1.0
    assert data["defaults"]["colour"] == "activation"
    spread = data["spread"]
    step = dict(zip(ids, spread["step"], strict=True))
    assert step["G1"] == 0 and step["S3"] == 1 and step["S5"] == min(3, spread["last"])
    assert step["S6"] is None  # never activated
    assert len(spread["cumulative"]) == spread["last"] + 1
    # pathway links are marked
    marked = {
        (ids[data["edges"]["src"][int(e)]], ids[data["edges"]["dst"][int(e)]])
        for e in data["edge_marks"]
    }
    assert ("G1", "S3") in marked and data["mark"]["colour"] == PATHWAY_COLOUR
    # suggested links: new ends, labelled, own colour
    assert spread["suggested"] and spread["suggested_colour"] == SUGGESTED_COLOUR
    for _a, _b, label, why in spread["suggested"]:
        assert label.startswith("Suggested link") and why
    # slider, legend, banner
    assert 'id="gv-step"' in html and 'type="range"' in html
    assert "Suggested new link" in html and "Illustrative data" in html


def test_counts_suppressed_and_escaped():
    html = page()
    data = view_data(html)
    assert edge_rows(data)["S3", "S4"] == [-1, 27]
    assert not any(0 < c < 5 for c in data["edges"]["cells"])
    assert XSS_IMG not in html
    assert not [a for t, a in parse(html).tags if t == "script" and a.get("src")]
