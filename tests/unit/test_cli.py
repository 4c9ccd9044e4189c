"""The command line as a user meets it: exit codes, exact errors, JSON, suppression."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gridvoices.cli.main import app
from tests.conftest import DERBYSHIRE, edit_csv

runner = CliRunner()


def run(*args, **kw):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kw)


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDVOICES_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "ws"


@pytest.fixture
def loaded(ws):
    assert run("import", DERBYSHIRE, "--quiet").exit_code == 0
    return ws


def test_every_command_has_help():
    import typer.main

    group = typer.main.get_command(app)
    for name, cmd in group.commands.items():
        assert cmd.help, f"{name} has no help text"
        assert run(name, "--help").exit_code == 0


def test_template_writes_headers_and_readme(tmp_path):
    r = run("template", tmp_path / "t")
    assert r.exit_code == 0
    assert (tmp_path / "t" / "services.csv").read_text().startswith("id,name,organisation,")
    assert "| count | yes |" in (tmp_path / "t" / "README.md").read_text()


def test_validate_bad_file_exit_2_with_location(tiny):
    edit_csv(tiny / "referrals.csv", "2024-Q1,12,10", "2024-Q1,many,")
    r = run("validate", tiny)
    assert r.exit_code == 2
    assert "referrals.csv:2:count: 'many' is not a whole number" in r.stdout


def test_import_bad_data_exit_2_and_store_unchanged(ws, tiny):
    assert run("import", tiny).exit_code == 0
    before = json.loads(run("summary", "--json", "--show-small-counts").stdout)
    edit_csv(tiny / "services.csv", "S1,Spoc", "S1,Renamed")
    edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q1", "S1,S9,2024-Q1")
    r = run("import", tiny)
    assert r.exit_code == 2
    assert "referrals.csv:2:target: 'S9' is not a known service or group id" in r.stdout
    assert "Traceback" not in r.stdout
    assert json.loads(run("summary", "--json", "--show-small-counts").stdout) == before


def test_summary_json_suppresses_small_counts(ws, tiny):
    run("import", tiny)
    shown = json.loads(run("summary", "--json", "--period", "2024-Q2").stdout)
    assert shown["totals"]["referrals"] == "*"
    exact = json.loads(
        run("summary", "--json", "--period", "2024-Q2", "--show-small-counts").stdout
    )
    assert exact["totals"]["referrals"] == 2


def test_paths_and_unknown_id(loaded):
    r = run("paths", "svc-spoc", "svc-housing-av", "--json", "-k", "3")
    data = json.loads(r.stdout)
    assert data["shortest"] and all(p["nodes"][-1] == "svc-housing-av" for p in data["up_to_k"])
    r = run("paths", "svc-spoc", "nope")
    assert r.exit_code == 2 and "'nope' is not a known service or group id" in r.stderr


def test_bad_period_is_an_error(loaded):
    r = run("summary", "--period", "Q5")
    assert r.exit_code == 2
    assert "'Q5' is not a period" in r.stderr


def test_isolated_barriers_coverage_compare(loaded):
    iso = json.loads(run("isolated", "--json").stdout)
    assert {"flag": "no_flows", "id": "svc-emp-bo"}.items() <= iso[0].items()
    bar = json.loads(run("barriers", "--json").stdout)
    assert {bar["borders"][0]["a_name"], bar["borders"][0]["b_name"]} == {
        "Derbyshire Dales",
        "High Peak",
    }
    cov = json.loads(run("coverage", "--json").stdout)
    assert [r["missing"] for r in cov["districts"] if r["name"] == "Bolsover"] == [
        ["volunteering", "growth_pathways"]
    ]
    cmp = json.loads(run("compare", "2024-Q1", "2024-Q4", "--json").stdout)
    assert any(c["domain"] == "volunteering" and c["change"] == "worse" for c in cmp["coverage"])
    table = run("barriers").stdout
    assert "Barrier: Derbyshire Dales and High Peak border each other: 0 referrals crossed" in table


def test_isolated_no_flows_alone_matches_the_full_analysis(loaded):
    fast = json.loads(run("isolated", "--flag", "no_flows", "--json").stdout)
    full = [r for r in json.loads(run("isolated", "--json").stdout) if r["flag"] == "no_flows"]
    assert fast == full and fast[0]["id"] == "svc-emp-bo"


def test_a_question_on_an_empty_workspace_says_so_and_creates_nothing(ws):
    r = run("summary")
    assert r.exit_code == 2 and "no data in" in r.stderr and "gridvoices import" in r.stderr
    assert not (ws / "gridvoices.sqlite").exists()


def test_names_work_where_ids_do(loaded):
    by_id = json.loads(run("paths", "svc-hub-ch", "svc-housing-av", "--json", "-k", "3").stdout)
    by_name = run("paths", "Lantern Recovery Hub", "homestead recovery", "--json", "-k", "3")
    assert json.loads(by_name.stdout) == by_id
    r = run("paths", "South", "svc-housing-av")
    assert r.exit_code == 2 and "'South' could mean" in r.stderr and "svc-nav-sd" in r.stderr


def test_district_names_beside_codes(loaded):
    rows = json.loads(run("isolated", "--json").stdout)
    bo = next(r for r in rows if r["id"] == "svc-emp-bo")
    assert (bo["district"], bo["district_name"]) == ("E07000033", "Bolsover")


def test_tables_as_csv(loaded, tmp_path):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(run("isolated", "--csv", "-").stdout)))
    assert {"flag", "id", "name", "district", "district_name", "why"} <= set(rows[0])
    assert any(r["flag"] == "no_flows" and r["id"] == "svc-emp-bo" for r in rows)
    assert run("summary", "--csv", tmp_path / "summary").exit_code == 0
    written = sorted(p.name for p in (tmp_path / "summary").iterdir())
    assert {"districts.csv", "totals.csv"} <= set(written)


def test_tables_fit_80_columns_without_breaking_words(loaded, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for args in (("summary",), ("isolated",), ("barriers",), ("coverage",)):
        text = run(*args).stdout
        assert max(map(len, text.splitlines())) <= 80, args
        assert "no_peer_suppor\n" not in text


def test_partial_import_sets_rejected_records_aside(ws, tiny):
    with open(tiny / "services.csv", "a", encoding="utf-8") as f:
        f.write("svc-broken,,,,,\n")
    assert run("import", tiny).exit_code == 2
    assert not (ws / "gridvoices.sqlite").exists() or run("summary").exit_code == 2
    r = run("import", tiny, "--partial")
    assert r.exit_code == 0, r.output
    assert "set aside 1" in r.stdout
    aside = (ws / "set-aside.csv").read_text(encoding="utf-8")
    assert "services.csv" in aside
