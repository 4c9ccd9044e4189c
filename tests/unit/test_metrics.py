"""Centrality and brokerage: tiny graphs with obvious answers, agreement with
networkx, the sampled estimate against the exact one, and the shipped Derbyshire data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.graph import build_graph, referral_graph
from gridvoices.queries.metrics import (
    NEO4J_PROPERTIES,
    betweenness,
    brokers,
    burt_constraint,
    centrality,
    default_pivots,
    write_metrics_neo4j,
)
from gridvoices.queries.metrics import brandes as m
from gridvoices.queries.metrics import constraint as mc
from gridvoices.queries.metrics.matrices import adjacency
from scipy.stats import spearmanr
from typer.testing import CliRunner

import gridvoices.cli.main  # noqa: F401  (registers the other commands)
import gridvoices.cli.metrics  # noqa: F401
from gridvoices.cli.common import app

DERBYSHIRE = Path(__file__).resolve().parents[2] / "data" / "derbyshire"


def ecosystem_graph(edges, nodes=None, *, district="D1") -> nx.DiGraph:
    """A graph shaped like build_graph's: services with referral edges (u, v, count)."""
    G = nx.DiGraph(
        periods=["2024-Q1"],
        districts={"D1": {"name": "One", "borders": []}, "D2": {"name": "Two", "borders": []}},
    )
    for n in nodes or sorted({x for e in edges for x in e[:2]}):
        G.add_node(n, type="Service", name=f"Service {n}", district=district, org_kind="community")
    for u, v, c in edges:
        G.add_edge(u, v, referrals=c)
    return G


def both_ways(H: nx.Graph, count: int = 5) -> list[tuple]:
    return [(str(u), str(v), count) for a, b in H.edges for u, v in ((a, b), (b, a))]


def rows(result) -> dict:
    return result.nodes.set_index("id").to_dict("index")


@pytest.fixture(scope="module")
def derbyshire():
    from gridvoices.stores.store import validate_paths

    report, tables = validate_paths([DERBYSHIRE])
    assert report.valid
    return build_graph(tables)


@pytest.fixture(scope="module")
def derbyshire_result(derbyshire):
    return centrality(derbyshire)


