"""The disclosure audit of whole runs: 0 exposed cells on shipped and generated data."""

from __future__ import annotations

import csv
import json

import pytest
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries.disclosure import period_spans
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


def test_a_larger_generated_ecosystem_gets_the_exact_search_and_exposes_nothing(
    tmp_path, monkeypatch
):
    # 60 services / 700 flows: 1,081 cells x 4,039 distinct figures, under SEARCH_LIMIT, so the
    # exact search must run (the coarse protection hides ~90 % of the totals).
    import gridvoices.ecosystem.disclosure.secondary as secondary
    from gridvoices.ecosystem.disclosure import exposed_figures, protect
    from gridvoices.queries.disclosure import figures

    def coarse(*args):
        raise AssertionError("fell back to the coarse protection")

    monkeypatch.setattr(secondary, "_margins", coarse)
    report, tables = validate_paths([write_ecosystem(tmp_path, 60, 700, seed=3)])
    assert report.valid
    figs = figures(build_graph(tables))
    cells = {c for f in figs for c in f.parts}
    assert len(cells) * len({f.cells for f in figs}) <= secondary.SEARCH_LIMIT
    p = protect(figs)
    assert p.secondary
    parts = {f.key: f.parts for f in figs}
    assert exposed_figures(parts, p.hidden, p.primary, exact=True) == []


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


def test_views_are_read_back_from_their_pages(shipped):
    figs, hidden = published_figures(shipped)
    where = {f.key[1] for f in figs}
    assert {"network", "network-districts", "isolation", "barriers-view", "map"} <= where
    flows = [f for f in figs if f.key[1] == "network-districts" and f.key[2] == "flow"]
    assert flows and any(f.key in hidden for f in flows)
    rows = [f for f in figs if f.key[1] == "barriers-view" and len(f.parts) > 1]
    assert rows and any(f.key not in hidden for f in rows)


def test_a_view_showing_only_the_primary_rule_is_caught(shipped, monkeypatch):
    # Views that hid cells of 1-4 only (the rule before this layer) give cells away next to
    # the exports' link totals; the audit, reading the pages, must find it.
    from gridvoices.visualise import counts

    def primary_only(self, u, v, row, columns):
        return counts.hide_small(row, self.on)

    monkeypatch.setattr(counts.Mask, "row", primary_only)
    assert audit(shipped).exposed


def test_cli_audit_writes_its_table_as_csv(tmp_path):
    runner = CliRunner()
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["import", str(DERBYSHIRE), "--workspace", str(ws)]).exit_code == 0
    out = tmp_path / "audit.csv"
    r = runner.invoke(app, ["audit", "--workspace", str(ws), "--csv", str(out)])
    assert r.exit_code == 0, r.stdout
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    outputs = {row["output"] for row in rows}
    assert {"export", "summary", "barriers", "network", "map"} <= outputs
    assert all(row["exposed"] == "0" for row in rows)
    assert sum(int(row["hidden_small"]) for row in rows) > 0


def test_the_report_is_read_back_from_its_page(shipped):
    figs, hidden = published_figures(shipped, views=False)
    kinds = {f.key[2] for f in figs if f.key[1] == "report"}
    assert {"matrix", "borders", "tests", "spanner", "kept", "sent"} <= kinds
    assert any(f.key in hidden for f in figs if f.key[1] == "report")


def test_a_report_quoting_flows_by_the_primary_rule_is_caught(shipped, monkeypatch):
    # The permutation tests' "referrals crossing" shown by the 1-4 rule alone (as before
    # they went through the layer) give hidden flows away; reading the report finds it.
    from gridvoices.visualise.report import write

    monkeypatch.setattr(write, "DISCLOSED", frozenset({"summary", "barriers"}))
    assert audit(shipped, views=False).exposed


def test_period_ranges_and_compare_of_ranges(shipped):
    # A range's totals are sums the layer never listed: shown only when every cell is.
    periods = build_graph(shipped).graph["periods"]
    first, second = periods[:2], periods[2:]
    result = audit(shipped, [None, first, second], comparisons=[(first, second)], report=False)
    assert result.sensitive > 0 and result.exposed == ()
    assert any(row["output"] == "compare" for row in result.outputs)


