"""The network view in a real (Debian) chromium: offline, no script injection, counts right."""

from __future__ import annotations

import base64
import random

import networkx as nx
import pytest
from gridvoices.visualise.counts import HIDDEN, Mask, fmt_shown, shown_sum
from gridvoices.visualise.network import ILLUSTRATIVE_BANNER, write_network_view

pytestmark = pytest.mark.browser

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "</script><script>alert(2)</script>"
XSS_ATTR = '"><svg onload=alert(3)>'
XSS_PWN = '<img src=x onerror="window.__pwned=1">'
PERIODS = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]

DISTRICTS = {
    "DER": "Derby City",
    "AMB": "Amber Valley",
    "CHE": "Chesterfield",
    "DAL": "Derbyshire Dales",
    "ERE": "Erewash",
    "HPK": "High Peak",
    "BOL": f"Bolsover {XSS_ATTR}",
}
ORGS = {
    "ORG-TX": ("Derbyshire Recovery Partnership", "treatment"),
    "ORG-CAFE": ("Recovery Café Network", "community"),
    "ORG-NHS": ("Derbyshire Healthcare NHS FT", "nhs"),
    "ORG-CC": ("Derbyshire County Council", "council"),
    "ORG-HSG": ("Erewash Housing Options", "housing"),
    "ORG-WORK": ("Pathways to Work", "employment"),
    "ORG-COL": ("Derby College", "education"),
    "ORG-PROB": ("Probation Service East Midlands", "criminal_justice"),
    "ORG-EVIL": (XSS_ATTR, "other"),
}
# id, name, organisation, districts, domain, chime, lived-experience led, active
SERVICES = [
    ("S-DRH", "Derby Recovery Hub", "ORG-TX", ["DER"], "specialist_treatment", ["hope"], 0, 1),
    (
        "S-CHX",
        "Chesterfield Drug & Alcohol Service",
        "ORG-TX",
        ["CHE", "BOL"],
        "specialist_treatment",
        ["hope", "empowerment"],
        0,
        1,
    ),
    ("S-HPK", "High Peak Recovery Service", "ORG-TX", ["HPK"], "specialist_treatment", [], 0, 1),
    ("S-CAFE1", "Belper Recovery Café", "ORG-CAFE", ["AMB"], "activities", ["connection"], 1, 1),
    ("S-CAFE2", "Ilkeston Recovery Café", "ORG-CAFE", ["ERE"], "activities", ["connection"], 1, 1),
    (
        "S-WALK",
        "Peak Walking for Recovery",
        "ORG-CAFE",
        ["HPK", "DAL"],
        "activities",
        ["connection", "meaning"],
        1,
        1,
    ),
    (
        "S-VOL",
        "Matlock Volunteering Project",
        "ORG-CAFE",
        ["DAL"],
        "volunteering",
        ["meaning", "identity"],
        1,
        1,
    ),
    ("S-MH", "Dual Diagnosis Team", "ORG-NHS", ["DER", "AMB"], "wraparound", [], 0, 1),
    (
        "S-ASC",
        "Adult Social Care Front Door",
        "ORG-CC",
        ["DER", "AMB", "CHE"],
        "wraparound",
        [],
        0,
        1,
    ),
    ("S-HSG", "Housing Options & Tenancy Support", "ORG-HSG", ["ERE"], "linkage", [], 0, 1),
    ("S-WORK", "Recovery into Work", "ORG-WORK", ["DER", "ERE"], "linkage", ["empowerment"], 0, 1),
    (
        "S-COL",
        "Recovery Learning Programme",
        "ORG-COL",
        ["DER"],
        "growth_pathways",
        ["identity", "hope"],
        0,
        1,
    ),
    (
        "S-PROB",
        "Probation Substance Misuse Pathway",
        "ORG-PROB",
        ["DER", "CHE"],
        "wraparound",
        [],
        0,
        1,
    ),
    ("S-OLD", "Swadlincote Drop-in (closed)", "ORG-CAFE", ["DER"], "activities", [], 1, 0),
    ("S-XSS1", XSS_IMG, "ORG-EVIL", ["BOL"], "recovery_coaching", ["hope"], 1, 1),
    ("S-XSS2", XSS_SCRIPT, "ORG-EVIL", ["CHE"], "peer_mutual_aid", [], 1, 1),
    ("S-XSS3", XSS_PWN, "ORG-EVIL", ["BOL"], "recovery_coaching", [], 1, 1),
]
# id, name, district, fellowship
GROUPS = [
    ("G-AA-DER", "AA Derby Tuesday", "DER", "AA"),
    ("G-NA-CHE", "NA Chesterfield", "CHE", "NA"),
    ("G-CA-DER", "CA Derby", "DER", "CA"),
    ("G-SMART-HPK", "SMART Buxton", "HPK", "SMART"),
    ("G-ALANON-AMB", "Al-Anon Belper", "AMB", "Al-Anon"),
    ("G-AA-DAL", "AA Matlock", "DAL", "AA"),
]
# id, role, based at, lived experience
NAVIGATORS = [
    ("NAV-01", "navigator", "S-DRH", 1),
    ("NAV-02", "peer_mentor", "S-CAFE1", 1),
    ("NAV-03", "coach", "S-CHX", 0),
    ("NAV-04", "peer_mentor", "S-WALK", 1),
]


