"""The commissioners' report: every section, the Derbyshire findings, escaping, suppression,
no external references, the CLI."""

from __future__ import annotations

import re
from collections import Counter

import networkx as nx
import pytest
from gridvoices.queries.analyses import run_all
from gridvoices.queries.graph import build_graph
from gridvoices.queries.index.scores import recovery_index
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.html import external_references
from gridvoices.visualise.report import (
    CSP,
    DEFAULT_VIEWS,
    ILLUSTRATIVE_NOTICE,
    Section,
    ViewLink,
    add_section,
    render_report,
    write_report,
)
from gridvoices.visualise.report import sections as report
from markupsafe import escape
from typer.testing import CliRunner

import gridvoices.cli.main  # noqa: F401 - registers the other commands on the shared app
import gridvoices.cli.report  # noqa: F401 - registers `report`
from gridvoices.cli.common import app
from tests.conftest import DERBYSHIRE

XSS = "<img src=x onerror=alert(1)>"
SECTIONS = (
    "findings",
    "coverage",
    "index",
    "barriers",
    "isolation",
    "closures",
    "voices",
    "contagion",
    "views",
    "method",
    "sources",
)
STAR = '<abbr class="gv-star"'


@pytest.fixture(scope="module")
def G():
    report_, tables = validate_paths([DERBYSHIRE])
    assert report_.valid
    return build_graph(tables)