class TestCentrality:
    def test_path_middle_has_top_betweenness(self):
        G = ecosystem_graph(both_ways(nx.path_graph(5)))
        r = rows(centrality(G))
        top = max(r, key=lambda n: r[n]["betweenness"])
        assert top == "2"
        assert r["0"]["betweenness"] == r["4"]["betweenness"] == 0
        # 2 lies on the routes between {0,1} and {3,4}: 8 of the 20 ordered pairs
        assert r["2"]["route_share"] == pytest.approx(8 / 20)

    def test_barbell_bridge_nodes(self):
        H = nx.barbell_graph(5, 0)  # two 5-cliques joined by the edge 4-5
        r = rows(centrality(ecosystem_graph(both_ways(H))))
        ranked = sorted(r, key=lambda n: -r[n]["betweenness"])
        assert set(ranked[:2]) == {"4", "5"}
        assert r["4"]["community"] != r["5"]["community"]
        assert r["4"]["communities_reached"] == 2

    def test_volumes_and_degree(self):
        G = ecosystem_graph([("a", "b", 7), ("b", "a", 2), ("a", "c", 5)])
        G.add_node("nav", type="Navigator", name="nav")
        G.add_edge("nav", "a", referrals=0, peer_kind="mentors_at", strength=1.0)
        r = rows(centrality(G))
        assert set(r) == {"a", "b", "c"}  # navigators are not in the referral network
        assert (r["a"]["in_volume"], r["a"]["out_volume"]) == (2, 12)
        assert r["a"]["weighted_degree"] == 14
        assert r["a"]["degree"] == 2
        assert r["a"]["peer_links"] == 1

    def test_peer_links_and_zero_counts_carry_no_flow(self):
        G = ecosystem_graph([("a", "b", 3), ("b", "c", 3)])
        G.add_edge("a", "c", referrals=0, peer_kind="links_with", strength=1.0)
        r = rows(centrality(G))
        assert r["b"]["betweenness"] == pytest.approx(0.5)  # a->c still goes through b
        assert r["a"]["degree"] == 1

    def test_isolated_node(self):
        G = ecosystem_graph([("a", "b", 3)], nodes=["a", "b", "z"])
        res = centrality(G)
        r = rows(res)
        assert math.isnan(r["z"]["constraint"])
        assert r["z"]["in_volume"] == r["z"]["out_volume"] == r["z"]["degree"] == 0
        solo = [c for c in res.communities if c["size"] == 1]
        assert [c["hub"] for c in solo] == ["z"]
        assert solo[0]["internal_share"] is None

    def test_matches_networkx_on_derbyshire(self, derbyshire, derbyshire_result):
        R = nx.DiGraph(referral_graph(derbyshire))
        r = rows(derbyshire_result)
        bc = nx.betweenness_centrality(R)
        pr = nx.pagerank(R, weight="referrals")
        con = nx.constraint(R, weight="referrals")
        for v in R:
            assert r[v]["betweenness"] == pytest.approx(bc[v], abs=1e-12)
            assert r[v]["pagerank"] == pytest.approx(pr[v], abs=1e-9)
            assert r[v]["constraint"] == pytest.approx(con[v], abs=1e-12, nan_ok=True)

    def test_records_method(self, derbyshire_result):
        res = derbyshire_result
        assert (res.betweenness_method, res.k, res.seed) == ("exact", None, 0)
        d = res.as_dict()
        json.dumps(d)  # plain values only
        assert d["method"]["betweenness_distance"] == "hops"
        assert d["method"]["community_seed"] == 0
        assert set(d["columns"]) == set(res.nodes.columns)
        assert d["notes"] and all(isinstance(s, str) for s in d["notes"])

    def test_sampled_above_exact_limit(self, derbyshire):
        # above the limit the default is default_pivots(n); 75 pivots for 75 nodes is exact
        res = centrality(derbyshire, exact_max_nodes=50, seed=3)
        assert default_pivots(75) == 75 and res.betweenness_method == "exact"
        res = centrality(derbyshire, k=40, seed=3)
        assert (res.betweenness_method, res.k, res.seed) == ("sampled", 40, 3)
        assert res.method["pivot_sampling"].startswith("20 forward + 20 backward")
        again = centrality(derbyshire, k=40, seed=3)
        assert np.array_equal(res.nodes["betweenness"], again.nodes["betweenness"])

    def test_k_at_least_n_is_exact(self, derbyshire):
        assert centrality(derbyshire, k=500).betweenness_method == "exact"

    def test_communities_summary(self, derbyshire_result):
        comms = derbyshire_result.communities
        assert [c["community"] for c in comms] == list(range(len(comms)))
        assert sum(c["size"] for c in comms) == 75
        assert [c["size"] for c in comms] == sorted((c["size"] for c in comms), reverse=True)
        for c in comms:
            assert c["services"] + c["groups"] == c["size"]
            assert sum(d["nodes"] for d in c["districts"]) == c["size"]
            assert c["org_kinds"]
        high_peak = [c for c in comms if c["districts"][0]["name"] == "High Peak"]
        assert high_peak and high_peak[0]["internal_share"] == 1.0  # the border barrier

    def test_same_seed_same_communities(self, derbyshire, derbyshire_result):
        again = centrality(derbyshire)
        assert again.communities == derbyshire_result.communities

    def test_periods_change_the_answer(self, derbyshire):
        from gridvoices.stores.store import validate_paths

        _, tables = validate_paths([DERBYSHIRE])
        q1 = centrality(build_graph(tables, ["2024-Q1"]))
        assert q1.periods == ["2024-Q1"]
        assert q1.nodes["in_volume"].sum() < centrality(derbyshire).nodes["in_volume"].sum()

    def test_unweighted(self):
        G = ecosystem_graph([("a", "b", 7), ("a", "c", 1)])
        r = rows(centrality(G, weight=None))
        assert r["a"]["weighted_degree"] == 2
        assert r["a"]["constraint"] == pytest.approx(0.5)

    @pytest.mark.parametrize(
        "kwargs", [{"k": 1}, {"k": 2.5}, {"exact_max_nodes": -1}, {"seed": "x"}]
    )
    def test_bad_options(self, kwargs):
        with pytest.raises(QueryError):
            centrality(ecosystem_graph([("a", "b", 1)]), **kwargs)

    def test_empty_graph(self):
        res = centrality(ecosystem_graph([]))
        assert res.nodes.empty and res.communities == []


