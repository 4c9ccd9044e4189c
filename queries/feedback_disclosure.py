"""Feedback through the disclosure layer: aggregates of fewer than 5 responses, and their margins.

A feedback summary publishes response counts per service or group, per referral
link and per district, for all periods and each period (``by_period``). The atoms
(*cells*) are the responses about one service or link in one period. A district's
count is the sum of its services' counts, a service's the sum of its periods', so
the primary rule alone (hide aggregates of 1-4 responses) gives hidden counts back
by subtraction. :func:`feedback_disclosure` lists every such sum as a
:class:`~gridvoices.ecosystem.disclosure.Figure` and protects them with the same
complementary suppression as referral counts; the counts of responses naming "too
far" or "referral refused" (``reported_distance``) are a second table of the same
shape, protected alongside.

A mean rating is shown only with its response count: hidden together, the rating
sums (mean x responses) have the same linear relations as the counts, so the
protection that keeps a small count hidden keeps its ratings hidden too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx
from gridvoices.ecosystem.disclosure import Figure
from gridvoices.ecosystem.privacy import SUPPRESSED, suppress
from gridvoices.queries.disclosure import Disclosure, _full, period_spans, protected_once
from gridvoices.queries.feedback import REPORTED_DISTANCE

__all__ = [
    "feedback_cells",
    "feedback_figures",
    "feedback_disclosure",
    "feedback_groups",
    "disclose_feedback",
    "hidden_districts",
]

_CACHE = "_feedback_disclosure"
_TABLES = ("responses", "reported")


def _cells(G: nx.DiGraph) -> dict[tuple, int]:
    """``(table, about, about_to, period) -> count`` for G's feedback."""
    out: dict[tuple, int] = defaultdict(int)
    for r in G.graph.get("feedback") or []:
        key = (r["about"], r.get("about_to"), r["period"])
        out[("responses", *key)] += 1
        if set(r.get("barrier") or ()) & set(REPORTED_DISTANCE):
            out[("reported", *key)] += 1
    return dict(out)


def _groups(G: nx.DiGraph, cells: Iterable[tuple]) -> dict[tuple, list]:
    """The cells grouped as the summary sums them: (table, kind, id) -> cells."""
    where = {n: a.get("district") for n, a in G.nodes(data=True)}
    groups: dict[tuple, list] = defaultdict(list)
    for c in cells:
        table, about, about_to, _ = c
        if about_to is None:
            groups[table, "service", about].append(c)
            d = where.get(about)
            if d is not None:
                groups[table, "district", d].append(c)
        else:
            groups[table, "link", about, about_to].append(c)
    return groups


def feedback_cells(G: nx.DiGraph) -> dict[tuple, int]:
    """``("responses" or "reported", about, about_to, period) -> count`` for G's feedback."""
    return _cells(G)


def feedback_groups(G: nx.DiGraph) -> dict[tuple, list]:
    """G's feedback cells grouped as the summary sums them: (table, kind, *id) -> cells."""
    return _groups(G, _cells(G))


def feedback_figures(G: nx.DiGraph) -> list[Figure]:
    """Every feedback count a summary of ``G`` can publish: for all periods and each period.

    Examples
    --------
    >>> G = nx.DiGraph(feedback=[{"about": "s", "period": "Q1", "rating": 4, "barrier": []}])
    >>> G.add_node("s", district="D")
    >>> sorted(f.key for f in feedback_figures(G))[:2]
    [('responses', 'district', 'D', 'all'), ('responses', 'service', 's', 'all')]
    """
    values = _cells(G)
    periods = sorted(set(G.graph.get("all_periods") or ()) | {c[3] for c in values})
    spans = period_spans(periods)  # ranges too: all periods less the others give a range away
    out = []
    for key, cs in _groups(G, values).items():
        for label, keep in spans:
            part = tuple(c for c in cs if keep is None or c[3] in keep)
            if part:
                out.append(Figure((*key, label), part, sum(values[c] for c in part)))
    return out


def feedback_disclosure(G: nx.DiGraph) -> Disclosure:
    """The protection of every feedback count about ``G`` (all its periods'), once per graph."""
    return protected_once(_full(G), _CACHE, feedback_figures)


def hidden_districts(G: nx.DiGraph) -> set:
    """Districts whose response count (over G's periods) the layer hides."""
    if suppress(1) != SUPPRESSED:
        return set()
    D = feedback_disclosure(G)
    groups = _groups(G, _cells(G))
    return {k[2] for k, cs in groups.items() if k[:2] == ("responses", "district") and D.hidden(cs)}


def _mark(row: dict, hidden: set) -> dict:
    return {**row, "_hidden": sorted(hidden)} if hidden else row


def disclose_feedback(result: dict, G: nx.DiGraph) -> dict:
    """A feedback summary of ``G`` with the counts the layer hides marked (``_hidden``).

    A row whose response count is hidden loses its ratings, themes and barrier
    counts too (:func:`gridvoices.visualise.render.shown` stars what depends on it).
    """
    if suppress(1) != SUPPRESSED or not isinstance(result, dict):
        return result
    D = feedback_disclosure(G)
    groups = _groups(G, _cells(G))

    def hid(table, kind, ident, period=None) -> bool:
        cs = groups.get((table, *kind, *ident), [])
        if period is not None:
            cs = [c for c in cs if c[3] == period]
        return bool(cs) and D.hidden(cs)

    def row(x: dict, kind: tuple, ident: tuple) -> dict:
        hide = set()
        if hid("responses", kind, ident):
            hide |= {"responses", "reported_distance"}
        elif x.get("reported_distance") and hid("reported", kind, ident):
            hide.add("reported_distance")
        periods = [
            _mark(p, {"responses"} if hid("responses", kind, ident, p["period"]) else set())
            for p in x.get("by_period") or []
        ]
        if any("_hidden" in p for p in periods) and x.get("trend") is not None:
            hide.add("trend")  # a difference of two means, one of them hidden
        return _mark({**x, "by_period": periods} if "by_period" in x else x, hide)

    r = dict(result)
    r["services"] = [row(x, ("service",), (x["id"],)) for x in result.get("services", [])]
    r["links"] = [row(x, ("link",), (x["source"], x["target"])) for x in result.get("links", [])]
    r["districts"] = [row(x, ("district",), (x["district"],)) for x in result.get("districts", [])]
    return r