@pytest.fixture(scope="module")
def html(G, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("report") / "report.html"
    assert write_report(G, path, illustrative=True, source="Derbyshire (illustrative)") == path
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shown_all(G) -> str:
    return render_report(G, suppress_small=False)


def section(html: str, key: str) -> str:
    """The text of one section, up to the next."""
    start = html.index(f'<section id="{key}"')
    end = html.find("<section ", start + 1)
    return html[start : end if end > 0 else None]


def test_every_section_in_order(html):
    at = [html.index(f'<section id="{k}"') for k in SECTIONS]
    assert at == sorted(at)
    assert "What people in recovery tell us" in html


def test_illustrative_banner_only_when_illustrative(G, html):
    assert ILLUSTRATIVE_NOTICE in html
    assert '<p class="gv-banner"' in html
    assert ILLUSTRATIVE_NOTICE not in render_report(G)


def test_derbyshire_findings(html):
    found = section(html, "findings")
    assert "No referrals cross the border between Derbyshire Dales and High Peak" in found
    assert "people in recovery feel it" in found
    assert "Next Chapter Employment Support (Bolsover) sends and receives no referrals" in found
    assert "South Derbyshire Recovery Navigators is the only referral link between 9" in found
    assert "Bolsover has no active provision for volunteering or personalised growth pathways" in (
        found
    )
    # the far end of the bridge is not named again
    assert "South Derbyshire Treatment Team is the only referral link" not in found
    iso = section(html, "isolation")
    assert "svc-emp-bo" in iso and "svc-nav-sd" in iso and "svc-housing-av" in iso
    bolsover = re.search(
        r"<tr class=\"gv-row-gap\"><th scope=\"row\">Bolsover</th>(.*?)</tr>",
        section(html, "coverage"),
        re.S,
    )
    assert bolsover and bolsover.group(1).count('class="gv-gap"') == 2
    assert "✕</span> none" in bolsover.group(1)  # marked in words, not by colour alone


def test_barrier_matrix_and_felt_barrier(html):
    b = section(html, "barriers")
    assert b.count('class="gv-cell-felt"') == 2  # Derbyshire Dales <-> High Peak, both ways
    assert "✕ felt barrier" in b and "✕ Barrier, felt" in b
    assert "independence: expected flow" in section(html, "method")


def test_voices(html):
    v = section(html, "voices")
    for kind in ("Felt barrier", "Referrals flow, low ratings", "Handover rated low", "Unreached"):
        assert kind in v
    assert "Probation Substance Misuse Pathway → Homestead Recovery Housing" in v
    assert "Best-rated parts of the pathway" in v and "Worst-rated parts of the pathway" in v
    # ranked only with at least 5 responses: svc-sd-advice has 3
    assert "South Derbyshire Advice" not in v.split("Best-rated")[1]


def test_small_counts_starred_unless_shown(html, shown_all):
    assert STAR in html
    row = re.search(r"Bolsover – North East Derbyshire</td><td class=\"gv-num\">(.*?)</td>", html)
    assert row and row.group(1).startswith(STAR)
    assert "border each other: * referrals crossed" in html  # the why sentences too
    row = re.search(
        r"Bolsover – North East Derbyshire</td><td class=\"gv-num\">(.*?)</td>", shown_all
    )
    assert row and row.group(1) in {"1", "2", "3", "4"}
    assert "Small counts are shown in" in shown_all


def test_partner_strings_are_escaped(G):
    H = G.copy()
    H.graph = {**G.graph, "districts": {k: dict(v) for k, v in G.graph["districts"].items()}}
    H.nodes["svc-emp-bo"]["name"] = XSS
    H.graph["districts"]["E07000033"]["name"] = XSS  # Bolsover
    page = render_report(H, source=XSS, title=XSS, views=[("a.html", XSS, XSS)])
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "onerror=alert(1)>" not in page


def test_no_external_references_and_a_strict_csp(html):
    assert f'http-equiv="Content-Security-Policy" content="{escape(CSP)}"' in html
    assert "default-src 'none'" in CSP and "script-src" not in CSP
    views = {v.href for v in DEFAULT_VIEWS}
    assert sorted(r for r in external_references(html) if "href=" in r) == sorted(
        f"<a href={h!r}>" for h in views
    )
    assert [r for r in external_references(html) if "href=" not in r] == []
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", html, re.I)
    assert "<script" not in html.lower()


def test_charts_are_inline_svg_with_unique_ids(html):
    assert html.count("<svg ") >= 4
    assert "<!--" not in html and "<metadata" not in html
    ids = Counter(re.findall(r'\bid="([^"]+)"', html))
    assert [k for k, n in ids.items() if n > 1] == []


def test_views_are_a_parameter(G):
    page = render_report(G, views=[ViewLink("here/net.html", "Net")])
    assert 'href="here/net.html"' in page and 'href="barriers.html"' not in page
    assert '<section id="views"' not in render_report(G, views=[])
    with pytest.raises(ValueError, match="relative"):
        ViewLink("https://example.org/x.html", "remote")


def test_results_given_and_a_section_added(G, monkeypatch):
    monkeypatch.setattr(report, "SECTIONS", list(report.SECTIONS))
    results = {**run_all(G), "extra": {"note": "an extra analysis"}}
    extra = Section(
        "extra",
        "An extra analysis",
        lambda ctx: {"views": [ViewLink("extra.html", ctx.raw["extra"]["note"])]},
        lambda ctx: [{"area": "Index", "text": "A new headline", "detail": "with numbers"}],
        macro="views",
    )
    add_section(extra, after="coverage")
    page = render_report(G, results=results)
    assert page.index('<section id="coverage"') < page.index('<section id="extra"')
    assert page.index('<section id="extra"') < page.index('<section id="index"')
    assert "an extra analysis" in page and "A new headline" in page


def test_library_prints_nothing(G, tmp_path, capsys):
    write_report(G, tmp_path / "r.html")
    assert capsys.readouterr() == ("", "")


def test_cli_report(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDVOICES_WORKSPACE", str(tmp_path / "ws"))
    runner = CliRunner()
    imported = runner.invoke(
        app, ["import", str(DERBYSHIRE), "--source", "illustrative: d", "--quiet"]
    )
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "out" / "report.html"
    result = runner.invoke(app, ["report", "-o", str(out), "-p", "2024-Q4"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert ILLUSTRATIVE_NOTICE in page and "Periods 2024-Q4 ·" in page
    assert "embedded store: illustrative: d" in page and STAR in page
    shown = runner.invoke(
        app, ["report", "-o", str(out), "--show-small-counts", "--not-illustrative"]
    )
    assert shown.exit_code == 0 and ILLUSTRATIVE_NOTICE not in out.read_text(encoding="utf-8")
    assert STAR not in out.read_text(encoding="utf-8")


def test_an_empty_ecosystem_still_renders():
    G = nx.DiGraph(districts={}, borders=set(), organisations={}, periods=[])
    page = render_report(G)
    assert "No feedback from people in recovery was loaded" in page
    assert "Not run: there are no lived-experience-led" in page
    assert "The analyses found no barrier" in page
    assert '<section id="index"' not in page and '<section id="closures"' not in page
    assert "Are the barriers beyond chance?" not in page


def test_run_all_has_the_index_closures_and_barrier_tests(G):
    r = run_all(G)
    assert {x["name"]: x["band"] for x in r["index"]["districts"]}["High Peak"] == 5
    assert len(r["closures"]["rows"]) == 10
    assert r["closures"]["by_pairs"][0]["id"] == "svc-nav-sd"
    assert r["barrier_tests"]["tested"] == len(r["barriers"]["borders"])


def test_index_section(html):
    idx = section(html, "index")
    assert "District recovery ecosystem index" in idx
    high_peak = re.search(r'<th scope="row">High Peak</th><td>(.*?)</td>', idx, re.S)
    assert high_peak and "Band 5 · weakest" in high_peak.group(1)  # a badge in words
    assert 'class="gv-band gv-band-5"' in high_peak.group(1)
    assert "<svg " in idx and 'aria-label="District recovery ecosystem index' in idx
    assert "Sensitivity:</strong> The bands" in idx
    for c in ("Coverage", "Capacity", "Connectedness", "Reach", "Voice"):
        assert f'<th class="gv-num">{c}</th>' in idx
    assert "High Peak: band 5" in idx  # the why
    assert "Need against strength" not in idx  # no need table given
    found = section(html, "findings")
    assert "High Peak and Bolsover have the weakest recovery ecosystem" in found


def test_index_need_quadrants(G):
    need = {"High Peak": 9, "Bolsover": 8, "Chesterfield": 1, "Erewash": 2, "Amber Valley": 3}
    results = {**run_all(G), "index": recovery_index(G, seed=42, need=need)}
    idx = section(render_report(G, results=results), "index")
    assert "Need against strength" in idx and idx.count("<svg ") == 2
    assert "<strong>Weak, high need:</strong> High Peak" in idx


def test_closures_section(html):
    c = section(html, "closures")
    assert "Which closure would hurt most" in c and "<svg " in c
    assert "Community Connectors (Erewash &amp; Derbyshire Dales)" in c
    assert re.search(r"3\.\d\d ± 0\.\d\d", c)  # reach lost ± SE
    assert "A tie:</strong>" in c and "too close to call" in c
    split = c[c.index("Closures that would split the network") :]
    assert "svc-nav-sd" in split and "<strong>539</strong>" in split
    assert split.index("svc-nav-sd") < split.index("svc-tx-sd")  # ranked by pairs lost
    assert "South Derbyshire Recovery Navigators would split the referral network" in section(
        html, "findings"
    )


def test_barrier_permutation_tests(html):
    b = section(html, "barriers")
    tests = b[b.index("Are the barriers beyond chance?") :]
    assert "Adjusted p" in tests and "Benjamini-Hochberg" in tests
    assert "Derbyshire Dales – High Peak" in tests
    assert "No border is significant after correction" in tests or (
        "Significant after correction:" in tests
    )
    row = re.search(r"Bolsover – North East Derbyshire</td><td class=\"gv-num\">(.*?)</td>", tests)
    assert row and row.group(1).startswith(STAR)  # a small count stays starred
