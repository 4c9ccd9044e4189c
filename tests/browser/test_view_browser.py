"""The network view in a real (Debian) chromium: offline, no script injection, counts right."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from visualise.network import ILLUSTRATIVE_BANNER, write_network_view

pytestmark = pytest.mark.browser

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "</script><script>alert(2)</script>"
XSS_ATTR = '"><svg onload=alert(3)>'
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
def opened(page, view):
    """The view loaded and drawn, with every request, error and dialog recorded."""
    seen = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on(
        "console",
        lambda m: seen["errors"].append(m.text) if m.type in ("error", "assert") else None,
    )
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(view.as_uri())
    page.wait_for_function("() => window.network !== undefined", timeout=30_000)
    page.wait_for_selector('#gv-network[data-ready="true"]', state="attached", timeout=60_000)
    return page, seen


def _node_point(page, node_id):
    return page.evaluate(
        """(id) => {
            const p = network.canvasToDOM(network.getPositions([id])[id]);
            const r = document.getElementById('gv-network').getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y};
        }""",
        node_id,
    )


def _hover(page, x, y):
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=5)
    page.wait_for_function(
        """() => { const t = document.querySelector('div.vis-tooltip');
                   return t && t.style.visibility === 'visible' && t.textContent.length > 0; }""",
        timeout=5_000,
    )
    return page.locator("div.vis-tooltip")


def test_opens_offline_and_draws_every_node_and_edge(opened, graph, view, artifacts):
    page, seen = opened
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "network.png"))
    others = [u for u in seen["requests"] if u != view.as_uri() and not u.startswith("data:")]
    assert others == []
    assert seen["errors"] == []
    assert seen["dialogs"] == []
    counts = page.evaluate(
        "[network.body.data.nodes.length, network.body.data.edges.length,"
        " Object.keys(network.getPositions()).length]"
    )
    assert counts == [graph.number_of_nodes(), graph.number_of_edges(), graph.number_of_nodes()]
    box = page.locator("#gv-network")
    assert box.get_attribute("data-nodes") == str(graph.number_of_nodes())
    assert box.get_attribute("data-edges") == str(graph.number_of_edges())
    ids = page.evaluate("network.body.data.nodes.getIds()")
    assert sorted(ids) == sorted(graph.nodes)


def test_banner_and_legend_are_visible(opened):
    page, _ = opened
    assert page.locator("#gv-banner").inner_text() == ILLUSTRATIVE_BANNER
    legend = page.locator("#gv-legend")
    assert legend.is_visible()
    text = legend.inner_text()
    for expected in ("Specialist treatment provider", "Mutual-aid group", "Peer link", "2024-Q1"):
        assert expected in text
    # A hostile organisation/district name is shown as text, not parsed as markup.
    assert XSS_ATTR in page.locator("#gv-district").inner_text()
    assert page.locator("svg[onload], img, script[src], link[href]").count() == 0


def test_hover_shows_hostile_names_as_text(opened, artifacts):
    page, seen = opened
    for node_id, name in (("S-XSS1", XSS_IMG), ("S-XSS2", XSS_SCRIPT)):
        x, y = _node_point(page, node_id).values()
        tip = _hover(page, x, y)
        text = tip.text_content()
        assert name in text
        assert tip.locator("img, script, svg").count() == 0
        assert "Referrals out: " not in text  # rendered as a table, not raw lines
        if node_id == "S-XSS2":  # its only outgoing flow is 3 referrals
            assert tip.locator("tr", has_text="Referrals out").locator("td").inner_text() == "*"
            page.screenshot(path=str(artifacts / "network-tooltip.png"))
        page.mouse.move(2, 890)
    assert seen["dialogs"] == []
    assert seen["errors"] == []
    assert page.evaluate("document.querySelectorAll('img').length") == 0


def test_edge_tooltip_suppresses_small_counts(opened):
    page, _ = opened
    a = _node_point(page, "S-XSS2")
    b = _node_point(page, "S-XSS1")
    tip = _hover(page, (a["x"] + b["x"]) / 2, (a["y"] + b["y"]) / 2)
    rows = {
        r.locator("th").inner_text(): r.locator("td").inner_text()
        for r in tip.locator("tr").all()
        if r.locator("td").count()
    }
    assert rows["2024-Q1"] == "0"
    assert rows["2024-Q2"] == "*"
    assert rows["2024-Q3"] == "*"
    assert rows["Total referrals"] == "*"
    assert rows["Accepted"] == "*"


def test_click_pins_details_as_text(opened):
    page, seen = opened
    x, y = _node_point(page, "S-XSS1").values()
    page.mouse.click(x, y)
    detail = page.locator("#gv-detail")
    detail.wait_for(state="visible")
    assert XSS_IMG in detail.text_content()
    assert detail.locator("img").count() == 0
    assert seen["dialogs"] == []


def test_district_filter_hides_other_districts(opened, graph):
    page, _ = opened
    page.select_option("#gv-district", "DAL")
    shown = page.evaluate("gridVoices.nodes.get({filter: n => !n.hidden}).map(n => n.id)")
    expected = [n for n, d in graph.nodes(data=True) if "DAL" in d["districts"]]
    assert sorted(shown) == sorted(expected)
    edges = page.evaluate("gridVoices.edges.get({filter: e => !e.hidden}).length")
    assert edges == sum(1 for u, v in graph.edges if u in expected and v in expected)
    page.select_option("#gv-district", "")
    assert page.evaluate("gridVoices.nodes.get({filter: n => n.hidden}).length") == 0