class TestBetweenness:
    @pytest.mark.parametrize(
        "H",
        [
            nx.path_graph(6),
            nx.barbell_graph(4, 2),
            nx.karate_club_graph(),
            nx.gnp_random_graph(80, 0.04, seed=2, directed=True),
            nx.DiGraph(nx.cycle_graph(7)),
        ],
        ids=["path", "barbell", "karate", "random-directed", "cycle"],
    )
    def test_exact_matches_networkx(self, H):
        ours, ref = betweenness(H), nx.betweenness_centrality(H)
        assert ours == pytest.approx(ref, abs=1e-12)

    def test_deep_graph_uses_per_source_search(self):
        H = nx.path_graph(m._MAX_DENSE_LEVELS + 40)  # deeper than the dense sweeps go
        assert betweenness(H) == pytest.approx(nx.betweenness_centrality(H), abs=1e-12)

    def test_sampled_scaling_same_either_route(self, monkeypatch):
        H = nx.gnp_random_graph(120, 0.05, seed=5, directed=True)
        A, _ = adjacency(H, list(H), None)
        src = np.arange(0, 120, 7)
        dense = m._dependencies(A, src, linear=True)
        monkeypatch.setattr(m, "_MAX_DENSE_LEVELS", 0)
        single = m._dependencies(A, src, linear=True)
        assert np.allclose(dense[0], single[0]) and dense[1] == single[1]

    @pytest.mark.parametrize(
        "H",
        [
            nx.path_graph(6),
            nx.barbell_graph(4, 2),
            nx.gnp_random_graph(80, 0.04, seed=2, directed=True),
            nx.path_graph(m._MAX_DENSE_LEVELS + 40),
        ],
        ids=["path", "barbell", "random-directed", "deep"],
    )
    def test_level_sweeps_match_networkx(self, H, monkeypatch):
        monkeypatch.setattr(m, "_LEVEL_SWEEP_NODES", 0)  # what a national graph takes
        assert betweenness(H) == pytest.approx(nx.betweenness_centrality(H), abs=1e-12)

    @pytest.mark.parametrize("linear", [True, False])
    @pytest.mark.parametrize("slice_cost", [0.0, 4.0, 1e9], ids=["slices", "mixed", "whole"])
    def test_level_sweep_equals_dense_sweep(self, linear, slice_cost, monkeypatch):
        monkeypatch.setattr(m, "_SLICE_COST", slice_cost)
        # wide and shallow like a referral network: early levels pushed, late ones pulled
        H = nx.gnp_random_graph(600, 0.012, seed=3, directed=True)
        A, _ = adjacency(H, list(H), None)
        A, AT = m._compact_index(A), m._compact_index(A.T)
        for s in (0, 17, 333):
            dense, reach = m._dense_sweep(A, AT, np.array([s]), linear)
            level = m._level_sweep(A, AT, s, linear)
            assert np.array_equal(level[0], dense) and level[1] == reach

    def test_scaled_searches_add_up_to_exact(self):
        # every source forwards + every target backwards = each pair counted once
        H = nx.gnp_random_graph(90, 0.05, seed=8, directed=True)
        A, _ = adjacency(H, list(H), None)
        n = A.shape[0]
        fwd, _ = m._dependencies(A, np.arange(n), linear=True)
        bwd, _ = m._dependencies(A.T.tocsr(), np.arange(n), linear=True)
        exact, _ = m._dependencies(A, np.arange(n), linear=False)
        assert np.allclose(fwd + bwd, exact)

    def test_sampled_ranks_like_exact_on_1000_nodes(self):
        H = nx.powerlaw_cluster_graph(1000, 3, 0.3, seed=4)
        D = nx.DiGraph()
        D.add_edges_from((u, v) for a, b in H.edges for u, v in ((a, b), (b, a)) if (a + b) % 5)
        D.add_edges_from((a, b) for a, b in H.edges if not (a + b) % 5)
        exact = nx.betweenness_centrality(D)
        sampled = betweenness(D, k=200, seed=1)
        nodes = list(D)
        rho = spearmanr([exact[v] for v in nodes], [sampled[v] for v in nodes]).statistic
        assert rho >= 0.95

    def test_pivots_are_seeded(self):
        H = nx.gnp_random_graph(150, 0.04, seed=1, directed=True)
        assert betweenness(H, k=30, seed=7) == betweenness(H, k=30, seed=7)
        assert betweenness(H, k=30, seed=7) != betweenness(H, k=30, seed=8)

    def test_default_pivots(self):
        assert default_pivots(2001) == 256
        assert default_pivots(10_000) == 400
        assert default_pivots(1_000_000) == m.MAX_PIVOTS
        assert default_pivots(10) == 10


