"""Feedback through the disclosure layer: small aggregates hidden, and their margins too."""

from __future__ import annotations

import pytest
from gridvoices.ecosystem.disclosure import Figure, audit_figures
from gridvoices.ecosystem.privacy import suppression
from gridvoices.queries.feedback import feedback_summary
from gridvoices.queries.feedback_disclosure import (
    disclose_feedback,
    feedback_disclosure,
    feedback_figures,
)
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.render import shown

from tests.conftest import DERBYSHIRE


def _shown_figures(G):
    """Every response count the shown summary publishes, as (figure, shown value)."""
    with suppression(True):
        r = shown(disclose_feedback(feedback_summary(G), G))
    figs = {f.key: f for f in feedback_figures(G)}
    out = []
    for kind, rows, ident in (
        ("service", r["services"], lambda x: (x["id"],)),
        ("link", r["links"], lambda x: (x["source"], x["target"])),
        ("district", r["districts"], lambda x: (x["district"],)),
    ):
        for x in rows:
            out.append((figs["responses", kind, *ident(x), "all"], x["responses"]))
            for p in x["by_period"]:
                out.append((figs["responses", kind, *ident(x), p["period"]], p["responses"]))
    return out


def _tiny():
    # Two services in one district: s1 has 3 responses in Q1 and 6 in Q2, s2 has 7 in Q1.
    fb = [{"about": "s1", "period": "Q1", "rating": 2, "barrier": []}] * 3
    fb += [{"about": "s1", "period": "Q2", "rating": 4, "barrier": []}] * 6
    fb += [{"about": "s2", "period": "Q1", "rating": 5, "barrier": ["too_far"]}] * 7
    import networkx as nx

    G = nx.DiGraph(feedback=fb, districts={"D": {"name": "D"}})
    G.add_node("s1", name="S1", district="D")
    G.add_node("s2", name="S2", district="D")
    return G


class TestDiscloseFeedback:
    def test_margins_would_give_a_small_count_away_and_do_not(self):
        G = _tiny()
        published = _shown_figures(G)
        hidden = {f.key for f, v in published if v == "*"}
        assert ("responses", "service", "s1", "Q1") in hidden  # 3 responses
        # s1's total 9 and Q2's 6 would give the 3 away: one of them is hidden too.
        assert hidden & {
            ("responses", "service", "s1", "all"),
            ("responses", "service", "s1", "Q2"),
        }
        assert audit_figures([f for f, _ in published], hidden).ok
        # The primary rule alone (fewer than 5) leaves it exposed.
        primary = {f.key for f, _ in published if 0 < f.value < 5}
        assert not audit_figures([f for f, _ in published], primary).ok

    def test_a_hidden_count_hides_its_rating(self):
        G = _tiny()
        with suppression(True):
            r = shown(disclose_feedback(feedback_summary(G), G))
        s1 = next(x for x in r["services"] if x["id"] == "s1")
        q1 = next(p for p in s1["by_period"] if p["period"] == "Q1")
        assert q1["responses"] == "*" and q1["mean_rating"] == "*"

    def test_off_when_small_counts_are_shown(self):
        G = _tiny()
        with suppression(False):
            assert disclose_feedback(feedback_summary(G), G) == feedback_summary(G)


@pytest.fixture(scope="module")
def shipped():
    report, tables = validate_paths([DERBYSHIRE])
    assert report.valid
    return tables


def test_shipped_feedback_all_periods_and_each_period(shipped):
    full = build_graph(shipped)
    published, hidden = [], set()
    for periods in [None, *([p] for p in full.graph["periods"])]:
        G = build_graph(shipped, periods)
        run = ",".join(G.graph["periods"])
        for f, v in _shown_figures(G):
            published.append(Figure((run, *f.key), f.parts, f.value))
            if v == "*":
                hidden.add((run, *f.key))
    result = audit_figures(published, hidden)
    assert result.sensitive > 0 and result.ok
    assert feedback_disclosure(full).protection.secondary  # complements were needed
