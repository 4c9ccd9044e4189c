"""One rule for inactive services (issue 14): a service not running now counts for nothing
now - not in coverage, not a seed, never reached by the cascade - as whatif's close."""

from __future__ import annotations

import networkx as nx
import pytest
from gridvoices.ecosystem.privacy import suppression
from gridvoices.queries.analyses import run_all
from gridvoices.queries.contagion import default_seeds, edge_probabilities, independent_cascade
from gridvoices.queries.coverage import coverage
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths

from gridvoices.demo import findings_text
from tests.conftest import DERBYSHIRE

INACTIVE = {"svc-vol-bo", "svc-faith-ch"}  # data/derbyshire/README.md


@pytest.fixture(scope="module")
def G() -> nx.DiGraph:
    report, tables = validate_paths([DERBYSHIRE])
    assert report.valid
    return build_graph(tables)


def test_the_shipped_inactive_services_have_referrals(G):
    assert {n for n, a in G.nodes(data=True) if a.get("active") is False} == INACTIVE
    assert all(G.degree(n) for n in INACTIVE)  # so the rule matters


def test_coverage_does_not_count_them(G):
    bolsover = next(r for r in coverage(G)["districts"] if r["name"] == "Bolsover")
    assert bolsover["volunteering"] == 0
    assert "only inactive: Coalfield Recovery Volunteering" in bolsover["why"]


def test_contagion_neither_seeds_nor_reaches_them(G):
    assert not INACTIVE & set(default_seeds(G))
    p = edge_probabilities(G)
    assert all(p[u, v] == 0 for (u, v) in p if u in INACTIVE or v in INACTIVE)
    r = independent_cascade(G, default_seeds(G), runs=200, seed=1)
    assert all(r.probability[n] == 0 for n in INACTIVE)


def test_the_same_as_closing_them(G):
    from gridvoices.queries.index.whatif import apply_scenario

    H = apply_scenario(G, [{"close": n} for n in sorted(INACTIVE)])
    a = independent_cascade(G, default_seeds(G), runs=200, seed=7)
    b = independent_cascade(H, default_seeds(H), runs=200, seed=7)
    assert a.expected_reach == pytest.approx(b.expected_reach)


def test_the_findings_never_call_them_reached(G):
    with suppression(True):
        lines = findings_text(run_all(G))
    vol = [x for x in lines if "Coalfield Recovery Volunteering" in x]
    assert vol and all(x.startswith("Missing domains:") for x in vol)
    assert not any("svc-vol-bo" in x and "runs" in x for x in lines)
