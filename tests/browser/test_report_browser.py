"""The report in Debian's chromium: opens offline with no requests, errors or dialogs, prints
cleanly, and `gridvoices report --pdf` writes a PDF of several pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.report import write_report
from typer.testing import CliRunner

import gridvoices.cli.main  # noqa: F401 - registers the other commands on the shared app
import gridvoices.cli.report  # noqa: F401 - registers `report`
from gridvoices.cli.common import app
from tests.conftest import DERBYSHIRE

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def _open(page, path: Path) -> dict:
    seen: dict = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    return seen


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    report_, tables = validate_paths([DERBYSHIRE])
    assert report_.valid
    G = build_graph(tables)
    G.nodes["svc-emp-bo"]["name"] = XSS  # a partner string that must stay text
    out = tmp_path_factory.mktemp("report") / "report.html"
    return write_report(G, out, illustrative=True, source="illustrative Derbyshire data")


def test_opens_offline_with_nothing_fetched_and_no_errors(page, report_file, artifacts):
    seen = _open(page, report_file)
    assert [u for u in seen["requests"] if u != report_file.as_uri()] == []
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert page.locator("img").count() == 0  # the injected name is text, not an element
    assert page.get_by_text(XSS).count() >= 1
    assert page.locator("section").count() == 11  # nine analyses + index + closures
    assert page.locator("svg.gv-chart").count() >= 4
    # every chart draws at a sensible size
    for box in (page.locator("svg.gv-chart").nth(i).bounding_box() for i in range(4)):
        assert box and box["width"] > 300 and box["height"] > 100
    page.screenshot(path=str(artifacts / "report.png"), full_page=True)


def test_print_hides_the_navigation_and_breaks_between_sections(page, report_file, artifacts):
    _open(page, report_file)
    page.emulate_media(media="print")
    assert page.locator("nav.gv-nav").evaluate("e => getComputedStyle(e).display") == "none"
    breaks = page.locator("section.gv-section").evaluate_all(
        "s => s.map(e => getComputedStyle(e).breakBefore)"
    )
    assert breaks[0] != "page" and set(breaks[1:]) == {"page"}
    row = page.locator("tbody tr").first.evaluate("e => getComputedStyle(e).breakInside")
    assert row == "avoid"


def test_cli_pdf(tmp_path, monkeypatch, artifacts, chromium):
    monkeypatch.setenv("GRIDVOICES_WORKSPACE", str(tmp_path / "ws"))
    runner = CliRunner()
    imported = runner.invoke(app, ["import", str(DERBYSHIRE), "--source", "illustrative: d", "-q"])
    assert imported.exit_code == 0, imported.output
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    result = runner.invoke(app, ["report", "-o", str(html), "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    data = pdf.read_bytes()
    assert data[:4] == b"%PDF"
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages > 1
    if shutil.which("pdftoppm"):  # poppler-utils: look at the first pages as pictures
        for n in (1, 4):
            prefix = artifacts / f"report-pdf-{n}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    str(n),
                    "-l",
                    str(n),
                    "-singlefile",
                    str(pdf),
                    str(prefix),
                ],
                check=True,
            )
            assert prefix.with_suffix(".png").stat().st_size > 10_000
