"""Peer contagion (queries.contagion): invariants, plain reference implementations, EoN, Derbyshire.

The vectorised simulations are checked three ways: invariants whose answers are
certain (probability 1 reaches exactly the reachable set, 0 only the seeds); a
plain Python loop fed the same counter-based random draws, which must give the
very same cascades run by run; and independent implementations (a plain loop
with its own random numbers, and the EoN library) which must agree within
Monte Carlo error.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion import (
    FORMULA,
    EdgeProbabilities,
    activation_table,
    cascade_stops,
    default_candidates,
    default_seeds,
    edge_probabilities,
    independent_cascade,
    linear_threshold,
    most_probable_paths,
    normalised_weights,
    suggest_links,
)
from gridvoices.queries.contagion.sim import resolve_seed, uniforms
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from typer.testing import CliRunner

from tests.conftest import DERBYSHIRE

HP, DD = "E07000037", "E07000035"


@pytest.fixture(scope="module")
def derby() -> nx.DiGraph:
    report, tables = validate_paths([Path(DERBYSHIRE)])
    assert report.valid
    return build_graph(tables)


@pytest.fixture(scope="module")
def outside_hp(derby) -> list:
    return [s for s in default_seeds(derby) if HP not in derby.nodes[s]["districts"]]


def flows(edges, referrals):
    G = nx.DiGraph()
    G.add_edges_from(edges, referrals=referrals)
    return G


def random_digraph(n=30, p=0.12, seed=3):
    G = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    rng = random.Random(seed)
    probs = {e: round(rng.uniform(0.05, 0.9), 3) for e in G.edges}
    return G, probs


def tolerance(p1: float, n1: int, p2: float, n2: int) -> float:
    """Four standard errors of the difference of two Monte Carlo shares, plus a little slack."""
    return 4 * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) + 2 / min(n1, n2)


# Plain reference implementations -------------------------------------------------------------


def reference_ic(G, probs, seeds, runs, seed):
    """Independent cascade one run, one node, one edge at a time, with the library's draws."""
    _, key = resolve_seed(seed)
    nodes = list(G)
    ix = {v: i for i, v in enumerate(nodes)}
    n = len(nodes)
    out = {}
    for (u, v), p in probs.items():
        if p > 0:
            out.setdefault(u, []).append((v, p))
    finals = []
    for r in range(runs):
        active, frontier = set(seeds), list(seeds)
        while frontier:
            new = []
            for u in frontier:
                for v, p in out.get(u, []):
                    if v in active:
                        continue
                    draw = uniforms(key, np.array([r]), np.array([ix[u] * n + ix[v]]))[0]
                    if draw < p:
                        active.add(v)
                        new.append(v)
            frontier = new
        finals.append(active)
    return finals


def reference_ic_own_random(G, probs, seeds, runs, rng):
    counts = dict.fromkeys(G, 0)
    for _ in range(runs):
        active, frontier = set(seeds), list(seeds)
        while frontier:
            new = []
            for u in frontier:
                for v in G.successors(u):
                    if v not in active and rng.random() < probs.get((u, v), 0):
                        active.add(v)
                        new.append(v)
            frontier = new
        for v in active:
            counts[v] += 1
    return {v: c / runs for v, c in counts.items()}


def reference_lt(G, weights, seeds, runs, thresholds=None, seed=None, rng=None):
    """Threshold dynamics, synchronous steps; thresholds fixed, from the library's draws
    (``seed``) or from ``rng``. Returns each run's final active set."""
    w = normalised_weights(weights)
    nodes = list(G)
    n = len(nodes)
    key = resolve_seed(seed)[1] if seed is not None else None
    finals = []
    for r in range(runs):
        theta = {}
        for i, v in enumerate(nodes):
            if thresholds is not None and v in thresholds:
                theta[v] = thresholds[v]
            elif key is not None:
                theta[v] = 1.0 - uniforms(key, np.array([r]), np.array([2 * n * n + i]))[0]
            else:
                theta[v] = 1.0 - rng.random()
        active = set(seeds)
        while True:
            infl = {}
            for (u, v), x in w.items():
                if u in active and v not in active:
                    infl[v] = infl.get(v, 0.0) + x
            new = {v for v, s in infl.items() if s >= theta[v]}
            if not new:
                break
            active |= new
        finals.append(active)
    return finals