class TestBurtConstraint:
    @pytest.mark.parametrize(
        ("H", "weight"),
        [
            (nx.star_graph(4), None),
            (nx.barbell_graph(4, 1), None),
            (nx.karate_club_graph(), "weight"),
            (nx.gnp_random_graph(50, 0.08, seed=3, directed=True), None),
        ],
        ids=["star", "barbell", "karate-weighted", "random-directed"],
    )
    def test_matches_networkx(self, H, weight):
        ours, ref = burt_constraint(H, weight), nx.constraint(H, weight=weight)
        assert ours == pytest.approx(ref, abs=1e-12, nan_ok=True)

    def test_matches_networkx_weighted_directed(self):
        H = nx.gnp_random_graph(40, 0.1, seed=6, directed=True)
        rng = np.random.default_rng(0)
        for u, v in H.edges:
            H.edges[u, v]["referrals"] = int(rng.integers(1, 30))
        ours = burt_constraint(H, "referrals")
        ref = nx.constraint(H, nodes=list(H), weight="referrals")  # networkx's own formula
        for v in H:
            if H.out_degree(v):  # networkx's node route says NaN without successors
                assert ours[v] == pytest.approx(ref[v], abs=1e-12)

    def test_isolated_is_nan(self):
        H = nx.Graph()
        H.add_nodes_from([1, 2, 3])
        H.add_edge(1, 2)
        c = burt_constraint(H)
        assert math.isnan(c[3]) and c[1] == 1.0

    def test_structural_hole(self):
        # the centre of a star spans holes (low); a clique member is constrained (high)
        star = burt_constraint(nx.star_graph(5))
        clique = burt_constraint(nx.complete_graph(6))
        assert star[0] < clique[0]

    def test_chunked_products_agree(self, monkeypatch):
        H = nx.gnp_random_graph(60, 0.1, seed=9)
        whole = burt_constraint(H)
        monkeypatch.setattr(mc, "_CONSTRAINT_CELLS", 1.0)  # one row per chunk
        assert burt_constraint(H) == pytest.approx(whole, abs=1e-12)


class TestBrokers:
    def test_derbyshire_bridge_is_a_top_broker(self, derbyshire_result):
        top = brokers(derbyshire_result, 5)
        ids = [b["id"] for b in top]
        assert "svc-nav-sd" in ids
        nav = top[ids.index("svc-nav-sd")]
        assert "the only link between its community" in nav["why"]
        assert nav["district_name"] == "South Derbyshire"

    def test_why_text(self, derbyshire_result):
        for b in brokers(derbyshire_result, 10):
            assert b["why"].startswith(f"carries {b['route_share']:.0%} of shortest referral")
            assert f"constraint {b['constraint']:.2f}" in b["why"]
            if b["communities_reached"] > 1:
                assert f"bridges {b['communities_reached']} communities" in b["why"]

    def test_order_and_top(self, derbyshire_result):
        top = brokers(derbyshire_result, 8)
        assert [b["rank"] for b in top] == list(range(1, 9))
        values = [b["betweenness"] for b in top]
        assert values == sorted(values, reverse=True)
        assert brokers(derbyshire_result, 0) == []

    def test_no_broker_without_routes(self):
        G = ecosystem_graph([("a", "b", 3)])
        assert brokers(centrality(G)) == []

    def test_sampled_says_estimated(self, derbyshire):
        res = centrality(derbyshire, k=30)
        assert "(estimated)" in brokers(res, 1)[0]["why"]

    def test_bad_top(self, derbyshire_result):
        with pytest.raises(QueryError):
            brokers(derbyshire_result, -1)


