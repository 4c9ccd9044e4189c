"""The network view file: offline, escaped, suppressed, deterministic, scalable."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest
from gridvoices.visualise import compact
from gridvoices.visualise.html import external_references, json_for_script, script_hash
from gridvoices.visualise.network import (
    ILLUSTRATIVE_BANNER,
    render_network_view,
    write_network_view,
)
from gridvoices.visualise.page import SCRIPTS

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


def columns(data: dict) -> dict:
    """Node columns keyed by node id: {id: {column: value}}."""
    n = data["nodes"]
    keys = [k for k, v in n.items() if isinstance(v, list)]
    return {n["id"][i]: {k: n[k][i] for k in keys} for i in range(len(n["id"]))}


def edge_rows(data: dict) -> dict:
    """Link cells keyed by (source id, target id)."""
    ids, e, P = data["nodes"]["id"], data["edges"], len(data["periods"])
    return {
        (ids[a], ids[b]): e["cells"][k * P : (k + 1) * P]
        for k, (a, b) in enumerate(zip(e["src"], e["dst"], strict=True))
    }


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
    assert external_references(page) == []
    assert "bootstrap" not in page.lower()
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page


def test_every_script_is_inlined_and_allowed_by_the_policy(page):
    parsed = parse(page)
    code = [t for a, t in parsed.scripts if a.get("type") != "application/json"]
    assert len(code) == 1 + len(SCRIPTS)
    assert any("vis-network" in t and len(t) > 100_000 for t in code)
    (csp,) = [
        a["content"]
        for t, a in parsed.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert "default-src 'none'" in csp
    assert "connect-src" not in csp  # fetches fall back to default-src 'none'
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    for text in code:
        assert script_hash(text) in csp
    assert not re.search(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", "".join(code[1:])
    )


def test_hostile_strings_never_appear_raw(page):
    for raw in (XSS_IMG, XSS_SCRIPT, "<script>alert(2)", "<img src=x", "<b>bold</b>"):
        assert raw not in page
    parsed = parse(page)
    assert [t for t, _ in parsed.tags if t == "img"] == []
    assert len(parsed.scripts) == 2 + len(SCRIPTS)  # data, vis-network, the page's own code
    block = [t for a, t in parsed.scripts if a.get("id") == "gv-data"][0]
    assert "<" not in block and ">" not in block and "&" not in block
    # Controls and legend text (district filter, source) are HTML-escaped.
    assert "Erewash &lt;b&gt;bold&lt;/b&gt; &amp; &#34;quoted&#34;" in page
    assert "Test &amp; source" in page


def test_hostile_strings_survive_as_data(page):
    data = view_data(page)
    nodes = columns(data)
    assert data["nodes"]["name"][data["nodes"]["id"].index("S1")] == XSS_IMG
    assert data["nodes"]["name"][data["nodes"]["id"].index("S2")] == XSS_SCRIPT
    assert XSS_IMG in data["lookup"]["orgs"]
    assert XSS_DISTRICT in data["lookup"]["districts"]
    assert data["lookup"]["districts"][nodes["S2"]["district"]] == XSS_DISTRICT
    assert [data["lookup"]["districts"][d] for d in data["nodes"]["more"]["1"]] == ["Derby City"]


def test_all_nodes_and_edges_present(page):
    G = tiny_graph()
    data = view_data(page)
    assert sorted(data["nodes"]["id"]) == sorted(G.nodes)
    assert sorted(edge_rows(data)) == sorted(G.edges)
    assert f'data-nodes="{G.number_of_nodes()}"' in page
    assert f'data-edges="{G.number_of_edges()}"' in page
    types = {i: data["lookup"]["types"][c["type"]]["shape"] for i, c in columns(data).items()}
    assert types == {"S1": "dot", "S2": "dot", "G1": "triangle", "N1": "diamond"}
    assert data["periods"] == ["2024-Q1", "2024-Q2"]


def test_small_counts_never_reach_the_file(page):
    data = view_data(page)
    rows = edge_rows(data)
    # 3 in 2024-Q1 is hidden; the link's total 12 would give it away beside the 9, so the
    # layer hides the total as its complement (a hidden 9 would cost more: every other sum
    # over it would read "+ *") and the 9 is shown.
    assert rows["S1", "G1"] == [-1, 9]
    assert rows["S2", "S1"] == [0, -1]
    assert rows["N1", "G1"] == [0, 0]
    assert not any(0 < c < 5 for c in data["edges"]["cells"])
    accepted = dict(zip(rows, data["edges"]["accepted"], strict=True))
    assert accepted["S1", "G1"] == -1 and accepted["S2", "S1"] is None
    # Rule 2: the grand total is the sum of the shown cells, plus * for the hidden ones.
    assert "9 + * referrals" in page  # the 9 shown; the 3 and the 2 hidden
    assert "12 referrals" not in page and "14 referrals" not in page
    assert "Counts of 1–4 are shown as *" in page


def test_unsuppressed_view_shows_counts_and_warns():
    page = render_network_view(tiny_graph(), suppress_small=False)
    data = view_data(page)
    rows = edge_rows(data)
    assert rows["S1", "G1"] == [3, 9] and rows["S2", "S1"] == [0, 2]
    assert data["edges"]["accepted"][0] == 4
    assert "14 referrals" in page
    assert "NOT suppressed" in page


def test_peer_links_inactive_services_and_details(page):
    data = view_data(page)
    ids = data["nodes"]["id"]
    peer = data["edges"]["peer"]
    (e,) = peer
    assert (ids[data["edges"]["src"][int(e)]], ids[data["edges"]["dst"][int(e)]]) == ("N1", "G1")
    assert data["lookup"]["peer_kinds"][peer[e][0]] == "Attends" and peer[e][1] == 0.5
    nodes = columns(data)
    assert nodes["S2"]["flags"] & 1 == 0 and nodes["S1"]["flags"] & 1 == 1
    assert data["lookup"]["any_inactive"] and data["lookup"]["any_peer"]
    assert data["lookup"]["fellowships"][nodes["G1"]["sub"]] == "Alcoholics Anonymous"
    assert data["lookup"]["roles"][nodes["N1"]["sub"]] == "Peer mentor"
    assert nodes["N1"]["base"] == ids.index("S1")
    assert data["lookup"]["chime"][0] == "Connection" and nodes["S1"]["chime"] == 2  # hope


def test_legend_banner_and_controls(page):
    assert 'id="gv-legend"' in page
    assert ILLUSTRATIVE_BANNER in page
    assert 'id="gv-banner"' in page
    for control in (
        "gv-search",
        "gv-colour",
        "gv-size",
        "gv-period",
        "gv-district",
        "gv-kind",
        "gv-domain",
        "gv-png",
        "gv-fit",
    ):
        assert f'id="{control}"' in page
    assert "2024-Q1, 2024-Q2" in page
    assert ">Specialist treatment provider</option>" in page
    plain = render_network_view(tiny_graph(), periods_label="Jan–Jun 2024")
    assert ILLUSTRATIVE_BANNER not in plain
    assert "Jan–Jun 2024" in plain


def test_colour_and_size_modes():
    G = tiny_graph()
    G.nodes["S1"]["betweenness"] = 0.25
    G.nodes["S1"]["in_volume"] = 3  # a count: never offered, never in the file
    data = view_data(render_network_view(G, colour_by="domain", size_by="betweenness"))
    assert data["defaults"] == {"colour": "domain", "size": "attr:betweenness"}
    modes = {m["key"]: m for m in data["colour_modes"]}
    assert list(modes) == ["kind", "domain"]
    g1 = columns(data)["G1"]
    assert modes["domain"]["colours"][g1["domain"]] == "#59a14f"
    assert modes["domain"]["labels"][g1["domain"]] == "12-step groups"
    sizes = {m["key"]: m for m in data["size_modes"]}
    assert list(sizes) == ["volume", "degree", "attr:betweenness"]
    assert sizes["attr:betweenness"]["values"] == [0.25, None, None, None]
    with pytest.raises(ValueError, match="colour_by"):
        render_network_view(G, colour_by="shape")
    with pytest.raises(ValueError, match="size_by"):
        render_network_view(G, size_by="in_volume")


def test_title_is_escaped():
    page = render_network_view(tiny_graph(), title=XSS_SCRIPT)
    assert XSS_SCRIPT not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert view_data(page)["meta"]["title"] == XSS_SCRIPT  # drawn into the PNG as canvas text


def test_output_is_deterministic(tmp_path):
    a = write_network_view(tiny_graph(), tmp_path / "a.html").read_bytes()
    b = write_network_view(tiny_graph(), tmp_path / "b.html").read_bytes()
    assert a == b


def test_small_graph_has_positions_large_graph_opens_on_districts():
    small = view_data(render_network_view(tiny_graph()))
    assert small["aggregate"] is None
    assert all(isinstance(x, float) for x in small["nodes"]["x"] + small["nodes"]["y"])
    assert len(small["blocks"]) == 2 and all(b[2] > 0 for b in small["blocks"])
    large = view_data(render_network_view(tiny_graph(), aggregate_above=3))
    assert "x" not in large["nodes"]
    agg = large["aggregate"]
    assert agg["expand_limit"] == compact.EXPAND_LIMIT
    names = large["lookup"]["districts"]
    flows = {(names[a], names[b]): (v, s) for a, b, v, s in agg["flows"]}
    # S1 (Derby City) -> G1 (Derby City): cells 3 (hidden) and 9 (shown; the link total 12
    # is the layer's complement), so the flow reads 9 + *, never 12.
    assert flows["Derby City", "Derby City"] == (9, 1)
    # S2 (home: Erewash) -> S1 (Derby City): 2, all hidden.
    assert flows[XSS_DISTRICT, "Derby City"] == (0, 1)


def test_aggregate_threshold_is_documented():
    from importlib.resources import files

    readme = files("gridvoices.visualise").joinpath("README.md").read_text(encoding="utf-8")
    assert f"up to {compact.AGGREGATE_ABOVE:,} nodes" in readme.lower()
    assert f"{compact.EXPAND_LIMIT} members" in readme


def test_empty_graph():
    page = render_network_view(nx.DiGraph())
    assert 'data-nodes="0"' in page
    assert view_data(page)["nodes"]["id"] == []


def test_json_for_script_round_trips():
    value = {"a": XSS_SCRIPT, "b": "x & y > z \u2028"}
    text = json_for_script(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value