def shares(G, finals):
    return {v: sum(v in a for a in finals) / len(finals) for v in G}


# Edge probabilities ------------------------------------------------------------------------


class TestEdgeProbabilities:
    def test_documented_values(self):
        G = nx.DiGraph()
        for r, (u, v) in zip([1, 5, 20], [("a", "b"), ("b", "c"), ("c", "d")], strict=True):
            G.add_edge(u, v, referrals=r)
        p = edge_probabilities(G)
        assert p["a", "b"] == pytest.approx(1 - math.exp(-0.1))
        assert (round(p["a", "b"], 2), round(p["b", "c"], 2), round(p["c", "d"], 2)) == (
            0.1,
            0.39,
            0.86,
        )

    def test_referral_and_peer_combine_and_peer_runs_both_ways(self):
        G = nx.DiGraph()
        G.add_edge("n", "s", referrals=10, peer_kind="mentors_at", strength=0.6)
        p = edge_probabilities(G, referral_scale=10, peer_factor=0.5)
        p_ref, p_peer = 1 - math.exp(-1), 0.3
        assert p["n", "s"] == pytest.approx(1 - (1 - p_ref) * (1 - p_peer))
        assert p["s", "n"] == pytest.approx(p_peer)
        one_way = edge_probabilities(G, peer_both_ways=False)
        assert ("s", "n") not in one_way

    def test_reverse_peer_channel_merges_with_referrals_that_way(self):
        G = nx.DiGraph()
        G.add_edge("g", "s", referrals=0, peer_kind="links_with", strength=1.0)
        G.add_edge("s", "g", referrals=5)
        p = edge_probabilities(G)
        assert p["s", "g"] == pytest.approx(1 - math.exp(-0.5) * 0.5)

    def test_blank_strength_counts_as_one(self):
        G = nx.DiGraph()
        G.add_edge("g", "s", referrals=0, peer_kind="attends", strength=None)
        assert edge_probabilities(G, peer_factor=0.4)["g", "s"] == pytest.approx(0.4)

    def test_overrides(self):
        G = flows([("a", "b"), ("b", "c")], 3)
        p = edge_probabilities(G, override={("a", "b"): 0.9, ("c", "a"): 0.2})
        assert p["a", "b"] == 0.9 and p["c", "a"] == 0.2
        q = edge_probabilities(G, override=lambda u, v, d: 0.5 if u == "b" else None)
        assert q["b", "c"] == 0.5 and q["a", "b"] == pytest.approx(1 - math.exp(-0.3))

    def test_a_changed_dict_forgets_its_arrays(self):
        G = flows([("a", "b")], 3)
        p = edge_probabilities(G)
        assert isinstance(p, EdgeProbabilities) and p.arrays_for(list(G)) is not None
        p["a", "b"] = 1.0
        assert p.arrays_for(list(G)) is None
        r = independent_cascade(G, ["a"], probabilities=p, runs=50, seed=0)
        assert r.probability["b"] == 1.0

    @pytest.mark.parametrize(
        "kwargs, message",
        [
            ({"referral_scale": 0}, "referral_scale must be a positive number"),
            ({"peer_factor": 1.5}, "peer_factor must be a number from 0 to 1"),
            ({"override": {("a", "zz"): 0.5}}, "'zz' is not a node"),
            ({"override": {("a", "b"): 2}}, "must be a number from 0 to 1"),
            ({"override": {("a", "a"): 0.5}}, "to itself"),
            ({"override": lambda u, v, d: -1}, "must be a number from 0 to 1"),
            ({"override": 3}, "override must be a dict"),
        ],
    )
    def test_bad_input(self, kwargs, message):
        G = flows([("a", "b")], 1)
        with pytest.raises(QueryError, match=message):
            edge_probabilities(G, **kwargs)

    def test_derbyshire_every_channel_is_a_probability(self, derby):
        p = edge_probabilities(derby)
        assert set(derby.edges) <= set(p)
        assert all(0 <= x <= 1 for x in p.values())
        assert "referral_scale" in FORMULA


