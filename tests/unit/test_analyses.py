"""The analyses find what the data were built to contain, and explain it with numbers."""

from __future__ import annotations

import networkx as nx
import pytest
from gridvoices.ecosystem.privacy import suppression
from gridvoices.queries.barriers.forms import barriers
from gridvoices.queries.compare import compare
from gridvoices.queries.coverage import coverage
from gridvoices.queries.graph import build_graph
from gridvoices.queries.isolation.flags import (
    cut_points,
    dead_ends,
    detached,
    isolation,
    no_peer_support,
)
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.render import shown

from tests.conftest import DERBYSHIRE


@pytest.fixture(scope="module")
def tables():
    report, typed = validate_paths([DERBYSHIRE])
    assert report.valid
    return typed


@pytest.fixture(scope="module")
def G(tables):
    return build_graph(tables)


def _two_districts() -> nx.DiGraph:
    G = nx.DiGraph(
        districts={"A": {"name": "Ayton", "borders": ["B"]}, "B": {"name": "Beeby", "borders": []}},
        borders={frozenset("AB")},
        organisations={},
        periods=["2024-Q1"],
    )
    for n, d in [("a1", "A"), ("a2", "A"), ("b1", "B"), ("b2", "B")]:
        G.add_node(
            n,
            type="Service",
            name=n,
            district=d,
            districts=[d],
            organisation=None,
            org_kind="community",
            active=True,
        )
    return G


class TestBarriers:
    def test_closed_border_is_a_barrier_with_its_numbers(self):
        G = _two_districts()
        G.add_edge("a1", "a2", referrals=10)
        G.add_edge("b1", "b2", referrals=10)
        b = barriers(G)["borders"][0]
        assert (b["observed"], b["expected"], b["permeability"], b["barrier"]) == (
            0,
            10.0,
            0.0,
            True,
        )
        assert "0 referrals crossed, 10.0 expected" in b["why"]

    def test_open_border_is_not(self):
        G = _two_districts()
        G.add_edge("a1", "b1", referrals=10)
        G.add_edge("b2", "a2", referrals=10)
        b = barriers(G)["borders"][0]
        assert b["barrier"] is False and b["permeability"] == pytest.approx(2.0)

    def test_sole_spanner(self):
        G = _two_districts()
        G.add_edge("a1", "b1", referrals=6)
        G.add_edge("a1", "b2", referrals=6)
        top = barriers(G)["spanners"][0]
        assert top["id"] == "a1" and top["sole_spanner_of"] == ["Ayton - Beeby"]

    def test_high_peak_border_is_the_barrier(self, G):
        r = barriers(G)
        first = r["borders"][0]
        assert {first["a_name"], first["b_name"]} == {"Derbyshire Dales", "High Peak"}
        assert first["observed"] == 0 and first["expected"] > 50 and first["barrier"]
        high_peak = next(x for x in r["inward"] if x["name"] == "High Peak")
        assert high_peak["inward_looking"] and high_peak["internal_share"] == 1.0

    def test_small_counts_are_starred_in_numbers_and_sentences(self, G):
        with suppression(True):
            r = shown(barriers(G))
        bo = next(
            b
            for b in r["borders"]
            if {b["a_name"], b["b_name"]} == {"Bolsover", "North East Derbyshire"}
        )
        assert bo["observed"] == "*" and bo["permeability"] == "*"
        assert "* referrals crossed" in bo["why"] and "permeability *" in bo["why"]
        with suppression(False):
            r = barriers(G)
        bo = next(
            b
            for b in r["borders"]
            if {b["a_name"], b["b_name"]} == {"Bolsover", "North East Derbyshire"}
        )
        assert bo["observed"] == 4 and "4 referrals crossed" in bo["why"]


class TestIsolation:
    def test_path_graph_middle_is_the_cut_point(self):
        G = nx.DiGraph()
        for n in "abc":
            G.add_node(n, type="Service", name=n, active=True)
        G.add_edge("a", "b", referrals=5)
        G.add_edge("b", "c", referrals=5)
        flags = {(r["id"], r["flag"]) for r in cut_points(G)}
        assert ("b", "single_bridge") in flags
        assert ("a--b", "bridge_link") in flags and ("b--c", "bridge_link") in flags

    def test_dead_end_and_source(self):
        G = nx.DiGraph()
        for n in "ab":
            G.add_node(n, type="Service", name=n, active=True)
        G.add_edge("a", "b", referrals=7)
        assert [(r["id"], r["flag"]) for r in dead_ends(G)] == [
            ("b", "dead_end"),
            ("a", "source_only"),
        ]

    def test_derbyshire_findings(self, G):
        rows = isolation(G)
        by = {}
        for r in rows:
            by.setdefault(r["flag"], set()).add(r["id"])
        assert "svc-emp-bo" in by["no_flows"]
        assert "svc-housing-av" in by["dead_end"]
        assert "svc-nav-sd" in by["single_bridge"]
        assert "svc-nav-sd--svc-tx-sd" in by["bridge_link"]
        assert {n for n in by["detached"]} == {
            n for n in G if n.startswith(("svc-hp", "grp-hp"))
        } | {"svc-tx-hp"}
        nav = next(r for r in rows if r["id"] == "svc-nav-sd" and r["flag"] == "single_bridge")
        assert "the only link to 9 services/groups" in nav["why"]

    def test_detached_on_two_components(self):
        G = nx.barbell_graph(3, 0).to_directed()
        nx.set_edge_attributes(G, 1, "referrals")
        G.add_edge("x", "y", referrals=5)
        for n in G:
            G.nodes[n].update(type="Service", name=str(n), active=True)
        assert sorted(r["id"] for r in detached(G)) == ["x", "y"]

    def test_no_peer_support_within_k(self):
        G = nx.DiGraph()
        for n in "abcd":
            G.add_node(n, type="Service", name=n, active=True)
        G.add_edge("a", "b", referrals=0, peer_kind="links_with")
        G.add_edge("b", "c", referrals=3)
        G.add_edge("c", "d", referrals=3)
        assert [r["id"] for r in no_peer_support(G, k=1)] == ["d"]
        assert no_peer_support(G, k=2) == []


