"""Barriers, isolation, aggregation of large graphs, and pictures, in a real chromium."""

from __future__ import annotations

import base64

import pytest
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.compact import AGGREGATE_ABOVE
from gridvoices.visualise.png import html_to_png
from gridvoices.visualise.views import write_view

from tests.browser.test_view_browser import (
    XSS_ATTR,
    XSS_IMG,
    ecosystem_graph,
    hover,
    node_point,
    png_facts,
    shown_ids,
    table,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def graph():
    return ecosystem_graph()


@pytest.fixture(scope="module")
def files(graph, tmp_path_factory):
    folder = tmp_path_factory.mktemp("views")
    common = {"illustrative": True, "source": "Invented test data (GRID Voices browser test)"}
    return {
        "barriers": write_view("barriers", graph, folder / "barriers.html", **common),
        "isolation": write_view("isolation", graph, folder / "isolation.html", **common),
        "aggregated": write_view(
            "network", graph, folder / "aggregated.html", aggregate_above=10, **common
        ),
    }


def plain_point(page, index):
    return page.evaluate(
        """(i) => {
            const p = network.canvasToDOM(network.getPositions([i])[i]);
            const r = document.getElementById('gv-network').getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y};
        }""",
        index,
    )


def test_barriers_view(open_view, files, graph, artifacts):
    opened = open_view(files["barriers"])
    page = opened.page
    page.wait_for_timeout(200)
    page.screenshot(path=str(artifacts / "barriers.png"))
    opened.assert_clean()
    assert opened.shown("nodes") == len(graph.graph["districts"])
    labels = page.evaluate("gridVoices.nodes.map(n => n.label)")
    assert f"Bolsover {XSS_ATTR}" in labels
    legend = page.locator("#gv-legend").text_content()
    assert "Barrier: below 0.1" in legend and "Inward-looking district" in legend
    # DER-ERE border: the two directions and the permeability in the tooltip.
    der, ere = labels.index("Derby City"), labels.index("Erewash")
    a, b = plain_point(page, der), plain_point(page, ere)
    rows = table(hover(page, (a["x"] + b["x"]) / 2, (a["y"] + b["y"]) / 2))
    assert rows["Borders each other"] == "Yes"
    assert "Permeability" in rows and "Expected ignoring the boundary" in rows
    page.mouse.move(700, 890)
    total = opened.shown("edges")
    page.select_option("#gv-links", "border")
    assert 0 < opened.shown("edges") < total
    page.select_option("#gv-links", "")
    assert opened.shown("edges") == total
    page.fill("#gv-search", "bolsover")
    assert page.locator("#gv-network").get_attribute("data-matches") == "1"
    assert page.locator("#gv-results button").inner_text() == f"Bolsover {XSS_ATTR}"
    url = page.evaluate("gridVoices.exportPng()")
    (artifacts / "barriers-export.png").write_bytes(base64.b64decode(url.split(",", 1)[1]))
    opened.assert_clean()


def test_isolation_view(open_view, files, graph, artifacts):
    opened = open_view(files["isolation"])
    page = opened.page
    page.wait_for_timeout(200)
    page.screenshot(path=str(artifacts / "isolation.png"))
    opened.assert_clean()
    assert opened.shown("nodes") == graph.number_of_nodes()
    legend = page.locator("#gv-legend").text_content()
    assert "Colour: Isolation finding" in legend and "No finding" in legend
    # S-OLD is inactive, so not flagged; S-HPK (High Peak) refers to a detached part.
    worst = page.evaluate(
        "gridVoices.model.modes.finding.values.map(v => v < 0 ? null :"
        " gridVoices.model.modes.finding.labels[v])"
    )
    flagged = {n: w for n, w in zip(graph.nodes, worst, strict=True) if w}
    assert flagged, "the test ecosystem has isolation findings"
    node = sorted(flagged)[0]
    x, y = node_point(page, node).values()
    page.mouse.click(x, y)
    detail = page.locator("#gv-detail")
    detail.wait_for(state="visible")
    assert "Findings" in detail.text_content()
    assert flagged[node] in detail.text_content()
    opened.assert_clean()


def test_aggregated_view_opens_districts_on_click(open_view, files, graph, artifacts):
    opened = open_view(files["aggregated"])
    page = opened.page
    opened.assert_clean()
    districts = {d["district"] for _, d in graph.nodes(data=True)}
    assert opened.shown("nodes") == len(districts)
    assert page.evaluate("gridVoices.nodes.getIds().every(i => typeof i === 'string')")
    page.screenshot(path=str(artifacts / "network-aggregated.png"))
    # Click Chesterfield: its members replace it, placed around where it was.
    che = page.evaluate("gridVoices.model.lk.district_ids.indexOf('CHE')")
    vid = f"D{che}"
    point = page.evaluate(
        """(id) => { const p = network.canvasToDOM(network.getPositions([id])[id]);
            const r = document.getElementById('gv-network').getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y}; }""",
        vid,
    )
    page.mouse.click(point["x"], point["y"])
    members = [n for n, d in graph.nodes(data=True) if d["district"] == "CHE"]
    assert sorted(shown_ids(page)) == sorted(members)
    assert opened.shown("nodes") == len(districts) - 1 + len(members)
    page.screenshot(path=str(artifacts / "network-aggregated-open.png"))
    # Search reaches a member of a closed district and opens it.
    page.fill("#gv-search", "matlock volunteering")
    page.press("#gv-search", "Enter")
    assert "S-VOL" in shown_ids(page)
    page.click("#gv-collapse")
    assert opened.shown("nodes") == len(districts)
    opened.assert_clean()


def test_aggregate_lines_use_the_published_block_flows(open_view, files):
    opened = open_view(files["aggregated"])
    page = opened.page
    flows = page.evaluate("gridVoices.data.aggregate.flows")
    shown = page.evaluate(
        """() => { const v = gridVoices.model.view, N = gridVoices.model.N;
            const out = {}; v.edges.forEach(x => { if (x.from >= N && x.to >= N)
              out[(x.from - N) + '>' + (x.to - N)] = [x.v, x.s]; }); return out; }"""
    )
    for a, b, v, s in flows:
        if a != b:
            assert shown[f"{a}>{b}"] == [v, s]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated ecosystem above the aggregation threshold (1,000 services)."""
    folder = tmp_path_factory.mktemp("generated")
    write_ecosystem(folder / "data", 1000, 10_000, seed=1)
    report, tables = validate_paths([folder / "data"])
    assert report.valid
    G = build_graph(tables)
    assert G.number_of_nodes() > AGGREGATE_ABOVE
    return G, write_view("network", G, folder / "network.html", illustrative=True)


def test_large_graph_opens_on_districts_and_expands(open_view, generated, artifacts):
    # How fast it is ready is benchmarks/views.py's business, not an assertion here.
    G, path = generated
    opened = open_view(path)
    opened.assert_clean()
    page = opened.page
    districts = {d["district"] for _, d in G.nodes(data=True)}
    assert opened.shown("nodes") == len(districts)
    assert page.locator("#gv-network").get_attribute("data-nodes") == str(G.number_of_nodes())
    page.screenshot(path=str(artifacts / "network-large.png"))
    page.evaluate("gridVoices.act('expand', gridVoices.model.N + 0)")
    assert opened.shown("nodes") > len(districts)
    page.select_option("#gv-period", "2")
    page.fill("#gv-search", "Service 1")
    assert int(page.locator("#gv-network").get_attribute("data-matches")) > 100
    opened.assert_clean()


def test_png_without_a_person(files, artifacts, tmp_path):
    out = html_to_png(files["barriers"], tmp_path / "barriers.png", scale=1)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    assert width == 1400 - 330 + 310  # the network area plus the legend column
    (artifacts / "barriers-cli.png").write_bytes(data)


def test_xss_name_in_search_results_is_text(open_view, files):
    opened = open_view(files["isolation"])
    page = opened.page
    page.fill("#gv-search", "onerror")
    texts = page.locator("#gv-results button").all_inner_texts()
    assert any(t.startswith(XSS_IMG) for t in texts)
    page.locator("#gv-results button").first.click()
    page.locator("#gv-detail").wait_for(state="visible")
    assert page.locator("img, svg").count() == 0
    opened.assert_clean()


def test_png_facts(open_view, files):
    opened = open_view(files["aggregated"])
    facts = png_facts(opened.page, opened.page.evaluate("gridVoices.exportPng()"))
    assert facts["corner"] == [255, 255, 255, 255]


def test_a_scale_colour_mode_for_future_views(open_view, graph, tmp_path, artifacts):
    """A view module can colour by a number (e.g. a contagion probability) with no new JS."""
    from gridvoices.visualise.compact import ecosystem_view
    from gridvoices.visualise.page import Meta, render_page, write_page

    values = [round(i / graph.number_of_nodes(), 3) for i in range(graph.number_of_nodes())]
    mode = {
        "key": "probability",
        "heading": "Chance of being reached",
        "type": "scale",
        "values": values,
        "min": 0,
        "max": 1,
        "stops": ["#f7fbff", "#6baed6", "#08306b"],
        "low": "Unlikely",
        "high": "Likely",
        "unknown": "#dde2e7",
    }
    for above in (None, 10):  # every node, and opening on districts
        view = ecosystem_view(
            "contagion",
            graph,
            colour_modes=[mode],
            colour_by="probability",
            aggregate_above=above,
        )
        path = write_page(render_page(view, Meta(title="Contagion (test)")), tmp_path / "c.html")
        opened = open_view(path)
        opened.assert_clean()
        legend = opened.page.locator("#gv-legend").text_content()
        assert "Colour: Chance of being reached" in legend and "Likely (1)" in legend
    opened.page.screenshot(path=str(artifacts / "scale-mode.png"))


def test_big_district_opens_into_organisations_first(open_view, graph, tmp_path, monkeypatch):
    from gridvoices.visualise import compact

    monkeypatch.setattr(compact, "EXPAND_LIMIT", 3)
    path = write_view("network", graph, tmp_path / "orgs.html", aggregate_above=10)
    opened = open_view(path)
    page = opened.page
    der = page.evaluate("gridVoices.model.lk.district_ids.indexOf('DER')")
    before = opened.shown("nodes")
    page.evaluate(f"gridVoices.act('expand', gridVoices.model.N + {der})")
    orgs = {d["organisation"] for _, d in graph.nodes(data=True) if d["district"] == "DER"}
    assert opened.shown("nodes") == before - 1 + len(orgs)
    ids = page.evaluate("gridVoices.nodes.getIds().filter(i => String(i).startsWith('O'))")
    assert len(ids) == len(orgs)
    names = page.evaluate("(ids) => ids.map(i => gridVoices.nodes.get(i).label)", ids)
    assert any(n.startswith("Derbyshire Recovery Partnership · Derby City") for n in names)
    page.evaluate(f"gridVoices.act('expand', gridVoices.model.codeOf('{ids[0]}'))")
    assert opened.shown("nodes") > before - 1 + len(orgs) - 1
    opened.assert_clean()


def test_contagion_view(open_view, tmp_path, artifacts):
    from tests.unit.test_view_contagion import graph as contagion_graph

    G = contagion_graph()
    path = write_view(
        "contagion", G, tmp_path / "contagion.html", illustrative=True, source="Test", runs=200
    )
    opened = open_view(path)
    page = opened.page
    page.wait_for_timeout(200)
    page.screenshot(path=str(artifacts / "contagion.png"))
    opened.assert_clean()
    legend = page.locator("#gv-legend").text_content()
    assert "Colour: Activation probability" in legend and "Suggested new link" in legend
    assert "Illustrative data" in page.locator("body").text_content()
    everything = opened.shown("nodes")
    assert everything == G.number_of_nodes()
    suggested = page.evaluate("gridVoices.edges.get().filter(e => e.label === 'suggested').length")
    assert suggested >= 1
    # Step 0: the seeds only; each later step shows at least as many.
    page.fill("#gv-step", "0")
    seeds = opened.shown("nodes")
    assert 0 < seeds < everything
    assert "step 0" in page.locator("#gv-step-out").text_content()
    page.fill("#gv-step", "1")
    assert seeds < opened.shown("nodes") < everything
    page.fill("#gv-step", page.get_attribute("#gv-step", "max"))
    assert opened.shown("nodes") == everything
    assert page.locator("#gv-step-out").text_content() == "all nodes"
    opened.assert_clean()


def test_network_feedback_comments_are_text(open_view, tmp_path, artifacts):
    from tests.unit.test_view_voices import COMMENT
    from tests.unit.test_view_voices import graph as voices_graph

    G = voices_graph()
    for f in G.graph["feedback"]:
        if f.get("comment") and f["about"] == "S1":
            f["comment"] = XSS_IMG  # every S1 comment is hostile
    G.graph["feedback"].append(dict(G.graph["feedback"][1], comment=COMMENT))
    # Six responses about N1 (Derby City too): the district total then needs a complement
    # other than S1 to keep G1's 4 hidden, and N1's 6 is the cheaper one.
    about_n1 = {"about": "N1", "about_to": None, "period": "2024-Q1", "rating": 3}
    G.graph["feedback"] += [dict(about_n1, chime=[], barrier=[]) for _ in range(6)]
    path = write_view(
        "network",
        G,
        tmp_path / "voices.html",
        illustrative=True,
        show_comments=True,
        index_bands={"DER": 1, "ERE": 5},
    )
    opened = open_view(path)
    page = opened.page
    page.wait_for_timeout(200)
    opened.assert_clean()
    x, y = node_point(page, "S1").values()
    page.mouse.click(x, y)
    detail = page.locator("#gv-detail")
    detail.wait_for(state="visible")
    text = detail.text_content()
    assert "Comments" in text and XSS_IMG in text and "Mean rating" in text
    assert detail.locator("img, svg, b").count() == 0
    page.screenshot(path=str(artifacts / "network-voices.png"))
    # colour by feedback and by district band: legend follows, no errors
    page.select_option("#gv-colour", "rating")
    assert "Colour: Feedback: mean rating" in page.locator("#gv-legend").text_content()
    page.select_option("#gv-colour", "district_band")
    legend = page.locator("#gv-legend").text_content()
    assert "Band 1 (strongest)" in legend and "Band 5 (weakest)" in legend
    page.select_option("#gv-size", "feedback:responses")
    page.wait_for_timeout(100)
    page.screenshot(path=str(artifacts / "network-bands.png"))
    assert page.evaluate("window.__pwned === undefined")
    opened.assert_clean()
