"""The network view file: offline, escaped, suppressed, deterministic."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest

from visualise import network
from visualise.html import external_references, json_for_script, script_hash
from visualise.network import ILLUSTRATIVE_BANNER, render_network_view, write_network_view

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "</script><script>alert(2)</script>"
XSS_DISTRICT = 'Erewash <b>bold</b> & "quoted"'


def tiny_graph() -> nx.DiGraph:
    G = nx.DiGraph()
    G.graph.update(
        districts={
            "DER": {"name": "Derby City", "borders": ["ERE"]},
            "ERE": {"name": XSS_DISTRICT, "borders": ["DER"]},
        },
        organisations={
            "ORG1": {"name": "Recovery & Co", "kind": "treatment", "commissioned": True},
            "ORG2": {"name": XSS_IMG, "kind": "community", "commissioned": False},
        },
        periods=["2024-Q1", "2024-Q2"],
        all_periods=["2024-Q1", "2024-Q2"],
    )
    service = dict(type="Service", chime=["hope"], lived_experience_led=False, active=True)
    G.add_node(
        "S1",
        **service,
        name=XSS_IMG,
        district="DER",
        districts=["DER"],
        organisation="ORG1",
        org_kind="treatment",
        domain="specialist_treatment",
    )
    G.add_node(
        "S2",
        **{**service, "active": False},
        name=XSS_SCRIPT,
        district="ERE",
        districts=["ERE", "DER"],
        organisation="ORG2",
        org_kind="community",
        domain="activities",
    )
    G.add_node(
        "G1",
        type="Group",
        name="AA Derby",
        district="DER",
        districts=["DER"],
        organisation=None,
        org_kind="mutual_aid",
        domain="twelve_step",
        fellowship="AA",
        cadence="weekly",
        lived_experience_led=True,
        active=True,
    )
    G.add_node(
        "N1",
        type="Navigator",
        name="N1",
        role="peer_mentor",
        lived_experience=True,
        based_at="S1",
        district="DER",
        districts=["DER"],
        organisation="ORG1",
        org_kind="treatment",
        domain="recovery_coaching",
        lived_experience_led=True,
        active=True,
    )
    # S1 -> G1: 3 + 9 = 12 (2024-Q1 small); S2 -> S1: 2 in one period (all small).
    G.add_edge("S1", "G1", referrals=12, accepted=4, by_period={"2024-Q1": 3, "2024-Q2": 9})
    G.add_edge("S2", "S1", referrals=2, accepted=None, by_period={"2024-Q2": 2})
    G.add_edge(
        "N1", "G1", referrals=0, accepted=None, by_period={}, peer_kind="attends", strength=0.5
    )
    return G


class _Page(HTMLParser):
    """Script/link/style elements, every src/href, and the text of each script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in_script = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    p.close()
    return p


def view_data(page: str) -> dict:
    (block,) = [t for a, t in parse(page).scripts if a.get("id") == "gv-data"]
    return json.loads(block)


@pytest.fixture
def page(tmp_path) -> str:
    out = write_network_view(
        tiny_graph(), tmp_path / "sub" / "view.html", illustrative=True, source="Test & source"
    )
    assert out == tmp_path / "sub" / "view.html"
    return out.read_text(encoding="utf-8")


