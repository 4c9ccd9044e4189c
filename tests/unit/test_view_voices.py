"""Feedback in the network view; recovery index bands as district colours."""

from __future__ import annotations

import json

from gridvoices.visualise.network import BAND_COLOURS
from gridvoices.visualise.views import render_view, write_views

from tests.unit.test_view import XSS_IMG, tiny_graph, view_data

COMMENT = "Staff really listened <b>secret-five</b>"
HOSTILE = XSS_IMG + " hostile-comment"
FEW = "Only four people said this unique-few-phrase"


def graph():
    G = tiny_graph()
    fb = []
    # S1: 6 responses, each with a comment (one hostile).
    for k in range(6):
        fb.append(
            {
                "about": "S1",
                "about_to": None,
                "period": "2024-Q1",
                "rating": 4 if k % 2 else 5,
                "chime": ["hope"] + (["connection"] if k < 2 else []),
                "barrier": ["too_far"] if k < 3 else [],
                "comment": HOSTILE if k == 0 else COMMENT,
            }
        )
    # G1: 4 responses with comments: never shown, and the rating is starred.
    for _ in range(4):
        fb.append(
            {
                "about": "G1",
                "about_to": None,
                "period": "2024-Q1",
                "rating": 2,
                "chime": ["identity"],
                "barrier": [],
                "comment": FEW,
            }
        )
    # The S1 -> G1 link: 5 ratings.
    for r in (3, 4, 4, 5, 4):
        fb.append({"about": "S1", "about_to": "G1", "period": "2024-Q1", "rating": r, "chime": []})
    G.graph["feedback"] = fb
    return G


def notes_of(data, node):
    i = data["nodes"]["id"].index(node)
    return data["notes"].get(str(i), [])


def test_comments_never_in_the_page_without_the_option():
    html = render_view("network", graph())
    assert "secret-five" not in html and "unique-few-phrase" not in html
    assert "hostile-comment" not in html


def with_n1(responses: int = 7):
    """graph() and N1 (Derby City) rated ``responses`` times: seven outweigh S1's six, so the
    complement that keeps G1's 4 hidden beside the district's total is S1's count."""
    G = graph()
    about = {"about": "N1", "about_to": None, "period": "2024-Q1", "rating": 3, "chime": []}
    G.graph["feedback"] += [dict(about, barrier=[]) for _ in range(responses)]
    return G


def test_comments_need_five_and_are_escaped():
    # S1's 6 and G1's 4 are Derby City's only feedback: the layer hides the district's 10 as
    # G1's complement, so S1's count and its comments can be shown.
    html = render_view("network", graph(), show_comments=True)
    assert "secret-five" in html
    assert "unique-few-phrase" not in html  # only 4 comments about G1
    assert XSS_IMG not in html and "<b>secret-five" not in html and "hostile-comment" in html
    data = view_data(html)
    rows = notes_of(data, "S1")
    assert ["Comments"] in rows
    shown = [
        r[1] for r in rows if r[0] is None and "secret-five" in str(r[1]) or r == [None, XSS_IMG]
    ]
    assert 1 <= len(shown) <= 3
    # Beside a hidden count (S1's, once N1's feedback is dearer) no comment is shown at all.
    assert "secret-five" not in render_view("network", with_n1(), show_comments=True)


def test_feedback_summary_in_details_and_modes():
    # S1 (6 responses), G1 (4) and N1 (7) are Derby City's feedback: the district's 17, published
    # by `feedback`, less N1's 7 and S1's 6 would give G1's 4 away, so S1's count is hidden too.
    data = view_data(render_view("network", with_n1()))
    s1 = dict(tuple(r) for r in notes_of(data, "S1") if len(r) == 2 and r[0])
    assert s1["Responses"] == "*" and "Mean rating" not in s1
    exact = view_data(render_view("network", graph(), suppress_small=False))
    s1 = dict(tuple(r) for r in notes_of(exact, "S1") if len(r) == 2 and r[0])
    assert s1["Responses"] == "6" and s1["Mean rating"] == "4.5"
    assert s1["Top themes"].startswith("Hope") and "Top barriers" in s1
    g1 = dict(tuple(r) for r in notes_of(data, "G1") if len(r) == 2 and r[0])
    assert g1["Responses"] == "*" and "Mean rating" not in g1 and "Top themes" not in g1
    modes = {m["key"]: m for m in data["colour_modes"]}
    assert {"rating", "responses", "kind", "domain"} <= set(modes)
    assert "theme:hope" not in modes  # only S1 names hope, and its count is hidden
    ids = data["nodes"]["id"]
    rating = dict(zip(ids, modes["rating"]["values"], strict=True))
    assert rating["S1"] is None and rating["G1"] is None  # hidden counts: not coloured
    sizes = {m["key"]: m for m in data["size_modes"]}
    responses = dict(zip(ids, sizes["feedback:responses"]["values"], strict=True))
    assert responses["S1"] == 2.5 and responses["G1"] == 2.5
    modes = {m["key"]: m for m in exact["colour_modes"]}
    rating = dict(zip(ids, modes["rating"]["values"], strict=True))
    assert rating["S1"] == 4.5
    hope = dict(zip(ids, modes["theme:hope"]["values"], strict=True))
    assert hope["S1"] == 1.0
    # link rating with 5 responses, in the link's details
    edge_notes = data["edge_notes"]
    assert any("Link rating" in json.dumps(rows) for rows in edge_notes.values())
    assert "4.0 (from 5 responses)" in json.dumps(edge_notes)


def test_index_bands_colour_districts(tmp_path):
    G = graph()
    data = view_data(render_view("network", G, index_bands={"DER": 1, "ERE": 5}))
    mode = data["colour_modes"][0]
    assert mode["key"] == "district_band" and mode["colours"] == list(BAND_COLOURS)
    assert mode["labels"][0] == "Band 1 (strongest)" and mode["labels"][4] == "Band 5 (weakest)"
    band = dict(zip(data["nodes"]["id"], mode["values"], strict=True))
    assert band["S1"] == 0 and band["S2"] == 4
    bands = dict(zip(data["lookup"]["district_ids"], data["district_bands"], strict=True))
    assert bands == {"DER": BAND_COLOURS[0], "ERE": BAND_COLOURS[4]}
    plain = view_data(render_view("network", G))
    assert "district_band" not in {m["key"] for m in plain["colour_modes"]}
    # write_views computes the bands (or skips them when the index cannot be computed)
    out = write_views(G, tmp_path, kinds=("network",))
    written = view_data(out["network"].read_text(encoding="utf-8"))
    assert written["colour_modes"][0]["key"] == "district_band"
    assert written["district_bands"] == [BAND_COLOURS[0], BAND_COLOURS[4]]