def ecosystem_graph() -> nx.DiGraph:
    """An invented Derbyshire-like ecosystem shaped like queries.graph.build_graph's output."""
    rnd = random.Random(7)
    G = nx.DiGraph()
    G.graph.update(
        districts={k: {"name": v, "borders": []} for k, v in DISTRICTS.items()},
        borders={frozenset(p) for p in [("DER", "AMB"), ("DER", "ERE"), ("AMB", "CHE")]},
        organisations={
            k: {"name": n, "kind": kind, "commissioned": True} for k, (n, kind) in ORGS.items()
        },
        periods=PERIODS,
        all_periods=PERIODS,
    )
    for sid, name, org, districts, domain, chime, le, active in SERVICES:
        G.add_node(
            sid,
            type="Service",
            name=name,
            districts=districts,
            district=districts[0],
            organisation=org,
            org_kind=ORGS[org][1],
            domain=domain,
            chime=chime,
            lived_experience_led=bool(le),
            active=bool(active),
        )
    fellowship_domain = {"AA": "twelve_step", "NA": "twelve_step", "CA": "twelve_step"}
    for gid, name, district, fellowship in GROUPS:
        G.add_node(
            gid,
            type="Group",
            name=name,
            districts=[district],
            district=district,
            organisation=None,
            org_kind="mutual_aid",
            domain=fellowship_domain.get(fellowship, "peer_mutual_aid"),
            fellowship=fellowship,
            cadence="weekly",
            lived_experience_led=True,
            active=True,
        )
    for nid, role, base, le in NAVIGATORS:
        G.add_node(
            nid,
            type="Navigator",
            name=nid,
            role=role,
            lived_experience=bool(le),
            based_at=base,
            district=G.nodes[base]["district"],
            districts=[G.nodes[base]["district"]],
            organisation=G.nodes[base]["organisation"],
            org_kind=G.nodes[base]["org_kind"],
            domain="recovery_coaching",
            lived_experience_led=bool(le),
            active=True,
        )

    def refer(u, v, scale):
        by_period = {}
        for p in PERIODS:
            count = max(0, int(rnd.gauss(scale, scale / 2)))
            if count:
                by_period[p] = count
        if by_period:
            G.add_edge(u, v, referrals=sum(by_period.values()), accepted=None, by_period=by_period)

    hubs = ["S-DRH", "S-CHX", "S-HPK"]
    community = [s[0] for s in SERVICES if s[0] not in hubs and s[0] != "S-OLD"]
    for hub in hubs:
        for target in rnd.sample(community, 6):
            refer(hub, target, rnd.choice([2, 6, 15]))
        for gid, *_ in rnd.sample(GROUPS, 3):
            refer(hub, gid, rnd.choice([3, 10]))
    for u, v in [
        ("S-MH", "S-DRH"),
        ("S-PROB", "S-DRH"),
        ("S-PROB", "S-CHX"),
        ("S-ASC", "S-DRH"),
        ("S-CAFE1", "S-VOL"),
        ("S-VOL", "S-COL"),
        ("S-WORK", "S-COL"),
        ("S-DRH", "S-MH"),
        ("S-OLD", "S-DRH"),
        ("S-HSG", "S-CAFE2"),
        ("S-CAFE2", "G-ALANON-AMB"),
    ]:
        refer(u, v, 8)
    # Small, exactly known flows: both must show as "*" per period and in total.
    G.add_edge("S-XSS2", "S-XSS1", referrals=3, accepted=1, by_period={"2024-Q2": 2, "2024-Q3": 1})
    G.add_edge("S-XSS1", "G-NA-CHE", referrals=9, accepted=None, by_period={"2024-Q1": 9})
    for nid, _role, base, _le in NAVIGATORS:
        G.add_edge(nid, base, referrals=0, accepted=None, by_period={}, peer_kind="links_with")
    G.add_edge(
        "NAV-02",
        "G-ALANON-AMB",
        referrals=0,
        accepted=None,
        by_period={},
        peer_kind="attends",
        strength=0.7,
    )
    G.add_edge(
        "NAV-04",
        "G-SMART-HPK",
        referrals=0,
        accepted=None,
        by_period={},
        peer_kind="mentors_at",
        strength=1.0,
    )
    return G


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    return ecosystem_graph()