def test_no_external_scripts_or_stylesheets(page):
    parsed = parse(page)
    for tag, attrs in parsed.tags:
        for name in ("src", "href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http://", "https://", "//")), (tag, attrs)
        if tag in ("script", "link"):
            assert "src" not in attrs and "href" not in attrs, (tag, attrs)
    assert not re.search(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert external_references(page) == []
    assert "bootstrap" not in page.lower()
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page


def test_vis_network_is_inlined_and_allowed_by_the_policy(page):
    parsed = parse(page)
    code = [t for a, t in parsed.scripts if a.get("type") != "application/json"]
    assert len(code) == 2
    assert any("vis-network" in t and len(t) > 100_000 for t in code)
    (csp,) = [
        a["content"]
        for t, a in parsed.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    for text in code:
        assert script_hash(text) in csp


def test_hostile_strings_never_appear_raw(page):
    for raw in (XSS_IMG, XSS_SCRIPT, "<script>alert(2)", "<img src=x", "<b>bold</b>"):
        assert raw not in page
    parsed = parse(page)
    assert [t for t, _ in parsed.tags if t == "img"] == []
    assert len(parsed.scripts) == 3  # data, vis-network, the page's own code
    block = [t for a, t in parsed.scripts if a.get("id") == "gv-data"][0]
    assert "<" not in block and ">" not in block and "&" not in block
    # Legend text (district filter, source) is HTML-escaped.
    assert "Erewash &lt;b&gt;bold&lt;/b&gt; &amp; &#34;quoted&#34;" in page
    assert "Test &amp; source" in page


def test_hostile_strings_survive_as_data(page):
    data = view_data(page)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["S1"] == XSS_IMG
    assert labels["S2"] == XSS_SCRIPT
    titles = {n["id"]: n["title"] for n in data["nodes"]}
    assert titles["S1"].splitlines()[0] == XSS_IMG
    assert f"Organisation: {XSS_IMG}" in titles["S2"]
    assert f"Districts: {XSS_DISTRICT}, Derby City" in titles["S2"]


def test_all_nodes_and_edges_present(page):
    G = tiny_graph()
    data = view_data(page)
    assert sorted(n["id"] for n in data["nodes"]) == sorted(G.nodes)
    assert sorted((e["from"], e["to"]) for e in data["edges"]) == sorted(G.edges)
    assert f'data-nodes="{G.number_of_nodes()}"' in page
    assert f'data-edges="{G.number_of_edges()}"' in page
    shapes = {n["id"]: n["shape"] for n in data["nodes"]}
    assert shapes == {"S1": "dot", "S2": "dot", "G1": "triangle", "N1": "diamond"}


def test_small_counts_are_suppressed_in_titles(page):
    data = view_data(page)
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    big = edges["S1", "G1"]["title"].splitlines()
    assert "2024-Q1: *" in big
    assert "2024-Q2: 9" in big
    assert "Total referrals: 12" in big
    assert "Accepted: *" in big
    small = edges["S2", "S1"]["title"].splitlines()
    assert "2024-Q1: 0" in small
    assert "2024-Q2: *" in small
    assert "Total referrals: *" in small
    assert not any(line.endswith((": 2", ": 3", ": 4")) for line in big + small)
    nodes = {n["id"]: n["title"].splitlines() for n in data["nodes"]}
    assert "Referrals in: *" in nodes["S1"]
    assert "Referrals out: 12" in nodes["S1"]
    assert "Referrals out: *" in nodes["S2"]
    # Drawing sizes must not single out the suppressed counts either.
    assert edges["S2", "S1"]["width"] == pytest.approx(
        network._scaled(5, 12, network.MIN_EDGE + 0.5, network.MAX_EDGE)
    )


def test_unsuppressed_view_shows_counts_and_warns():
    page = render_network_view(tiny_graph(), suppress_small=False)
    data = view_data(page)
    titles = "\n".join(e["title"] for e in data["edges"])
    assert "2024-Q1: 3" in titles and "Total referrals: 2" in titles
    assert "*" not in titles
    assert "NOT suppressed" in page


def test_peer_links_and_inactive_services_are_styled(page):
    data = view_data(page)
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert edges["N1", "G1"]["dashes"]
    assert "Peer link: Attends (strength 0.5)" in edges["N1", "G1"]["title"]
    assert not edges["S1", "G1"].get("dashes")
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["S2"]["shapeProperties"]["borderDashes"]
    assert nodes["S2"]["color"]["background"] == network.INACTIVE["background"]
    assert "Active: No" in nodes["S2"]["title"]
    assert nodes["S1"]["size"] > nodes["N1"]["size"]


def test_legend_and_banner(page):
    assert 'id="gv-legend"' in page
    assert ILLUSTRATIVE_BANNER in page
    assert 'id="gv-banner"' in page
    for label in (
        "Specialist treatment provider",
        "Mutual-aid fellowship",
        "Inactive service",
        "Mutual-aid group",
        "Peer link",
        "Referrals (width: volume)",
    ):
        assert label in page
    assert "2024-Q1, 2024-Q2" in page
    assert "Counts of 1–4 are shown as *" in page
    plain = render_network_view(tiny_graph(), periods_label="Jan–Jun 2024")
    assert ILLUSTRATIVE_BANNER not in plain
    assert "Jan–Jun 2024" in plain


def test_colour_by_domain():
    page = render_network_view(tiny_graph(), colour_by="domain")
    assert "Colour: Recovery domain" in page
    assert "12-step groups" in page
    nodes = {n["id"]: n for n in view_data(page)["nodes"]}
    assert nodes["G1"]["color"]["background"] == network.DOMAIN_COLOURS["twelve_step"]
    with pytest.raises(ValueError):
        render_network_view(tiny_graph(), colour_by="shape")


def test_title_is_escaped():
    page = render_network_view(tiny_graph(), title=XSS_SCRIPT)
    assert XSS_SCRIPT not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_output_is_deterministic(tmp_path):
    a = write_network_view(tiny_graph(), tmp_path / "a.html").read_bytes()
    b = write_network_view(tiny_graph(), tmp_path / "b.html").read_bytes()
    assert a == b


def test_small_graph_uses_physics_and_large_graph_fixed_positions(monkeypatch):
    small = view_data(render_network_view(tiny_graph()))
    assert small["options"]["physics"]["enabled"] is True
    assert small["options"]["physics"]["stabilization"]["iterations"] <= 200
    monkeypatch.setattr(network, "LARGE_GRAPH", 3)
    large = view_data(render_network_view(tiny_graph()))
    assert large["options"]["physics"]["enabled"] is False
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in large["nodes"])


def test_empty_graph():
    page = render_network_view(nx.DiGraph())
    assert 'data-nodes="0"' in page
    assert view_data(page)["nodes"] == []


def test_json_for_script_round_trips():
    value = {"a": XSS_SCRIPT, "b": "x & y > z \u2028"}
    text = json_for_script(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value