class TestDefaultSeeds:
    def test_derbyshire(self, derby):
        seeds = set(default_seeds(derby))
        types = {derby.nodes[s]["type"] for s in seeds}
        assert types == {"Service", "Group", "Navigator"}
        assert {
            n for n, a in derby.nodes(data=True) if a["type"] in ("Group", "Navigator")
        } <= seeds
        services = {s for s in seeds if derby.nodes[s]["type"] == "Service"}
        assert all(derby.nodes[s]["lived_experience_led"] for s in services)
        assert all(derby.nodes[s]["active"] for s in seeds)
        assert "svc-nav-sd" in seeds and "svc-spoc" not in seeds


# Independent cascade -----------------------------------------------------------------------


class TestIndependentCascade:
    def test_probability_one_reaches_exactly_the_reachable_set(self):
        G, _ = random_digraph(40, 0.05, seed=7)
        seeds = [0, 1]
        r = independent_cascade(G, seeds, probabilities=dict.fromkeys(G.edges, 1.0), runs=20)
        reach = set(seeds).union(*(nx.descendants(G, s) for s in seeds))
        assert {v for v, p in r.probability.items() if p == 1.0} == reach
        assert {v for v, p in r.probability.items() if p == 0.0} == set(G) - reach
        assert r.expected_reach == len(reach) and r.reach_sd == 0

    def test_probability_one_on_derbyshire(self, derby, outside_hp):
        probs = dict.fromkeys(edge_probabilities(derby), 1.0)
        r = independent_cascade(derby, outside_hp, probabilities=probs, runs=10, seed=1)
        H = nx.DiGraph(list(probs))
        H.add_nodes_from(derby)
        reach = set(outside_hp).union(*(nx.descendants(H, s) for s in outside_hp))
        assert {v for v, p in r.probability.items() if p == 1.0} == reach

    def test_probability_zero_reaches_only_the_seeds(self):
        G, _ = random_digraph()
        r = independent_cascade(G, [0, 5], probabilities=dict.fromkeys(G.edges, 0.0), runs=50)
        assert {v for v, p in r.probability.items() if p > 0} == {0, 5}
        assert r.steps == [2.0] and r.expected_reach == 2

    def test_reproducible_from_the_seed(self):
        G, probs = random_digraph()
        a = independent_cascade(G, [0], probabilities=probs, runs=300, seed=11)
        b = independent_cascade(G, [0], probabilities=probs, runs=300, seed=11)
        c = independent_cascade(G, [0], probabilities=probs, runs=300, seed=12)
        assert a.probability == b.probability and (a.matrix() == b.matrix()).all()
        assert a.probability != c.probability
        fresh = independent_cascade(G, [0], probabilities=probs, runs=300)
        again = independent_cascade(G, [0], probabilities=probs, runs=300, seed=fresh.seed)
        assert fresh.probability == again.probability

    @pytest.mark.parametrize("make", [np.random.default_rng, random.Random])
    def test_generators_are_seeds_too(self, make):
        G, probs = random_digraph()
        a = independent_cascade(G, [0], probabilities=probs, runs=100, seed=make(5))
        b = independent_cascade(G, [0], probabilities=probs, runs=100, seed=make(5))
        assert a.probability == b.probability and isinstance(a.seed, int)

    @pytest.mark.parametrize("graph_seed", [1, 2, 3])
    def test_same_cascades_as_a_plain_loop_with_the_same_draws(self, graph_seed):
        G, probs = random_digraph(25, 0.15, seed=graph_seed)
        r = independent_cascade(G, [0, 3], probabilities=probs, runs=64 + 37, seed=graph_seed)
        finals = reference_ic(G, probs, [0, 3], r.runs, graph_seed)
        nodes = list(G)
        M = r.matrix()
        for run, active in enumerate(finals):
            assert {nodes[i] for i in np.flatnonzero(M[run])} == active

    def test_agrees_with_a_plain_loop_with_its_own_random_numbers(self):
        G, probs = random_digraph(30, 0.1, seed=5)
        runs = 4000
        r = independent_cascade(G, [0], probabilities=probs, runs=runs, seed=0)
        ref = reference_ic_own_random(G, probs, [0], runs, random.Random(1))
        for v in G:
            assert abs(r.probability[v] - ref[v]) <= tolerance(r.probability[v], runs, ref[v], runs)

    def test_steps_add_up_to_the_reach(self):
        G, probs = random_digraph()
        r = independent_cascade(G, [0, 1], probabilities=probs, runs=500, seed=2)
        assert r.steps[0] == 2
        assert sum(r.steps) == pytest.approx(r.expected_reach)
        assert sum(r.probability.values()) == pytest.approx(r.expected_reach)

    def test_reach_by_district_sums_its_nodes(self, derby):
        r = independent_cascade(derby, default_seeds(derby), runs=200, seed=3)
        for d, rec in r.reach_by_district.items():
            members = [n for n in derby if d in derby.nodes[n]["districts"]]
            assert rec["nodes"] == len(members)
            assert rec["expected"] == pytest.approx(
                sum(r.probability[n] for n in members), abs=1e-3
            )
            assert rec["share"] == pytest.approx(rec["expected"] / rec["nodes"], abs=1e-3)
            assert rec["name"] in rec["why"]

    @pytest.mark.parametrize(
        "kwargs, message",
        [
            ({"seeds": []}, "no seeds"),
            ({"seeds": ["nope"]}, "'nope' is not a node"),
            ({"seeds": "a"}, "seeds must be a list"),
            ({"runs": 0}, "runs must be from 1"),
            ({"runs": True}, "runs must be a whole number"),
            ({"runs": 2.5}, "runs must be a whole number"),
            ({"seed": -1}, "seed must be a non-negative int"),
            ({"seed": "x"}, "seed must be None"),
            ({"probabilities": {("a", "b"): 1.2}}, "from 0 to 1"),
            ({"probabilities": {("a", "zz"): 0.2}}, "'zz' is not a node"),
            ({"probabilities": [("a", "b")]}, "must be a dict"),
        ],
    )
    def test_bad_input(self, kwargs, message):
        G = flows([("a", "b")], 1)
        args = {"seeds": ["a"], **kwargs}
        seeds = args.pop("seeds")
        with pytest.raises(QueryError, match=message):
            independent_cascade(G, seeds, **args)