@pytest.fixture(scope="module")
def view(graph, tmp_path_factory):
    return write_network_view(
        graph,
        tmp_path_factory.mktemp("view") / "network.html",
        illustrative=True,
        source="Invented test data (GRID Voices browser test)",
    )


@pytest.fixture
def opened(open_view, view):
    return open_view(view)


def node_point(page, node_id):
    """Where a node (by graph id) is on the screen."""
    return page.evaluate(
        """(id) => {
            const m = gridVoices.model, i = m.n.id.indexOf(id), vid = m.visId(i);
            const p = network.canvasToDOM(network.getPositions([vid])[vid]);
            const r = document.getElementById('gv-network').getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y};
        }""",
        node_id,
    )


def hover(page, x, y):
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=5)
    page.wait_for_function(
        "() => { const t = document.getElementById('gv-tooltip');"
        " return !t.hidden && t.textContent.length > 0; }",
        timeout=5_000,
    )
    return page.locator("#gv-tooltip")


def table(locator) -> dict:
    return {
        r.locator("th").inner_text(): r.locator("td").inner_text()
        for r in locator.locator("tr").all()
        if r.locator("td").count() and r.locator("th").count()
    }


def shown_ids(page, hidden=False) -> list:
    return page.evaluate(
        "gridVoices.nodes.getIds().filter(i => typeof i === 'number')"
        ".map(i => gridVoices.model.n.id[i])"
    )


def test_opens_offline_and_draws_every_node_and_edge(opened, graph, artifacts):
    page = opened.page
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "network.png"))
    opened.assert_clean()
    assert page.evaluate("[gridVoices.nodes.length, gridVoices.edges.length]") == [
        graph.number_of_nodes(),
        graph.number_of_edges(),
    ]
    assert opened.shown("nodes") == graph.number_of_nodes()
    assert opened.shown("edges") == graph.number_of_edges()
    box = page.locator("#gv-network")
    assert box.get_attribute("data-nodes") == str(graph.number_of_nodes())
    assert box.get_attribute("data-edges") == str(graph.number_of_edges())
    assert sorted(shown_ids(page)) == sorted(graph.nodes)


def test_banner_and_legend_are_visible(opened):
    page = opened.page
    assert page.locator("#gv-banner").inner_text() == ILLUSTRATIVE_BANNER
    side = page.locator("#gv-side")
    assert side.is_visible()
    text = side.inner_text()
    for expected in (
        "Specialist treatment provider",
        "Mutual-aid group",
        "Peer link",
        "2024-Q1",
        "Shaded circle: a district",
        "Inactive service",
    ):
        assert expected in text
    # A hostile organisation/district name is shown as text, not parsed as markup.
    assert XSS_ATTR in page.locator("#gv-district").inner_text()
    assert page.locator("svg[onload], img, script[src], link[href]").count() == 0
    opened.assert_clean()