def test_compare_of_two_periods_is_audited(shipped):
    periods = build_graph(shipped).graph["periods"]
    one, two = [periods[0]], [periods[-1]]
    result = audit(shipped, [None, one, two], comparisons=[(one, two)], views=False, report=False)
    rows = [row for row in result.outputs if row["output"] == "compare"]
    assert rows and sum(row["published"] + row["hidden"] for row in rows) > 0
    assert result.exposed == ()


def _every_span(tables) -> list[list[str] | None]:
    """All periods, each period alone and every contiguous range of two or more."""
    periods = build_graph(tables).graph["periods"]
    return [None if keep is None else sorted(keep) for _, keep in period_spans(periods)]


@pytest.mark.parametrize("data", ["shipped", "generated"])
def test_every_contiguous_period_range_together(data, request):
    # "All periods" less the periods outside a range would give a small range total away
    # unless every range is protected as a figure of its own: all runs audited together.
    tables = request.getfixturevalue(data)
    runs = _every_span(tables)
    assert len(runs) == 1 + 4 + 5  # four periods: all, each, 3 pairs, 2 triples
    result = audit(tables, runs, views=False, report=False)
    assert result.sensitive > 0 and result.exposed == ()


def test_shown_ratios_are_read_as_publishing_their_terms(shipped):
    # barriers' inward internal_share = internal / sent, silos' silo_share, spanners' share:
    # shown, each publishes both its terms; starred, neither.
    figs, hidden = published_figures(shipped, views=False, report=False)
    ratios = [f for f in figs if f.key[1] in ("internal_share", "silo_share", "cross_share")]
    assert ratios and all(f.key not in hidden for f in ratios)
    terms = {f.key[1:]: f for f in figs if f.key[1] in ("internal", "sent", "cross")}
    for f in ratios:
        if f.key[1] == "internal_share":
            side = "internal" if f.key[-1] == "numerator" else "sent"
            assert terms[(side, f.key[2])].key not in hidden  # shown only with both terms


def test_a_ratio_shown_beside_a_hidden_count_is_caught(shipped, monkeypatch):
    # Were shares not starred with a hidden count in their row, share x published total would
    # give the count back: the audit, reading the ratios, must find it.
    from gridvoices.visualise import render

    assert audit(shipped, views=False, report=False).exposed == ()
    monkeypatch.setattr(render, "DERIVED_KEYS", frozenset())
    assert audit(shipped, views=False, report=False).exposed


def test_the_barriers_view_share_kept_inside_is_read_as_a_ratio(shipped, monkeypatch):
    from gridvoices.ecosystem.disclosure import exposed_figures
    from gridvoices.visualise import barriers_view

    figs, hidden = published_figures(shipped, report=False)
    shares = [f for f in figs if f.key[1:3] == ("barriers-view", "share inside")]
    assert shares and not any(f.key in hidden for f in shares)

    # A page that starred the count kept inside but still showed the share: share x the
    # shown sent total gives the count back, and the audit's algebra must see it.
    def share_beside_a_star(d, shown, members, inward):
        rows = original(d, shown, members, inward)
        star = {"Kept inside": "*", "Share kept inside": "50%"}
        return [[k, star.get(k, v)] for k, v in rows]

    original = barriers_view._district_rows
    monkeypatch.setattr(barriers_view, "_district_rows", share_beside_a_star)
    figs, hidden = published_figures(shipped, report=False)
    kept = [f.key for f in figs if f.key[1:3] == ("barriers-view", "Kept inside")]
    assert kept and all(k in hidden for k in kept)
    # The district rows alone (other outputs publish the same count under other keys).
    rows = ("Referrals sent (incl. inside)", "Referrals received from others", "Kept inside")
    parts = {f.key: f.parts for f in figs if f.key[1] == "barriers-view" and f.key[2] in rows}
    parts |= {f.key: f.parts for f in figs if f.key[1:3] == ("barriers-view", "share inside")}
    assert sorted(exposed_figures(parts, hidden, kept), key=repr) == sorted(kept, key=repr)