class TestAgainstEoN:
    """The same graph, seeds and edge probabilities through EoN's discrete SIR.

    A discrete SIR in which each infected node tries each neighbour once, for one
    time step, is the independent cascade. EoN's ``G.neighbors`` on a DiGraph are
    the successors, so it follows edge direction as the library does.
    """

    def eon_shares(self, G, probs, seeds, runs):
        EoN = pytest.importorskip("EoN")
        rng = np.random.default_rng(0)
        counts = dict.fromkeys(G, 0)
        for _ in range(runs):
            hit = set(seeds)

            def transmit(u, v, hit=hit):
                ok = rng.random() < probs.get((u, v), 0.0)
                if ok:
                    hit.add(v)
                return ok

            EoN.discrete_SIR(G, transmit, (), initial_infecteds=list(seeds), rng=rng)
            for v in hit:
                counts[v] += 1
        return {v: c / runs for v, c in counts.items()}

    def test_derbyshire_from_a_few_seeds(self, derby):
        probs = edge_probabilities(derby)
        H = nx.DiGraph(list(probs))
        H.add_nodes_from(derby)
        seeds = ["svc-hub-ch", "grp-er-aa-1", "nav-05"]
        runs = 1500
        r = independent_cascade(derby, seeds, probabilities=probs, runs=runs, seed=4)
        eon = self.eon_shares(H, probs, seeds, runs)
        assert 0.05 < np.mean([r.probability[v] for v in derby]) < 0.95
        for v in derby:
            p, q = r.probability[v], eon[v]
            assert abs(p - q) <= tolerance(p, runs, q, runs), v

    def test_random_digraph(self):
        G, probs = random_digraph(40, 0.08, seed=9)
        runs = 3000
        r = independent_cascade(G, [0, 1, 2], probabilities=probs, runs=runs, seed=8)
        eon = self.eon_shares(G, probs, [0, 1, 2], runs)
        for v in G:
            p, q = r.probability[v], eon[v]
            assert abs(p - q) <= tolerance(p, runs, q, runs), v


