"""The isolation view: findings as colours, reasons in details, bridge links marked."""

from __future__ import annotations

from gridvoices.visualise.isolation_view import BRIDGE_COLOUR, FINDING_COLOURS, FINDINGS
from gridvoices.visualise.views import render_view

from tests.unit.test_view import columns, tiny_graph, view_data


def graph():
    G = tiny_graph()
    G.add_node(
        "S3",
        type="Service",
        name="Dead End House",
        district="DER",
        districts=["DER"],
        organisation="ORG1",
        org_kind="treatment",
        domain="linkage",
        active=True,
    )
    G.add_node(
        "S4",
        type="Service",
        name="Nobody",
        district="DER",
        districts=["DER"],
        organisation="ORG1",
        org_kind="treatment",
        domain="linkage",
        active=True,
    )
    # S1 -> S3: 3 + 9; S3 refers nobody on.
    G.add_edge("S1", "S3", referrals=12, accepted=None, by_period={"2024-Q1": 3, "2024-Q2": 9})
    return G


def finding_mode(data):
    return [m for m in data["colour_modes"] if m["key"] == "finding"][0]


def test_findings_colour_nodes_and_are_the_default():
    data = view_data(render_view("isolation", graph()))
    assert data["defaults"]["colour"] == "finding"
    mode = finding_mode(data)
    assert mode["labels"] == list(FINDINGS.values())
    assert mode["colours"] == list(FINDING_COLOURS.values())
    assert mode["unknown_label"] == "No finding"
    nodes = columns(data)
    worst = dict(zip(data["nodes"]["id"], mode["values"], strict=True))
    assert mode["labels"][worst["S4"]].startswith("Isolated")
    assert mode["labels"][worst["S3"]].startswith("Dead end")
    assert nodes["S4"]["type"] == 0
    assert [m["key"] for m in data["colour_modes"]] == ["finding", "kind", "domain"]


def test_reasons_are_in_details_with_shown_totals():
    data = view_data(render_view("isolation", graph()))
    index = data["nodes"]["id"].index("S3")
    notes = data["notes"][str(index)]
    assert notes[0] == ["Findings"]
    dead = [r for r in notes if r[0] == FINDINGS["dead_end"]][0]
    # 3 + 9: the 3 is hidden and the link's total 12 with it (the complement), never "12"
    assert dead[1] == "receives 9 + * referrals but refers none on"
    assert "12 referrals" not in str(data["notes"])


def test_bridge_links_are_marked():
    data = view_data(render_view("isolation", graph()))
    assert data["mark"]["colour"] == BRIDGE_COLOUR
    ids, e = data["nodes"]["id"], data["edges"]
    marked = {(ids[e["src"][int(k)]], ids[e["dst"][int(k)]]) for k in data["edge_marks"]}
    assert ("S1", "S3") in marked
    note = data["mark"]["notes"][
        str(list(zip(e["src"], e["dst"], strict=True)).index((ids.index("S1"), ids.index("S3"))))
    ]
    assert note[0][1].startswith("Bridge link: the only referral link")
    assert "(9 + * referrals)" in note[0][1]  # 3 + 9: the total 12 is hidden


def test_kind_colouring_still_available():
    data = view_data(render_view("isolation", graph(), colour_by="kind"))
    assert data["defaults"]["colour"] == "kind"
