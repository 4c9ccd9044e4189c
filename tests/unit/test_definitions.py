"""One set of definitions: the same store and periods give the same referral links, peer
links, links and referrals under the same words in summary, views, report and exports."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

import networkx as nx
import pytest
from gridvoices.ecosystem.definitions import DEFINITIONS, KEYS
from gridvoices.queries.analyses import run_all
from gridvoices.queries.counts import link_counts
from gridvoices.queries.disclosure import shown_counts
from gridvoices.queries.graph import build_graph
from gridvoices.queries.run import answer
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths
from gridvoices.visualise.export import export_graph
from gridvoices.visualise.network import render_network_view
from gridvoices.visualise.render import shown
from gridvoices.visualise.report import render_report

from tests.conftest import DERBYSHIRE

# The shipped data, all four periods: counted by hand from data/derbyshire (200 pairs carry
# referrals, 40 peer links, 5 pairs are both; 852 of the 3,659 referrals sit in 358 cells of 1-4).
SHIPPED = {"referral_links": 200, "peer_links": 40, "links": 235, "referrals": 3659}
# As shown with small counts hidden: the cells the disclosure layer shows (5+, less the
# complements it hides so that none of 1-4 can be worked out), then "+ *".
SHOWN_TOTAL = "2,438 + *"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = SQLiteStore(tmp_path_factory.mktemp("defs") / "g.sqlite")
    import_paths(s, [DERBYSHIRE])
    yield s
    s.close()


@pytest.fixture(scope="module")
def G(store):
    return build_graph(store.read())


class TestLinkCounts:
    def test_words_and_keys_are_defined_once(self):
        assert set(DEFINITIONS) == set(KEYS)
        assert set(KEYS.values()) == {"referral_links", "peer_links", "links", "referrals"}

    def test_a_pair_with_both_counts_once_among_links(self):
        G = nx.DiGraph()
        G.add_edge("a", "b", referrals=12, by_period={"Q1": 9, "Q2": 3})
        G.add_edge("g", "b", referrals=0, peer_kind="attends")
        G.add_edge("a", "c", referrals=6, by_period={"Q1": 6}, peer_kind="links_with")
        c = link_counts(G)
        assert (c.referral_links, c.peer_links, c.links, c.referrals) == (2, 2, 3, 18)
        assert (c.referrals_visible, c.referral_small_cells) == (15, 1)

    def test_shipped_data(self, G):
        assert {k: v for k, v in link_counts(G).as_dict().items() if k in SHIPPED} == SHIPPED


class TestSameNumbersEverywhere:
    """summary (SQL and graph forms) vs the view vs the report vs the exports."""

    @pytest.mark.parametrize("engine", ["sql", "graph"])
    def test_summary(self, store, engine):
        totals = answer(store, "summary", engine=engine)["totals"]
        assert {k: totals[k] for k in SHIPPED} == SHIPPED
        assert shown(totals)["referrals"] == SHOWN_TOTAL
        assert shown(totals, suppress=False)["referrals"] == 3659

    def test_view(self, G):
        page = render_network_view(G)
        assert "235 links (200 referral links, 40 peer links)" in page
        assert f"{SHOWN_TOTAL} referrals" in page
        assert f'data-edges="{SHIPPED["links"]}"' in page
        page = render_network_view(G, suppress_small=False)
        assert "3,659 referrals" in page

    def test_report(self, G):
        results = run_all(G)
        for suppress_small, total in ((True, SHOWN_TOTAL), (False, "3,659")):
            html = render_report(G, results=results, suppress_small=suppress_small)
            text = re.sub(r"<[^>]+>", "", html)
            assert f"{total} referrals on 200 referral links; 40 peer links" in text
            assert "(235 links in all)" in text
            assert f"{total} referrals" in text.split("Periods analysed")[0]  # the cover
            assert "referral links: ordered pairs of services or groups" in text.lower()

    def test_exports(self, G, tmp_path):
        path = export_graph(G, tmp_path / "g.json", "json")
        data = json.loads(path.read_text(encoding="utf-8"))
        graph = data["graph"]
        assert {k: graph[k] for k in SHIPPED if k != "referrals"} == {
            k: v for k, v in SHIPPED.items() if k != "referrals"
        }
        assert graph["referrals"] == SHOWN_TOTAL
        assert len(data["links"]) == SHIPPED["links"]
        folder = export_graph(G, tmp_path / "csv", "csv")
        with open(folder / "edges.csv", encoding="utf-8", newline="") as f:
            relation = Counter(r["relation"] for r in csv.DictReader(f))
        assert sum(relation.values()) == SHIPPED["links"]
        assert sum(n for k, n in relation.items() if "referral" in k) == SHIPPED["referral_links"]
        assert sum(n for k, n in relation.items() if "peer_link" in k) == SHIPPED["peer_links"]
        exact = export_graph(G, tmp_path / "exact.graphml", "graphml", suppress_small=False)
        F = nx.read_graphml(exact)
        assert F.graph["referrals"] == 3659 and F.graph["links"] == SHIPPED["links"]

    def test_chosen_periods_agree_too(self, store):
        G2 = build_graph(store.read(), ["2024-Q2"])
        totals = answer(store, "summary", periods=["2024-Q2"], engine="sql")["totals"]
        counts = shown_counts(G2).as_dict()  # protected with all periods, as answer() is
        assert {k: totals[k] for k in counts} == counts
        page = render_network_view(G2)
        assert f"{shown(totals)['referrals']} referrals" in page
        assert f"{counts['links']} links ({counts['referral_links']} referral links" in page
