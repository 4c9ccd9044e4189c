"""The district recovery ecosystem index (queries.index.scores and `gridvoices index`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion import default_seeds, edge_probabilities, independent_cascade
from gridvoices.queries.contagion.models import reach_by_district
from gridvoices.queries.graph import build_graph
from gridvoices.queries.index.scores import (
    COMPONENTS,
    DEFAULT_POPULATION,
    INDICATORS,
    index_indicators,
    load_need,
    load_population,
    load_weights,
    recovery_index,
)
from gridvoices.queries.stats.scoring import bands, need_quadrants, score, weight_sensitivity
from gridvoices.queries.stats.worlds import group_reach
from gridvoices.stores.store import validate_paths
from typer.testing import CliRunner

import gridvoices.cli.index  # noqa: F401
import gridvoices.cli.main  # noqa: F401  (registers the commands)
from gridvoices.cli.common import app
from tests.conftest import DERBYSHIRE

HP, BO = "E07000037", "E07000033"


@pytest.fixture(scope="module")
def derby() -> nx.DiGraph:
    report, tables = validate_paths([Path(DERBYSHIRE)])
    assert report.valid
    return build_graph(tables)


@pytest.fixture(scope="module")
def result(derby) -> dict:
    return recovery_index(derby, runs=256, seed=42)


def test_shipped_population_table_is_the_eight_districts_and_cited():
    rows = list(csv.DictReader(open(DEFAULT_POPULATION, encoding="utf-8")))
    assert [r["code"] for r in rows] == [f"E070000{i}" for i in range(32, 40)]
    assert sum(int(r["population"]) for r in rows) == 803_464  # published county total
    readme = (DEFAULT_POPULATION.parent / "README.md").read_text(encoding="utf-8")
    assert "ONS mid-year population estimates, mid-2022" in readme
    assert "--population FILE" in readme


def test_weights_file_and_errors(tmp_path):
    w = load_weights()
    assert set(w["components"]) == set(COMPONENTS) and set(w["indicators"]) == set(INDICATORS)
    bad = tmp_path / "w.toml"
    bad.write_text("[indicators]\nno_such = 1\n")
    with pytest.raises(QueryError, match="unknown indicator 'no_such'"):
        load_weights(bad)
    bad.write_text("[components]\nreach = -1\n")
    with pytest.raises(QueryError, match="must be a number >= 0"):
        load_weights(bad)
    with pytest.raises(QueryError, match="every component weight is 0"):
        load_weights({"components": dict.fromkeys(COMPONENTS, 0)})
    with pytest.raises(QueryError, match="cannot read"):
        load_weights(tmp_path / "missing.toml")


def test_population_and_need_files(tmp_path):
    f = tmp_path / "pop.csv"
    f.write_text("code,name,population\nE07000037,High Peak,100000\n")
    assert load_population(f)["E07000037"] == 100000 and load_population(f)["high peak"] == 100000
    f.write_text("code,name,population\nE07000037,High Peak,lots\n")
    with pytest.raises(QueryError, match="pop.csv:2"):
        load_population(f)
    n = tmp_path / "need.csv"
    n.write_text("district,need\nHigh Peak,12.5\n")
    assert load_need(n)["High Peak"] == 12.5


def test_every_district_banded_and_the_planted_weaknesses_are_weakest(result):
    rows = {r["district"]: r for r in result["districts"]}
    assert len(rows) == 8 and {r["band"] for r in rows.values()} <= {1, 2, 3, 4, 5}
    assert [r["rank"] for r in result["districts"]] == list(range(1, 9))
    scores = [r["score"] for r in result["districts"]]
    assert scores == sorted(scores, reverse=True)
    # High Peak: cut off from the main part, no flow over its border; Bolsover: 2 domains missing
    assert rows[HP]["band"] == 5 and rows[BO]["band"] == 5
    assert rows[HP]["indicators"]["main_component_share"] == 0.0
    assert rows[HP]["indicators"]["border_permeability"] == 0.0
    assert rows[BO]["indicators"]["domains_covered"] == 5
    assert "band 5" in rows[HP]["why"] and "weakest on" in rows[BO]["why"]


def test_z_scores_standardised_and_direction_higher_is_stronger(result):
    for ind in (i for i in result["indicators"] if i["used"]):
        z = np.array([r["z"][ind["indicator"]] for r in result["districts"]])
        assert abs(z.mean()) < 1e-3 and abs(z.std() - 1) < 1e-3
        assert ind["direction"] == "higher is stronger"
    spec = {"x": ("c", "x"), "y": ("c", "y")}
    w = {"components": {"c": 1.0}, "indicators": {"x": 1.0, "y": 1.0}}
    vals = {u: {"x": float(i), "y": float(i % 2)} for i, u in enumerate("abcde")}
    before = score(vals, spec, w, ("c",))["overall"]["b"]
    vals["b"]["x"] = 10.0
    assert score(vals, spec, w, ("c",))["overall"]["b"] > before


def test_component_and_overall_scores_are_weighted_means(result):
    w = result["weights"]
    for r in result["districts"]:
        for comp in result["components"]:
            pairs = [(w["indicators"][i], r["z"][i]) for i, (c, _) in INDICATORS.items()
                     if c == comp and r["z"].get(i) is not None]  # fmt: skip
            assert r[comp] == pytest.approx(
                sum(a * b for a, b in pairs) / sum(a for a, _ in pairs), abs=1e-3
            )
        comps = [(w["components"][c], r[c]) for c in result["components"]]
        assert r["score"] == pytest.approx(
            sum(a * b for a, b in comps) / sum(a for a, _ in comps), abs=1e-3
        )


def test_voice_dropped_without_feedback_and_weights_renormalised(derby):
    G = derby.copy()
    G.graph = {**derby.graph, "feedback": []}
    r = recovery_index(G, runs=64, seed=1)
    assert "voice" not in r["components"]
    assert any("voice" in n for n in r["notes"])
    for row in r["districts"]:
        assert row["voice"] is None
        parts = [row[c] for c in ("coverage", "capacity", "connectedness", "reach")]
        assert row["score"] == pytest.approx(np.mean(parts), abs=1e-3)


def test_missing_population_leaves_out_per_100k_and_says_so(derby):
    r = index_indicators(derby, population={"E07000032": 120000}, runs=64, seed=1)
    assert r["values"]["E07000032"]["services_per_100k"] is not None
    assert r["values"][HP]["services_per_100k"] is None
    assert "no population for" in r["notes"][0] and "High Peak" in r["notes"][0]


def test_bands_are_quintiles_and_ties_share_a_band():
    b, cuts = bands({str(i): float(i) for i in range(10)})
    assert [b[str(i)] for i in range(10)] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert cuts == [1.8, 3.6, 5.4, 7.2]
    b, _ = bands({"a": 1.0, "b": 1.0, "c": 0.0, "d": 2.0, "e": None})
    assert b["a"] == b["b"] and b["e"] is None and b["d"] == 1


def test_sensitivity_moves_each_weight_both_ways(result):
    rows = result["sensitivity"]["rows"]
    used = sum(1 for p in ("components", "indicators") for v in result["weights"][p].values() if v)
    assert len(rows) == 2 * used
    assert {r["factor"] for r in rows} == {0.8, 1.2}
    assert result["sensitivity"]["max_changed"] == max(r["changed"] for r in rows)
    spec = {"x": ("c", "x"), "y": ("d", "y")}
    w = {"components": {"c": 1.0, "d": 1.0}, "indicators": {"x": 1.0, "y": 1.0}}
    v = {"a": {"x": 2, "y": 0}, "b": {"x": 0, "y": 2.2}, "c": {"x": 1, "y": 1}}
    moved = weight_sensitivity(v, spec, w, ("c", "d"))
    assert moved[1]["changed"] == 2 and moved[1]["units"] == ["b", "c"]


def test_need_quadrants_split_at_medians(derby, tmp_path):
    need = tmp_path / "need.csv"
    values = dict(
        zip(sorted(derby.graph["districts"]), [30, 45, 50, 10, 20, 40, 15, 12], strict=True)
    )
    need.write_text("district,need\n" + "".join(f"{d},{v}\n" for d, v in values.items()))
    r = recovery_index(derby, need=need, runs=64, seed=1)["need"]
    assert len(r["points"]) == 8 and sum(r["counts"].values()) == 8
    assert r["median_need"] == np.median(list(values.values()))
    for p in r["points"]:
        strong, high = p["score"] >= r["median_score"], p["need"] >= r["median_need"]
        assert (
            p["quadrant"] == f"{'strong' if strong else 'weak'}, {'high' if high else 'low'} need"
        )
    with pytest.raises(QueryError, match="matches none"):
        need_quadrants({"a": 1.0}, {"zz": 1.0})


def test_group_reach_is_the_cascade_of_each_group_on_common_worlds(derby):
    seeds, probs = default_seeds(derby), edge_probabilities(derby)
    hp = [s for s in seeds if HP in derby.nodes[s]["districts"]]
    r = group_reach(derby, {"all": seeds, "hp": hp, "none": []}, probs, runs=128, seed=5)
    ic = independent_cascade(derby, seeds, probabilities=probs, runs=128, seed=5)
    assert r["all"] == pytest.approx(ic.expected_reach, abs=1e-12)  # group 0 runs 0..127
    assert r["none"] == 0.0 and len(hp) <= r["hp"] <= 11 + 2  # High Peak's nodes and navigators


@pytest.mark.parametrize("runs", [1, 64, 130, 256])
def test_group_reach_counts_are_the_cascades_counts_on_the_same_worlds(derby, runs):
    # The index reads its all-seeds cascade from group_reach's worlds instead of drawing
    # them again: node counts and the district shares must equal independent_cascade's.
    seeds, probs = default_seeds(derby), edge_probabilities(derby)
    own = {"hp": [s for s in seeds if HP in derby.nodes[s]["districts"]], "none": []}
    r, count = group_reach(derby, own, probs, runs=runs, seed=11, counts_for=seeds)
    ic = independent_cascade(derby, seeds, probabilities=probs, runs=runs, seed=11)
    assert r == group_reach(derby, own, probs, runs=runs, seed=11)
    assert [int(c) for c in count] == [round(ic.probability[n] * runs) for n in derby]
    assert reach_by_district(derby, seeds, runs, count) == ic.reach_by_district
    assert ic.reach_by_district  # something to compare
    _, nothing = group_reach(derby, {}, probs, runs=runs, seed=11, counts_for=[])
    assert not nothing.any()


runner = CliRunner()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    ws = tmp_path_factory.mktemp("ws")
    mp = pytest.MonkeyPatch()
    mp.setenv("GRIDVOICES_WORKSPACE", str(ws))
    mp.setenv("COLUMNS", "200")
    assert runner.invoke(app, ["import", str(DERBYSHIRE), "--quiet"]).exit_code == 0
    yield ws
    mp.undo()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_cli_index_json_and_table(loaded, result):
    r = run("index", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert [d["band"] for d in data["districts"]] == [d["band"] for d in result["districts"]]
    text = run("index").stdout
    assert "District recovery ecosystem index" in text and "Sensitivity:" in text


def test_cli_index_weights_population_need_and_errors(loaded, tmp_path):
    w = tmp_path / "w.toml"
    w.write_text("[components]\nvoice = 0\nreach = 2\n")
    data = json.loads(run("index", "--json", "--weights", w).stdout)
    assert "voice" not in data["components"] and data["weights"]["components"]["reach"] == 2.0
    need = tmp_path / "need.csv"
    need.write_text("district,need\nHigh Peak,40\nBolsover,30\nChesterfield,10\n")
    data = json.loads(run("index", "--json", "--need", need).stdout)
    assert len(data["need"]["points"]) == 3 and len(data["need"]["missing"]) == 5
    w.write_text("[indicators]\nnope = 1\n")
    bad = run("index", "--weights", w)
    assert bad.exit_code == 2 and "unknown indicator 'nope'" in bad.stderr


def test_index_with_no_districts_says_there_is_nothing_to_score():
    G = nx.DiGraph(districts={}, borders=set(), organisations={}, periods=["2024-Q1"])
    G.add_node("s", type="Service", districts=[], district=None, active=True)
    r = recovery_index(G, runs=64, seed=1)
    assert r["districts"] == [] and r["sensitivity"] is None
    assert r["notes"] == ["no districts: nothing to score"]
    assert r["indicators"] == [] and r["components"] == []


def test_score_on_a_fixed_scale_moves_only_the_changed_unit():
    spec = {"x": ("c", "x")}
    w = {"components": {"c": 1.0}, "indicators": {"x": 1.0}}
    base = score({"a": {"x": 1}, "b": {"x": 2}, "c": {"x": 3}}, spec, w, ("c",))
    # c loses: re-ranked, a and b would rise; on the baseline's scale they stay.
    after = score({"a": {"x": 1}, "b": {"x": 2}, "c": {"x": 0}}, spec, w, ("c",),
                  scale=base["scale"])  # fmt: skip
    assert after["bands"]["a"] == base["bands"]["a"] and after["bands"]["b"] == base["bands"]["b"]
    assert after["overall"]["a"] == base["overall"]["a"]
    assert after["bands"]["c"] == 5 and base["bands"]["c"] == 1
    again = score({"a": {"x": 1}, "b": {"x": 2}, "c": {"x": 0}}, spec, w, ("c",))
    assert again["bands"]["b"] < base["bands"]["b"]