def test_hover_shows_hostile_names_as_text(opened, artifacts):
    page = opened.page
    for node_id, name in (("S-XSS1", XSS_IMG), ("S-XSS2", XSS_SCRIPT), ("S-XSS3", XSS_PWN)):
        x, y = node_point(page, node_id).values()
        tip = hover(page, x, y)
        assert tip.locator(".gv-tip-title").text_content() == name
        assert tip.locator("img, script, svg").count() == 0
        if node_id == "S-XSS2":  # its only outgoing flow is 3 referrals
            assert table(tip)["Referrals out"] == "*"
            page.screenshot(path=str(artifacts / "network-tooltip.png"))
        page.mouse.move(700, 890)
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    opened.assert_clean()


def test_edge_tooltip_suppresses_small_counts(opened):
    page = opened.page
    a = node_point(page, "S-XSS2")
    b = node_point(page, "S-XSS1")
    tip = hover(page, (a["x"] + b["x"]) / 2, (a["y"] + b["y"]) / 2)
    rows = table(tip)
    assert rows["2024-Q1"] == "0"
    assert rows["2024-Q2"] == "*"
    assert rows["2024-Q3"] == "*"
    assert rows["Total referrals"] == "*"
    assert rows["Accepted"] == "*"


def test_click_pins_details_as_text(opened):
    page = opened.page
    x, y = node_point(page, "S-XSS1").values()
    page.mouse.click(x, y)
    detail = page.locator("#gv-detail")
    detail.wait_for(state="visible")
    assert detail.locator(".gv-tip-title").text_content() == XSS_IMG
    assert table(detail)["Organisation"] == XSS_ATTR
    assert detail.locator("img, svg").count() == 0
    opened.assert_clean()


def test_district_filter_hides_other_districts(opened, graph):
    page = opened.page
    index = page.evaluate("gridVoices.model.lk.district_ids.indexOf('DAL')")
    page.select_option("#gv-district", str(index))
    expected = [n for n, d in graph.nodes(data=True) if "DAL" in d["districts"]]
    assert sorted(shown_ids(page)) == sorted(expected)
    assert opened.shown("edges") == sum(
        1 for u, v in graph.edges if u in expected and v in expected
    )
    page.select_option("#gv-district", "")
    assert opened.shown("nodes") == graph.number_of_nodes()


def test_period_filter_hides_empty_links_and_recomputes_volumes(opened, graph):
    page = opened.page
    page.select_option("#gv-period", "0")  # 2024-Q1
    expected = sum(
        1 for *_, d in graph.edges(data=True) if d["by_period"].get("2024-Q1") or d.get("peer_kind")
    )
    assert opened.shown("edges") == expected < graph.number_of_edges()
    assert opened.shown("nodes") == graph.number_of_nodes()
    mask = Mask(graph, True)
    for period, index in (("2024-Q1", "0"), ("2024-Q2", "1")):
        page.select_option("#gv-period", index)
        x, y = node_point(page, "S-XSS1").values()
        rows = table(hover(page, x, y))
        for edges, key in ((graph.in_edges, "in"), (graph.out_edges, "out")):
            # Hidden as the disclosure layer hides them: 1-4, and complements.
            cells = [
                mask.row(u, v, [d["by_period"].get(period, 0)], [period])[0]
                for u, v, d in edges("S-XSS1", data=True)
            ]
            shown = shown_sum((0, 1) if c == HIDDEN else (c, 0) for c in cells)
            assert rows[f"Referrals {key} ({period})"] == fmt_shown(shown)
        page.mouse.move(700, 890)
    assert rows["Referrals out (2024-Q2)"] == "0"  # its 9 referrals were all in 2024-Q1


def test_kind_and_domain_filters(opened, graph):
    page = opened.page
    kind = page.evaluate("gridVoices.model.modes.kind.labels.indexOf('Mutual-aid fellowship')")
    page.select_option("#gv-kind", str(kind))
    assert sorted(shown_ids(page)) == sorted(
        n for n, d in graph.nodes(data=True) if d["org_kind"] == "mutual_aid"
    )
    page.select_option("#gv-kind", "")
    domain = page.evaluate("gridVoices.model.lk.domains.indexOf('Volunteering')")
    page.select_option("#gv-domain", str(domain))
    assert shown_ids(page) == ["S-VOL"]


