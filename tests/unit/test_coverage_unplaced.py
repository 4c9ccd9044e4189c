"""Coverage of a directory without places (issue 16): what it offers is counted, not lost."""

from __future__ import annotations

import networkx as nx
from gridvoices.queries.coverage import coverage


def _graph() -> nx.DiGraph:
    G = nx.DiGraph(districts={"D": {"name": "D", "borders": []}})
    G.add_node("placed", type="Service", districts=["D"], domain="twelve_step", active=True)
    G.add_node("a", type="Service", districts=[], domain="twelve_step", active=True)
    G.add_node("b", type="Service", domain="volunteering", active=True)
    G.add_node("closed", type="Service", districts=[], domain="volunteering", active=False)
    G.add_node("other", type="Service", districts=[], domain="wraparound", active=True)
    return G


def test_unplaced_services_are_counted_per_domain():
    county = {c["domain"]: c for c in coverage(_graph())["county"]}
    assert county["twelve_step"]["services_and_groups"] == 1
    assert county["twelve_step"]["unplaced"] == 1
    assert county["volunteering"]["unplaced"] == 1  # the inactive one does not count
    assert sum(c["unplaced"] for c in county.values()) == 2


def test_no_district_rows_for_unplaced_services():
    r = coverage(_graph())
    assert [row["district"] for row in r["districts"]] == ["D"]
    assert r["districts"][0]["twelve_step"] == 1


def test_a_directory_with_no_districts_still_shows_its_domains():
    G = _graph()
    G.remove_node("placed")
    G.graph["districts"] = {}
    r = coverage(G)
    assert r["districts"] == []
    assert {c["domain"]: c["unplaced"] for c in r["county"]}["twelve_step"] == 1