# Linear threshold --------------------------------------------------------------------------


class TestLinearThreshold:
    def test_threshold_at_most_the_weight_propagates_fully(self):
        G = nx.path_graph(6, create_using=nx.DiGraph)
        r = linear_threshold(G, [0], weights=dict.fromkeys(G.edges, 0.5), thresholds=0.5, runs=5)
        assert set(r.probability.values()) == {1.0}
        assert r.steps == [1.0] * 6

    def test_threshold_above_the_weight_stops_at_the_seed(self):
        G = nx.path_graph(4, create_using=nx.DiGraph)
        r = linear_threshold(G, [0], weights=dict.fromkeys(G.edges, 0.5), thresholds=0.51, runs=5)
        assert {v for v, p in r.probability.items() if p > 0} == {0}

    def test_weights_are_normalised(self):
        G = nx.DiGraph([("a", "c"), ("b", "c")])
        w = {("a", "c"): 0.9, ("b", "c"): 0.6}
        r = linear_threshold(G, ["a", "b"], weights=w, thresholds=1.0, runs=5)
        assert r.probability["c"] == 1.0
        assert r.edge_p["a", "c"] == pytest.approx(0.6) and r.edge_p["b", "c"] == pytest.approx(0.4)

    def test_zero_weights_reach_only_the_seeds(self):
        G, _ = random_digraph()
        r = linear_threshold(G, [2], weights=dict.fromkeys(G.edges, 0.0), runs=50, seed=1)
        assert {v for v, p in r.probability.items() if p > 0} == {2}

    def test_random_thresholds_on_a_path_multiply_the_weights(self):
        G = nx.path_graph(4, create_using=nx.DiGraph)
        w = {(0, 1): 0.8, (1, 2): 0.5, (2, 3): 0.9}
        runs = 5000
        r = linear_threshold(G, [0], weights=w, runs=runs, seed=3)
        for v, expected in [(1, 0.8), (2, 0.4), (3, 0.36)]:
            assert abs(r.probability[v] - expected) <= 4 * math.sqrt(expected / runs)

    def test_given_thresholds_match_a_plain_loop_with_the_same_draws(self):
        G, w = random_digraph(25, 0.2, seed=4)
        fixed = {1: 0.3, 2: 0.9}
        r = linear_threshold(G, [0], weights=w, thresholds=fixed, runs=120, seed=6)
        finals = reference_lt(G, w, [0], 120, thresholds=fixed, seed=6)
        nodes, M = list(G), r.matrix()
        for run, active in enumerate(finals):
            assert {nodes[i] for i in np.flatnonzero(M[run])} == active

    def test_live_edge_form_agrees_with_threshold_dynamics(self):
        G, w = random_digraph(25, 0.15, seed=3)
        runs = 4000
        r = linear_threshold(G, [0, 1], weights=w, runs=runs, seed=1)
        ref = shares(G, reference_lt(G, w, [0, 1], runs, rng=random.Random(2)))
        for v in G:
            p, q = r.probability[v], ref[v]
            assert abs(p - q) <= tolerance(p, runs, q, runs), v

    def test_reproducible(self, derby):
        a = linear_threshold(derby, default_seeds(derby), runs=200, seed=9)
        b = linear_threshold(derby, default_seeds(derby), runs=200, seed=9)
        assert a.probability == b.probability and a.model == "linear_threshold"

    @pytest.mark.parametrize(
        "kwargs, message",
        [
            ({"thresholds": 0}, "must be above 0"),
            ({"thresholds": 1.5}, "from 0 to 1"),
            ({"thresholds": {"zz": 0.5}}, "'zz' is not a node"),
            ({"weights": {("a", "b"): -0.1}}, "from 0 to 1"),
        ],
    )
    def test_bad_input(self, kwargs, message):
        G = nx.DiGraph([("a", "b")])
        with pytest.raises(QueryError, match=message):
            linear_threshold(G, ["a"], **kwargs)


