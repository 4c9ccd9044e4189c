"""The disclosure audit of whole runs: 0 exposed cells on shipped and generated data."""

from __future__ import annotations

import json

import pytest
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.disclosure_audit import audit, published_figures
from typer.testing import CliRunner

import gridvoices.cli.main  # noqa: F401 - registers the commands
from gridvoices.cli.common import app
from tests.conftest import DERBYSHIRE


@pytest.fixture(scope="module")
def shipped():
    report, tables = validate_paths([DERBYSHIRE])
    assert report.valid
    return tables


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    d = write_ecosystem(tmp_path_factory.mktemp("gen"), 40, 250, seed=3)
    report, tables = validate_paths([d])
    assert report.valid
    return tables


def test_the_primary_rule_alone_gives_cells_away(shipped):
    before = audit(shipped, secondary=False)
    assert before.sensitive > 0 and len(before.exposed) > 0


def test_shipped_data_all_outputs_every_period_and_compare(shipped):
    periods = build_graph(shipped).graph["periods"]
    # The all-periods run, each period alone, so also `compare` of any two of them.
    runs = [None] + [[p] for p in periods]
    result = audit(shipped, runs)
    assert result.sensitive > 0 and result.exposed == ()


def test_generated_ecosystem_with_many_small_counts(generated):
    figs, hidden = published_figures(generated)
    small = [f for f in figs if 0 < f.value < 5]
    assert len(small) > 100  # geometric counts: mostly small
    periods = build_graph(generated).graph["periods"]
    assert audit(generated, [None, [periods[0]], [periods[-1]]]).exposed == ()
    assert audit(generated, secondary=False).exposed


def test_complements_are_hidden_in_the_outputs(shipped):
    figs, hidden = published_figures(shipped)
    secondary = [f for f in figs if f.key in hidden and f.value >= 5]
    assert secondary  # numbers of 5 or more hidden so that no 1-4 can be worked out


def test_cli_audit_exits_0_and_reports(tmp_path):
    runner = CliRunner()
    ws = tmp_path / "ws"
    r = runner.invoke(app, ["import", str(DERBYSHIRE), "--workspace", str(ws)])
    assert r.exit_code == 0, r.stdout
    r = runner.invoke(app, ["audit", "--workspace", str(ws), "--json"])
    assert r.exit_code == 0, r.stdout
    data = json.loads(r.stdout)
    assert data["exposed"] == 0 and data["hidden_small"] > 0