class FakeNeo4j:
    kind = "neo4j"

    def __init__(self):
        self.calls = []

    def query(self, cypher, params=None, *, write=False):
        self.calls.append((cypher, params, write))
        return [{"written": len(params["rows"])}]


class TestWriteMetricsNeo4j:
    def test_batched_parameterised_allow_list(self, derbyshire_result):
        db = FakeNeo4j()
        assert write_metrics_neo4j(db, derbyshire_result, batch=30) == 75
        assert [len(p["rows"]) for _, p, _ in db.calls] == [30, 30, 15]
        cypher, params, write = db.calls[0]
        assert write and cypher.startswith("UNWIND $rows AS row")
        assert all(c == cypher for c, _, _ in db.calls)  # one fixed statement
        for prop in NEO4J_PROPERTIES:
            assert f"n.{prop} = row.{prop}" in cypher
        row = params["rows"][0]
        assert set(row) == {"id", *NEO4J_PROPERTIES}
        json.dumps(params)  # plain values: no numpy scalars, NaN as None
        emp = next(r for _, p, _ in db.calls for r in p["rows"] if r["id"] == "svc-emp-bo")
        assert emp["constraint"] is None
        assert params["method"] == "exact" and params["seed"] == 0

    def test_refuses_other_stores(self, derbyshire_result):
        class Embedded:
            kind = "embedded"

        with pytest.raises(QueryError):
            write_metrics_neo4j(Embedded(), derbyshire_result)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """An embedded store holding the Derbyshire data."""
    from gridvoices.stores.store import import_paths, open_store

    ws = tmp_path_factory.mktemp("ws")
    store = open_store("embedded", workspace=ws)
    try:
        import_paths(store, [DERBYSHIRE])
    finally:
        store.close()
    return ws


class TestCli:
    def test_table(self, workspace):
        res = CliRunner().invoke(app, ["metrics", "--workspace", str(workspace), "--top", "3"])
        assert res.exit_code == 0, res.output
        assert "Top 3 brokers (hop betweenness)" in res.output  # narrow terminals fold the ids
        assert "Communities (Leiden, seed 0)" in res.output

    def test_json_suppresses_small_counts(self, workspace):
        args = ["metrics", "--workspace", str(workspace), "--json", "--period", "2024-Q1"]
        data = json.loads(CliRunner().invoke(app, args).stdout)
        assert data["method"]["betweenness_method"] == "exact"
        assert len(data["brokers"]) == 10
        vols = [r["in_volume"] for r in data["nodes"]]
        assert "*" in vols and not any(isinstance(v, int) and 0 < v < 5 for v in vols)
        shown = json.loads(CliRunner().invoke(app, [*args, "--show-small-counts"]).stdout)
        assert any(
            isinstance(r["in_volume"], int) and 0 < r["in_volume"] < 5 for r in shown["nodes"]
        )

    def test_sampled_options_recorded(self, workspace):
        args = ["metrics", "-w", str(workspace), "--json", "--pivots", "30", "--seed", "4"]
        data = json.loads(CliRunner().invoke(app, args).stdout)
        m = data["method"]
        assert (m["betweenness_method"], m["k"], m["seed"], m["community_seed"]) == (
            "sampled",
            30,
            4,
            4,
        )
        assert "(estimated)" in data["brokers"][0]["why"]

    def test_write_needs_neo4j(self, workspace):
        res = CliRunner().invoke(app, ["metrics", "-w", str(workspace), "--write-neo4j"])
        assert res.exit_code == 2