def test_search_highlights_and_goes_to_matches(opened):
    page = opened.page
    page.fill("#gv-search", "café")
    assert page.locator("#gv-network").get_attribute("data-matches") == "2"
    results = page.locator("#gv-results button")
    assert sorted(results.all_inner_texts()) == [
        "Belper Recovery Café · Amber Valley",
        "Ilkeston Recovery Café · Erewash",
    ]
    dimmed = page.evaluate("gridVoices.nodes.get({filter: n => n.opacity < 1}).length")
    assert dimmed == page.evaluate("gridVoices.nodes.length") - 2
    page.fill("#gv-search", "<img")
    assert page.locator("#gv-network").get_attribute("data-matches") == "2"
    assert XSS_IMG + " · " + f"Bolsover {XSS_ATTR}" in results.all_inner_texts()
    page.press("#gv-search", "Enter")
    page.locator("#gv-detail").wait_for(state="visible")
    assert page.locator("#gv-detail .gv-tip-title").text_content() in (XSS_IMG, XSS_PWN)
    page.fill("#gv-search", "")
    assert page.evaluate("gridVoices.nodes.get({filter: n => n.opacity < 1}).length") == 0
    opened.assert_clean()


def test_colour_and_size_can_be_switched(opened):
    page = opened.page
    hub = "gridVoices.nodes.get(gridVoices.model.n.id.indexOf('S-DRH'))"
    assert page.evaluate(hub + ".color.background") == "#4e79a7"  # treatment
    page.select_option("#gv-colour", "domain")
    assert page.evaluate(hub + ".color.background") == "#4e79a7"  # specialist treatment
    cafe = "gridVoices.nodes.get(gridVoices.model.n.id.indexOf('S-CAFE1'))"
    assert page.evaluate(cafe + ".color.background") == "#edc948"  # activities
    assert "Colour: Recovery domain" in page.locator("#gv-legend").text_content()
    sizes = "gridVoices.nodes.map(n => n.size)"
    before = page.evaluate(sizes)
    page.select_option("#gv-size", "degree")
    assert page.evaluate(sizes) != before
    assert "Size: Links (distinct partners shown)" in page.locator("#gv-legend").text_content()


def test_focus_on_a_neighbourhood(opened, graph):
    page = opened.page
    x, y = node_point(page, "S-CAFE1").values()
    page.mouse.click(x, y)
    page.click("#gv-detail-actions button[data-action=focus1]")
    near = {"S-CAFE1"} | set(graph.successors("S-CAFE1")) | set(graph.predecessors("S-CAFE1"))
    assert set(shown_ids(page)) == near
    assert page.locator("#gv-focus").is_visible()
    page.click("#gv-detail-actions button[data-action=focus2]")
    two = set(near)
    for n in near:
        two |= set(graph.successors(n)) | set(graph.predecessors(n))
    assert set(shown_ids(page)) == two
    page.click("#gv-focus-clear")
    assert opened.shown("nodes") == graph.number_of_nodes()


def png_facts(page, url: str) -> dict:
    return page.evaluate(
        """async (url) => {
            const img = new Image(); img.src = url; await img.decode();
            const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
            const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
            return {w: img.width, h: img.height,
                    corner: Array.from(ctx.getImageData(2, 2, 1, 1).data)};
        }""",
        url,
    )


def test_save_as_png(opened, artifacts):
    page = opened.page
    url = page.evaluate("gridVoices.exportPng()")
    assert url.startswith("data:image/png;base64,")
    facts = png_facts(page, url)
    assert facts["corner"] == [255, 255, 255, 255]  # white, not transparent
    assert facts["w"] > page.locator("#gv-network").bounding_box()["width"]  # legend drawn in
    (artifacts / "network-export.png").write_bytes(base64.b64decode(url.split(",", 1)[1]))
    with page.expect_download() as download:
        page.click("#gv-png")
    assert download.value.suggested_filename == "gridvoices-network.png"
    opened.assert_clean()
