"""Voices: what people in recovery, families and peer mentors say about services and links.

Feedback is summarised per service or group, per district and per referral
link: number of responses, mean rating, the CHIME themes and barriers most
mentioned, by period and the trend between the first and last period. The
library returns exact numbers; where people read them, aggregates of fewer
than 5 responses are starred (``gridvoices.visualise.render.shown``) — the same rule as
referral counts. Comments are never part of a summary.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import networkx as nx
from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD
from gridvoices.queries.cypher import resolve_periods

__all__ = [
    "feedback_summary",
    "feedback_summary_cypher",
    "summarise",
    "weight_by_link_ratings",
    "REPORTED_DISTANCE",
]

# Barriers that say a boundary was felt: the place was out of reach or would not take them.
REPORTED_DISTANCE = ("too_far", "referral_refused")


def _top(counter: Counter, n: int = 3) -> list[str]:
    return [k for k, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _aggregate(rows: list[dict]) -> dict:
    responses = sum(r["responses"] for r in rows)
    total = sum(r["rating_sum"] for r in rows)
    themes: Counter = Counter()
    barriers: Counter = Counter()
    for r in rows:
        themes.update(r["chime"])
        barriers.update(r["barrier"])
    return {
        "responses": responses,
        "mean_rating": round(total / responses, 2) if responses else None,
        "top_themes": _top(themes),
        "top_barriers": _top(barriers),
        "reported_distance": sum(barriers[b] for b in REPORTED_DISTANCE),
    }


def summarise(cells: list[dict], districts: dict, names: dict, node_district: dict) -> dict:
    """Summaries from cells of ``(about, about_to, period, responses, rating_sum, chime,
    barrier)``: the shared arithmetic of the graph and Cypher forms."""
    by_service: dict = defaultdict(list)
    by_link: dict = defaultdict(list)
    by_district: dict = defaultdict(list)
    for c in cells:
        if c["about_to"] is None:
            by_service[c["about"]].append(c)
            d = node_district.get(c["about"])
            if d is not None:
                by_district[d].append(c)
        else:
            by_link[(c["about"], c["about_to"])].append(c)

    def row(cs: list[dict]) -> dict:
        periods = sorted({c["period"] for c in cs})
        per = [{"period": p, **_aggregate([c for c in cs if c["period"] == p])} for p in periods]
        out = _aggregate(cs)
        first, last = per[0], per[-1]
        # A trend between periods with too few responses to show is no trend at all.
        enough = min(first["responses"], last["responses"]) >= SUPPRESSION_THRESHOLD
        out["trend"] = (
            round(last["mean_rating"] - first["mean_rating"], 2)
            if len(per) > 1 and enough
            else None
        )
        out["by_period"] = [
            {k: v for k, v in p.items() if k in ("period", "responses", "mean_rating")} for p in per
        ]
        return out

    services = [
        {"id": s, "name": names.get(s, s), "district": node_district.get(s), **row(cs)}
        for s, cs in sorted(by_service.items())
    ]
    links = [
        {
            "source": a,
            "target": b,
            "source_name": names.get(a, a),
            "target_name": names.get(b, b),
            **row(cs),
        }
        for (a, b), cs in sorted(by_link.items())
    ]
    dist = [
        {"district": d, "name": districts.get(d, {}).get("name", d), **row(cs)}
        for d, cs in sorted(by_district.items())
    ]
    return {"services": services, "links": links, "districts": dist}


def _cells(records: Iterable[dict]) -> list[dict]:
    cells: dict = {}
    for r in records:
        key = (r["about"], r.get("about_to"), r["period"])
        c = cells.setdefault(
            key,
            {
                "about": key[0],
                "about_to": key[1],
                "period": key[2],
                "responses": 0,
                "rating_sum": 0,
                "chime": [],
                "barrier": [],
            },
        )
        c["responses"] += 1
        c["rating_sum"] += int(r["rating"])
        c["chime"] += list(r.get("chime") or [])
        c["barrier"] += list(r.get("barrier") or [])
    return list(cells.values())


def feedback_summary(G: nx.DiGraph) -> dict:
    """Feedback per service or group, per district and per referral link.

    Returns
    -------
    dict
        ``services``, ``districts`` and ``links``: rows with ``responses``,
        ``mean_rating``, ``top_themes``, ``top_barriers``, ``reported_distance``
        (responses naming "too far" or "referral refused"), ``trend`` (last
        period's mean minus the first's) and ``by_period``.

    See Also
    --------
    feedback_summary_cypher

    Examples
    --------
    >>> G = nx.DiGraph(districts={}, feedback=[
    ...     {"about": "s", "about_to": None, "period": "2024-Q1", "rating": 4,
    ...      "chime": ["hope"], "barrier": []},
    ...     {"about": "s", "about_to": None, "period": "2024-Q2", "rating": 2,
    ...      "chime": [], "barrier": ["too_far"]}])
    >>> G.add_node("s", type="Service", name="S", district="D")
    >>> r = feedback_summary(G)["services"][0]
    >>> r["responses"], r["mean_rating"], r["trend"], r["reported_distance"]
    (2, 3.0, None, 1)
    """
    names = {n: a.get("name", n) for n, a in G.nodes(data=True)}
    where = {n: a.get("district") for n, a in G.nodes(data=True)}
    return summarise(
        _cells(G.graph.get("feedback", [])), G.graph.get("districts", {}), names, where
    )


_CELLS = """
MATCH (f:Feedback)-[:ABOUT]->(a) WHERE f.period IN $periods
RETURN a.id AS about, f.about_to AS about_to, f.period AS period, count(f) AS responses,
       sum(f.rating) AS rating_sum,
       reduce(x = [], l IN collect(f.chime) | x + l) AS chime,
       reduce(x = [], l IN collect(f.barrier) | x + l) AS barrier
