"""Views by name, the ``gridvoices view`` command, and adding a view as one module."""

from __future__ import annotations

import pytest
from gridvoices.visualise import views
from gridvoices.visualise.compact import ecosystem_view
from gridvoices.visualise.page import ViewData
from typer.testing import CliRunner

import gridvoices.cli.views  # noqa: F401 - registers `view` until cli._register imports it
from gridvoices.cli.main import app
from tests.conftest import DERBYSHIRE
from tests.unit.test_view import tiny_graph, view_data

runner = CliRunner()


def build(G, *, suppress_small: bool = True, colour_by: str = "kind") -> ViewData:
    """A stand-in for a future view module (e.g. contagion): the ecosystem, re-coloured."""
    return ecosystem_view("demo", G, suppress_small=suppress_small, colour_by=colour_by)


def test_builtin_views_and_options():
    assert views.view_kinds()[:3] == ("network", "barriers", "isolation")
    assert "colour_by" in views.view_options("network")
    assert "level" in views.view_options("barriers")
    with pytest.raises(ValueError, match="unknown view"):
        views.render_view("nope", tiny_graph())
    with pytest.raises(ValueError, match="has no option level"):
        views.render_view("network", tiny_graph(), level="district")


def test_a_new_view_is_one_module(monkeypatch, tmp_path):
    monkeypatch.setitem(views.VIEWS, "demo", __name__)
    out = views.write_view("demo", tiny_graph(), tmp_path / "demo.html", title="Demo")
    page = out.read_text(encoding="utf-8")
    assert 'data-view="demo"' in page
    assert view_data(page)["meta"]["kind"] == "demo"


def test_write_views_writes_every_view(tmp_path):
    written = views.write_views(tiny_graph(), tmp_path, illustrative=True, source="test")
    assert sorted(written) == sorted(views.view_kinds())
    assert {"barriers", "isolation", "network"} <= set(written)
    for kind, path in written.items():
        assert path == tmp_path / f"{kind}.html"
        assert f'data-view="{kind}"' in path.read_text(encoding="utf-8")


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDVOICES_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("COLUMNS", "200")
    assert run("import", DERBYSHIRE, "--quiet").exit_code == 0
    return tmp_path


@pytest.mark.parametrize("kind", ["network", "barriers", "isolation"])
def test_cli_writes_each_view(loaded, kind):
    out = loaded / f"{kind}.html"
    r = run("view", kind, "-o", out)
    assert r.exit_code == 0, r.output
    assert f"Wrote {out}" in r.stdout.replace("\n", "")
    page = out.read_text(encoding="utf-8")
    assert f'data-view="{kind}"' in page
    assert "Counts of 1–4 are shown as *" in page


def test_cli_options(loaded):
    out = loaded / "v.html"
    assert (
        run(
            "view",
            "network",
            "-o",
            out,
            "--colour-by",
            "domain",
            "--size-by",
            "degree",
            "--period",
            "2024-Q2",
        ).exit_code
        == 0
    )
    data = view_data(out.read_text(encoding="utf-8"))
    assert data["defaults"] == {"colour": "domain", "size": "degree"}
    assert data["periods"] == ["2024-Q2"]
    assert run("view", "barriers", "-o", out, "--level", "organisation").exit_code == 0
    assert run("view", "isolation", "-o", out, "--show-small-counts").exit_code == 0
    assert "NOT suppressed" in out.read_text(encoding="utf-8")


def test_cli_errors(loaded):
    r = run("view", "contagious", "-o", loaded / "x.html")
    assert r.exit_code == 2 and "unknown view 'contagious'" in r.output
    r = run("view", "network", "-o", loaded / "x.html", "--level", "district")
    assert r.exit_code == 2 and "--level does not apply to the network view" in r.output
    r = run("view", "network", "-o", loaded / "x.html", "--colour-by", "shape")
    assert r.exit_code == 2 and "colour_by must be one of" in r.output


def test_cli_png_goes_through_the_browser_helper(loaded, monkeypatch):
    import gridvoices.visualise.png

    calls = []
    monkeypatch.setattr(
        gridvoices.visualise.png, "html_to_png", lambda html, png: calls.append((html, png))
    )
    r = run("view", "barriers", "-o", loaded / "b.html", "--png", loaded / "b.png")
    assert r.exit_code == 0, r.output
    assert calls == [(loaded / "b.html", loaded / "b.png")]

    def broken(html, png):
        raise gridvoices.visualise.png.PngError("chromium not found at /nowhere")

    monkeypatch.setattr(gridvoices.visualise.png, "html_to_png", broken)
    r = run("view", "barriers", "-o", loaded / "b.html", "--png", loaded / "b.png")
    assert r.exit_code == 1 and "chromium not found" in r.output