# Explanations ------------------------------------------------------------------------------


class TestActivationTable:
    def test_rows_explain_themselves(self):
        G = nx.DiGraph([("a", "b"), ("b", "c")])
        G.add_node("d")
        r = independent_cascade(G, ["a"], probabilities={("a", "b"): 0.5, ("b", "c"): 0.0})
        rows = {x["id"]: x for x in activation_table(G, r)}
        assert rows["a"]["seed"] and "seed" in rows["a"]["why"]
        assert f"of {r.runs} runs" in rows["b"]["why"]
        assert "no chain" in rows["c"]["why"] and "no chain" in rows["d"]["why"]
        assert [x["id"] for x in activation_table(G, r, limit=2)] == ["a", "b"]


class TestMostProbablePaths:
    def test_max_product_beats_fewer_hops(self):
        G = nx.DiGraph()
        G.add_node("s", type="Group", org_kind="mutual_aid")
        for n, kind in [("t", "treatment"), ("h", "housing")]:
            G.add_node(n, type="Service", org_kind=kind)
        p = {("s", "t"): 0.9, ("t", "h"): 0.8, ("s", "h"): 0.5}
        G.add_edges_from(p)
        r = most_probable_paths(G, ["s"], p)
        assert r["housing"]["path"] == ["s", "t", "h"]
        assert r["housing"]["probability"] == pytest.approx(0.72)
        assert "0.90 x 0.80" in r["housing"]["why"]
        assert r["treatment"]["path"] == ["s", "t"]

    def test_unreachable_kind(self):
        G = nx.DiGraph()
        G.add_node("s", type="Group", org_kind="mutual_aid")
        G.add_node("x", type="Service", org_kind="housing")
        r = most_probable_paths(G, ["s"], {})
        assert r["housing"]["path"] is None and r["housing"]["probability"] == 0
        assert "no chain" in r["housing"]["why"]

    def test_high_peak_cannot_be_reached_from_outside(self, derby, outside_hp):
        r = most_probable_paths(derby, outside_hp, by="district")
        assert r[HP]["path"] is None
        assert "no link at all enters High Peak from another district" in r[HP]["why"]
        assert all(r[d]["path"] for d in r if d != HP)
        kinds = most_probable_paths(derby, outside_hp)
        assert "High Peak" in kinds["mutual_aid"]["why"]

    def test_bad_by(self, derby):
        with pytest.raises(QueryError, match="by must be"):
            most_probable_paths(derby, ["svc-nav-sd"], by="colour")


