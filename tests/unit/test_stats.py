"""Statistics on graphs where the answer is known (queries.stats*, `gridvoices stats`)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion import default_seeds, edge_probabilities, independent_cascade
from gridvoices.queries.graph import build_graph
from gridvoices.queries.stats import (
    adjust_pvalues,
    barrier_test,
    diffusion_stats,
    morans_i,
    place_navigators,
    statistics,
)
from gridvoices.queries.stats.worlds import Worlds
from gridvoices.stores.store import validate_paths
from typer.testing import CliRunner

import gridvoices.cli.index  # noqa: F401
import gridvoices.cli.main  # noqa: F401  (registers the commands)
from gridvoices.cli.common import app
from tests.conftest import DERBYSHIRE


@pytest.fixture(scope="module")
def derby() -> nx.DiGraph:
    report, tables = validate_paths([Path(DERBYSHIRE)])
    assert report.valid
    return build_graph(tables)


def clusters(sizes: dict, p_in: float, p_across: float, seed: int, borders=None) -> nx.DiGraph:
    """Districts of the given sizes; random referral links inside (p_in) and across (p_across)."""
    rng = random.Random(seed)
    G = nx.DiGraph(
        districts={d: {"name": d} for d in sizes},
        borders=borders or {frozenset(p) for p in zip(sizes, list(sizes)[1:], strict=False)},
        organisations={},
    )
    nodes = [(f"{d}{i}", d) for d, k in sizes.items() for i in range(k)]
    for n, d in nodes:
        G.add_node(n, type="Service", district=d, districts=[d], active=True, name=n)
    for u, du in nodes:
        for v, dv in nodes:
            if u != v and rng.random() < (p_in if du == dv else p_across):
                G.add_edge(u, v, referrals=rng.randint(1, 20))
    return G


def test_planted_barrier_is_significant():
    G = clusters({"A": 15, "B": 15, "C": 15}, 0.3, 0.0, seed=1)
    for u, v in (("A0", "C0"), ("C1", "A1"), ("B0", "C2"), ("C3", "B1")):
        G.add_edge(u, v, referrals=10)  # C talks to both; A and B never to each other
    G.graph["borders"] = {frozenset("AB"), frozenset("AC"), frozenset("BC")}
    r = barrier_test(G, permutations=2000, seed=2)
    ab = next(x for x in r["pairs"] if {x["a"], x["b"]} == {"A", "B"})
    assert ab["observed"] == 0 and ab["p_value"] < 0.01 and ab["p_adjusted"] < 0.01
    assert ab["significant"] and "a barrier beyond chance" in ab["why"]
    assert ab["null_mean"] > 50 and ab["permeability"] == 0.0


def test_random_labelling_is_not_a_barrier():
    G = clusters({"A": 15, "B": 15}, 0.15, 0.15, seed=3)
    labels = ["A"] * 15 + ["B"] * 15
    ps = []
    for trial in range(40):
        random.Random(trial).shuffle(labels)
        H = G.copy()  # a new graph: its referral projection is not cached
        for n, d in zip(sorted(H, key=lambda x: (x[0], int(x[1:]))), labels, strict=True):
            H.nodes[n]["district"] = d
        ps.append(barrier_test(H, permutations=200, seed=trial)["pairs"][0]["p_value"])
    assert sum(p < 0.05 for p in ps) <= 6  # about 2 expected of 40 at the 5% level
    assert 0.3 < np.median(ps) < 0.7  # p-values under the null spread over (0, 1]


def test_p_values_are_exact_permutation_shares(derby):
    r = barrier_test(derby, permutations=999, seed=5)
    for row in r["pairs"]:
        k = row["p_value"] * 1000
        assert abs(k - round(k)) < 0.05 and 1 <= round(k) <= 1000
    # High Peak's border carries nothing and is the least likely by chance
    assert {r["pairs"][0]["a_name"], r["pairs"][0]["b_name"]} == {"Derbyshire Dales", "High Peak"}
    assert r["pairs"][0]["observed"] == 0 and r["tested"] == 12
    assert barrier_test(derby, permutations=999, seed=5) == r  # repeatable from the seed


def test_multiple_testing_corrections():
    p = [0.01, 0.04, 0.03, 0.2]
    assert adjust_pvalues(p, "bh").round(4).tolist() == [0.04, 0.0533, 0.0533, 0.2]
    assert adjust_pvalues(p, "holm").round(4).tolist() == [0.04, 0.09, 0.09, 0.2]
    assert adjust_pvalues([], "bh").size == 0
    with pytest.raises(QueryError, match="correction"):
        adjust_pvalues(p, "bonferroni")


def test_organisation_pairs_tested_when_expected(derby):
    r = barrier_test(derby, level="organisation", permutations=200, min_expected=5, seed=1)
    assert r["tested"] == len(r["pairs"]) > 0
    assert all(x["expected"] >= 5 for x in r["pairs"])
    with pytest.raises(QueryError, match="level"):
        barrier_test(derby, level="kind")


def test_morans_i_of_a_constant_is_undefined_never_a_number():
    G = nx.cycle_graph(8)
    r = morans_i(G, dict.fromkeys(G, 0.7))
    assert r["value"] is None and r["p_value"] is None and "undefined" in r["reason"]
    assert morans_i(nx.empty_graph(5), dict(enumerate(range(5))))["value"] is None
    # a cascade that reaches everyone with certainty: activation constant
    H = nx.DiGraph(nx.path_graph(5))
    d = diffusion_stats(H, [0], probabilities={e: 1.0 for e in H.edges}, runs=16, seed=1)
    assert d["morans_i"]["value"] is None and "0/0" in d["morans_i"]["reason"]
    assert "undefined" in d["why"]


def test_morans_i_value_and_permutation_p():
    G = nx.grid_2d_graph(6, 6)
    rng = np.random.default_rng(0)
    x = {n: rng.normal() for n in G}
    n = len(x)
    z = np.array([x[v] for v in G]) - np.mean(list(x.values()))
    A = nx.to_numpy_array(G)
    expected = n / A.sum() * (z @ A @ z) / (z @ z)
    r = morans_i(G, x, permutations=499, seed=1)
    assert r["value"] == pytest.approx(expected, abs=1e-4)
    assert r["expected"] == pytest.approx(-1 / (n - 1), abs=1e-4)
    smooth = {(i, j): float(i + j) for i, j in G}  # a gradient: strongly clustered
    assert morans_i(G, smooth, permutations=499, seed=1)["p_value"] <= 0.01


def test_exposure_threshold_susceptibility_infectiousness_on_a_known_cascade():
    G = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")])
    d = diffusion_stats(G, ["a"], probabilities={e: 1.0 for e in G.edges}, runs=8, seed=1)
    rows = {r["id"]: r for r in d["nodes"]}
    assert [rows[v]["mean_step"] for v in "abcd"] == [0, 1, 1, 2]
    assert rows["c"]["exposure"] == 1.0 and rows["c"]["threshold"] == 0.5  # only a before it
    assert rows["c"]["susceptibility"] == 1.0 and rows["d"]["threshold"] == 1.0
    assert rows["a"]["infectiousness"] == 1.0  # b and c adopt the step after a
    assert rows["b"]["infectiousness"] is None  # c adopts with b, not after
    assert rows["a"]["threshold"] is None  # a seed never crosses a threshold
    assert [h["hazard"] for h in d["hazard"]] == [round(2 / 3, 4), 1.0]


def test_activation_times_reproduce_the_cascade(derby):
    seeds, probs = default_seeds(derby), edge_probabilities(derby)
    r = independent_cascade(derby, seeds, probabilities=probs, runs=300, seed=9)
    T = Worlds(derby, seeds, probs, runs=300, seed=9).times()
    assert np.array_equal(T >= 0, r.matrix())
    d = diffusion_stats(derby, runs=300, seed=9, permutations=99)
    adopt = {x["id"]: x["adoption"] for x in d["nodes"]}
    assert all(adopt[n] == pytest.approx(p, abs=1e-4) for n, p in r.probability.items())


def test_structural_test_finds_clustering_on_the_network():
    G = nx.DiGraph()
    a, b = [f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]
    for part, p in ((a, 0.6), (b, 0.05)):
        for u in part:
            for v in part:
                if u != v:
                    G.add_edge(u, v, p=p)
    G.add_edge("a7", "b0", p=0.05)
    probs = {(u, v): e["p"] for u, v, e in G.edges(data=True)}
    d = diffusion_stats(G, ["a0", "b0"], probabilities=probs, runs=400, permutations=499, seed=2)
    assert d["morans_i"]["value"] > 0.3 and d["morans_i"]["p_value"] < 0.01
    assert d["structural"]["p_value"] < 0.01
    assert d["structural"]["null_mean"] < d["morans_i"]["value"]


def test_navigator_greedy_is_exact_lazy_greedy_and_beats_the_baselines(derby):
    r = place_navigators(derby, 2, runs=200, random_trials=10, seed=3)
    assert (
        r["greedy"]["gain"] >= r["degree"]["gain"]
        and r["greedy"]["gain"] >= r["random"]["gain_max"]
    )
    assert r["random"]["greedy_beats"] == 1.0
    picks = [p["id"] for p in r["greedy"]["positions"]]
    assert r["greedy"]["gain"] == pytest.approx(sum(p["gain"] for p in r["greedy"]["positions"]))
    # the first pick is the best single position among all candidates (plain greedy)
    singles = {
        c: place_navigators(derby, 1, candidates=[c], runs=200, random_trials=0, seed=3)["greedy"][
            "gain"
        ]
        for c in ("svc-probation", "svc-emp-bo", "svc-hp-housing", "svc-spoc", "svc-nav-sd")
    }
    assert r["greedy"]["positions"][0]["gain"] == pytest.approx(max(singles.values()))
    assert picks[0] == max(singles, key=singles.get)
    with pytest.raises(QueryError, match="k must be"):
        place_navigators(derby, 0)


def test_statistics_bundle_and_errors(derby):
    r = statistics(derby, ["barriers", "navigators"], permutations=100, runs=64, k=1, seed=1)
    assert set(r["barriers"]) == {"district", "organisation"} and r["navigators"]["k"] == 1
    assert "contagion" not in r
    with pytest.raises(QueryError, match="unknown statistics"):
        statistics(derby, ["magic"])


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


def test_cli_stats(loaded):
    data = json.loads(run("stats", "barriers", "--json", "--level", "district").stdout)
    pairs = data["barriers"]["district"]["pairs"]
    assert len(pairs) == 12 and all(0 < p["p_value"] <= 1 for p in pairs)
    stars = [p for p in pairs if p["observed"] == "*"]
    assert stars and all(p["permeability"] == "*" for p in stars)  # small counts stay hidden
    data = json.loads(
        run("stats", "contagion", "--json", "--runs", "200", "--permutations", "99").stdout
    )
    assert data["contagion"]["morans_i"]["permutations"] == 99
    text = run("stats", "--runs", "100", "--permutations", "99", "--top", "3").stdout
    for part in ("Barriers between districts", "Hazard of adoption", "Navigator positions"):
        assert part in text
    assert run("stats", "magic").exit_code == 2
    assert run("stats", "barriers", "--correction", "none").exit_code == 2