"""

_NODES = """
MATCH (n) WHERE n:Service OR n:Group OR n:Navigator
RETURN n.id AS id, coalesce(n.name, n.id) AS name,
       CASE WHEN n:Service THEN n.districts[0] WHEN n:Group THEN n.district
            ELSE COLLECT { MATCH (n)-[:BASED_AT]->(b:Service) RETURN b.districts[0] }[0]
       END AS district
"""


def feedback_summary_cypher(db, *, periods: Iterable[str] | None = None) -> dict:
    """The :func:`feedback_summary` answer with the counting done in Neo4j.

    See Also
    --------
    feedback_summary
    """
    cells = db.query(_CELLS, {"periods": resolve_periods(db, periods)})
    nodes = db.query(_NODES)
    districts = {
        r["id"]: {"name": r["name"]}
        for r in db.query("MATCH (d:District) RETURN d.id AS id, d.name AS name")
    }
    return summarise(
        cells,
        districts,
        {r["id"]: r["name"] for r in nodes},
        {r["id"]: r["district"] for r in nodes},
    )


def weight_by_link_ratings(
    G: nx.DiGraph, *, min_responses: int = SUPPRESSION_THRESHOLD
) -> nx.DiGraph:
    """A copy of ``G`` whose referral flows are weighted by how people rated the link.

    A referral link with at least ``min_responses`` link ratings carries
    ``referrals × mean rating / 5``: a handover people rate 5 keeps its full
    flow, one rated 1 counts a fifth. Links with fewer ratings are unchanged.
    Used by ``--weight-by-feedback`` on ``barriers`` and ``contagion``.

    Examples
    --------
    >>> G = nx.DiGraph(feedback=[{"about": "a", "about_to": "b", "rating": 2}] * 5)
    >>> G.add_edge("a", "b", referrals=10)
    >>> weight_by_link_ratings(G).edges["a", "b"]["referrals"]
    4
    """
    ratings: dict = defaultdict(list)
    for f in G.graph.get("feedback", []):
        if f.get("about_to") is not None:
            ratings[(f["about"], f["about_to"])].append(int(f["rating"]))
    H = G.copy()
    for (u, v), rs in ratings.items():
        if len(rs) >= min_responses and H.has_edge(u, v):
            d = H.edges[u, v]
            factor = sum(rs) / len(rs) / 5
            d["referrals"] = round(d.get("referrals", 0) * factor)
            d["by_period"] = {p: round(n * factor) for p, n in d.get("by_period", {}).items()}
            d["link_rating"] = round(sum(rs) / len(rs), 2)
    return H