class TestCascadeStops:
    def test_weak_link_on_a_path(self):
        G = nx.DiGraph([("a", "b"), ("b", "c")])
        r = independent_cascade(
            G, ["a"], probabilities={("a", "b"): 1.0, ("b", "c"): 0.1}, runs=2000, seed=1
        )
        (stop,) = cascade_stops(G, r)
        assert (stop["kind"], stop["source"], stop["target"]) == ("link", "b", "c")
        assert stop["stopped"] == pytest.approx(1 - r.probability["c"])
        assert stop["stopped"] == pytest.approx(0.9, abs=0.03)
        assert "p 0.10" in stop["why"]

    def test_high_peak_border_is_where_cascades_stop(self, derby, outside_hp):
        r = independent_cascade(derby, outside_hp, runs=1000, seed=42)
        hp_nodes = [n for n in derby if HP in derby.nodes[n]["districts"]]
        assert max(r.probability[n] for n in hp_nodes) == 0
        assert r.reach_by_district[HP]["expected"] == 0
        stops = cascade_stops(derby, r)
        border = [s for s in stops if s["kind"] == "border"]
        assert [(s["from_district"], s["to_district"]) for s in border] == [(DD, HP)]
        (b,) = border
        assert b["links"] == 0 and b["strongest"] is None and b["runs_reaching"] == 0
        assert b["share_to"] == 0 and b["share_from"] > 0.5
        assert "no referral or peer link runs from Derbyshire Dales into High Peak" in b["why"]

    def test_small_counts_are_suppressed_in_why(self, derby):
        from gridvoices.ecosystem.privacy import suppression

        r = independent_cascade(derby, default_seeds(derby), runs=300, seed=42)
        with suppression(True):
            stops = cascade_stops(derby, r, limit=50)
        small = [s for s in stops if s["kind"] == "link" and 0 < s["referrals"] < 5]
        assert small and all("* referrals" in s["why"] for s in small)

    def test_bad_input(self, derby):
        r = independent_cascade(derby, ["svc-nav-sd"], runs=10, seed=0)
        with pytest.raises(QueryError, match="min_drop"):
            cascade_stops(derby, r, min_drop=0)
        with pytest.raises(QueryError, match="limit"):
            cascade_stops(derby, r, limit=-1)


# Suggestions -------------------------------------------------------------------------------


def two_cliques(p_inside=0.9):
    """Two 5-cliques (0-4 and 5-9), both directions, with nothing between them."""
    G = nx.DiGraph()
    for part in (range(5), range(5, 10)):
        G.add_edges_from((u, v) for u in part for v in part if u != v)
    return G, dict.fromkeys(G.edges, p_inside)