class TestCoverage:
    def test_bolsover_misses_volunteering_and_growth(self, G):
        rows = {r["name"]: r for r in coverage(G)["districts"]}
        assert rows["Bolsover"]["missing"] == ["volunteering", "growth_pathways"]
        assert "only inactive: Coalfield Recovery Volunteering" in rows["Bolsover"]["why"]
        assert all(r["covered"] == 7 for n, r in rows.items() if n != "Bolsover")


class TestCompare:
    def test_bolsover_lost_volunteering_after_q1(self, tables):
        c = compare(build_graph(tables, ["2024-Q1"]), build_graph(tables, ["2024-Q4"]))
        lost = [(x["name"], x["domain"]) for x in c["coverage"] if x["change"] == "worse"]
        assert ("Bolsover", "volunteering") in lost

    def test_same_period_changes_nothing(self, tables):
        G1 = build_graph(tables, ["2024-Q2"])
        c = compare(G1, build_graph(tables, ["2024-Q2"]))
        assert c["borders"] == c["isolation"] == c["coverage"] == []


@pytest.fixture(scope="module")
def c(tables):
    """compare 2024-Q1 2024-Q4 as shown with small counts hidden."""
    with suppression(True):
        return shown(compare(build_graph(tables, ["2024-Q1"]), build_graph(tables, ["2024-Q4"])))


class TestCompareDirections:
    """Every change is named better, worse, new or gone with both states (issue 14)."""

    def test_detached_to_no_referrals_at_all_is_worse(self, c):
        row = next(x for x in c["isolation"] if x["id"] == "grp-hp-na-1")
        assert row["change"] == "worse"
        assert (row["before"]["state"], row["after"]["state"]) == (
            "detached",
            "no referrals at all",
        )
        assert row["why"] == "grp-hp-na-1: detached -> no referrals at all"

    def test_a_link_that_carries_nothing_after_is_gone(self, c):
        row = next(x for x in c["isolation"] if x["id"] == "grp-hp-na-1--svc-tx-hp")
        assert row["change"] == "gone" and row["after"]["state"] == "absent"

    def test_both_sides_hidden_is_not_comparable(self, c):
        row = next(x for x in c["borders"] if {x["a"], x["b"]} == {"E07000033", "E07000038"})
        assert row["change"] == "not comparable"
        assert row["before"] == row["after"] == {"state": "*", "observed": "*"}
        assert "opened" not in row["why"] and "cannot be judged" in row["why"]

    def test_a_border_with_one_side_shown_has_a_direction(self, c):
        # Derbyshire Dales - North East Derbyshire: 3 crossed in Q1 (hidden), none in Q4.
        row = next(x for x in c["borders"] if {x["a"], x["b"]} == {"E07000035", "E07000038"})
        assert (row["before"]["observed"], row["after"]["observed"]) == ("*", 0)
        assert row["change"] == "worse"
        assert (row["before"]["state"], row["after"]["state"]) == ("open", "barrier")

    def test_a_border_hidden_both_sides_only_as_a_complement_is_not_comparable(self, c):
        # Amber Valley - South Derbyshire: 1 in Q1 (primary) and 5 in Q4, hidden as the
        # complement that keeps the link's 1 and 2 from its shown total of 8.
        row = next(x for x in c["borders"] if {x["a"], x["b"]} == {"E07000032", "E07000039"})
        assert row["change"] == "not comparable"

    def test_only_direction_words(self, c):
        changes = {x["change"] for k in ("borders", "isolation", "coverage") for x in c[k]}
        assert changes <= {"better", "worse", "new", "gone", "not comparable"}
        assert changes >= {"better", "worse", "not comparable"}

    def test_shown_in_full_every_border_has_a_direction(self, tables):
        with suppression(False):
            r = compare(build_graph(tables, ["2024-Q1"]), build_graph(tables, ["2024-Q4"]))
        assert {x["change"] for x in r["borders"]} <= {"better", "worse"}
        bolsover = next(x for x in r["borders"] if {x["a"], x["b"]} == {"E07000033", "E07000038"})
        assert bolsover["change"] == "better" and bolsover["after"]["state"] == "open"

    def test_new_link(self):
        G1 = _two_districts()
        G2 = _two_districts()
        G2.graph["periods"] = ["2024-Q2"]
        G2.add_edge("a1", "b1", referrals=9, by_period={"2024-Q2": 9})
        row = next(x for x in compare(G1, G2)["isolation"] if x["id"] == "a1--b1")
        assert row["change"] == "new" and row["before"]["state"] == "absent"