class TestSuggestLinks:
    def test_bridge_comes_first(self):
        G, probs = two_cliques()
        (first, *_) = suggest_links(G, [0], 2, probabilities=probs, new_link_p=0.5, seed=1)
        assert first["source"] in range(5) and first["target"] in range(5, 10)
        # half the time the bridge carries, and then nearly all the right clique follows
        assert first["gain"] == pytest.approx(0.5 * 5, abs=0.5)
        assert first["reach_after"] == pytest.approx(first["reach_before"] + first["gain"])

    def test_explicit_candidates(self):
        G, probs = two_cliques()
        cands = [(1, 2), (3, 4), (2, 7)]
        picks = suggest_links(G, [0], 3, candidates=cands, probabilities=probs, seed=2)
        assert (picks[0]["source"], picks[0]["target"]) == (2, 7)

    def test_first_reach_matches_the_cascade_and_gains_chain(self, derby, outside_hp):
        picks = suggest_links(derby, outside_hp, 3, runs=200, seed=42)
        r = independent_cascade(derby, outside_hp, runs=200, seed=42)
        assert picks[0]["reach_before"] == pytest.approx(r.expected_reach)
        for a, b in zip(picks, picks[1:], strict=False):
            assert b["reach_before"] == pytest.approx(a["reach_after"])
            assert b["gain"] <= a["gain"] + 1e-9  # reach on fixed worlds is submodular
        assert HP in derby.nodes[picks[0]["target"]]["districts"]
        assert DD in derby.nodes[picks[0]["source"]]["districts"]
        assert "expected reach" in picks[0]["why"]

    def test_lazy_greedy_picks_the_best_single_link(self, derby, outside_hp):
        probs = edge_probabilities(derby)
        r = independent_cascade(derby, outside_hp, probabilities=probs, runs=100, seed=5)
        cands = default_candidates(derby, probs, r.probability, outside_hp)[:40]
        one = {
            c: suggest_links(
                derby, outside_hp, 1, candidates=[c], probabilities=probs, runs=100, seed=5
            )
            for c in cands
        }
        gains = {c: (p[0]["gain"] if p else 0.0) for c, p in one.items()}
        best = suggest_links(
            derby, outside_hp, 1, candidates=cands, probabilities=probs, runs=100, seed=5
        )
        assert best[0]["gain"] == pytest.approx(max(gains.values()))

    def test_nothing_to_gain_returns_nothing(self):
        G = nx.DiGraph([(0, 1)])
        assert suggest_links(G, [0], 1, candidates=[(1, 0)], probabilities={(0, 1): 1.0}) == []

    @pytest.mark.parametrize(
        "kwargs, message",
        [
            ({"k": 0}, "k must be"),
            ({"new_link_p": 0}, "new_link_p must be above 0"),
            ({"candidates": [(0, 0)]}, "to itself"),
            ({"candidates": [(0, 99)]}, "99 is not a node"),
            ({"candidates": "ab"}, "candidates must be a list"),
            ({"max_candidates": 0}, "max_candidates must be"),
        ],
    )
    def test_bad_input(self, kwargs, message):
        G, probs = two_cliques()
        args = {"k": 1, **kwargs}
        with pytest.raises(QueryError, match=message):
            suggest_links(G, [0], probabilities=probs, **args)


# Command line ------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, monkeypatch):
    import gridvoices.cli.contagion  # noqa: F401  (registers the command)
    from gridvoices.cli.main import app

    monkeypatch.setenv("GRIDVOICES_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    assert run("import", DERBYSHIRE, "--quiet").exit_code == 0
    return run


class TestCli:
    def test_tables(self, cli):
        r = cli("contagion", "--runs", 200, "--suggest", 1)
        assert r.exit_code == 0, r.output
        for title in (
            "seed 42",
            "Expected reach by district",
            "Likeliest pathway",
            "Where cascades stop",
            "Suggested new links",
        ):
            assert title in r.stdout

    def test_json_is_reproducible_and_suppressed(self, cli):
        args = ("contagion", "--json", "--runs", 200, "--seed", 7, "--period", "2024-Q1")
        a, b = cli(*args), cli(*args)
        assert a.exit_code == 0 and a.stdout == b.stdout
        data = json.loads(a.stdout)
        assert data["seed"] == 7 and data["periods"] == ["2024-Q1"]
        assert {"reach_by_district", "pathways", "stops", "nodes"} <= set(data)
        refs = [s["referrals"] for s in data["stops"] if s["kind"] == "link"]
        assert all(x == "*" or x == 0 or x >= 5 for x in refs)

    def test_seed_nodes_outside_high_peak(self, cli, derby, outside_hp):
        args = [x for s in outside_hp for x in ("--seed-node", s)]
        r = cli("contagion", "--json", "--runs", 200, *args)
        data = json.loads(r.stdout)
        hp = next(d for d in data["reach_by_district"] if d["district"] == HP)
        assert hp["expected"] == 0
        assert any(s["kind"] == "border" and s["to_district"] == HP for s in data["stops"])

    @pytest.mark.parametrize(
        "args, message",
        [
            (("--model", "sir"), "--model must be 'ic' or 'lt'"),
            (("--model", "lt", "--suggest", "2"), "--suggest works with --model ic"),
            (("--seed-node", "nope"), "'nope' is not a node"),
            (("--runs", "0"), "runs must be from 1"),
        ],
    )
    def test_errors_exit_2(self, cli, args, message):
        r = cli("contagion", *args)
        assert r.exit_code == 2
        assert message in r.output
