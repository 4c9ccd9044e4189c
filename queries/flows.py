"""Referral flows aggregated across boundaries: district x district, organisation x organisation.

These are the graph queries behind the barrier analysis. Each has a NetworkX
form and a Cypher form with the same rows; :mod:`gridvoices.queries.barriers.forms` turns the
rows into findings.

A flow is placed in the district of its ends' first listed district (a group's
district) and in the organisation that runs each end (mutual-aid groups have
none and are grouped as ``mutual-aid groups`` of kind ``mutual_aid``).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
from gridvoices.queries.cypher import flow, resolve_periods
from gridvoices.queries.graph import referral_arrays

__all__ = [
    "boundary_flows",
    "boundary_flows_cypher",
    "cross_border_edges",
    "cross_border_edges_cypher",
    "GROUPS_ORG",
]

GROUPS_ORG = "mutual-aid groups"


def _org(a: dict) -> str:
    return a.get("organisation") or GROUPS_ORG


def boundary_flows(G: nx.DiGraph, level: str = "district") -> list[dict]:
    """Referral totals between boundaries at ``level`` (district, organisation or kind).

    Returns
    -------
    list of dict
        ``source``, ``target`` (district codes, organisation ids or kinds) and
        ``referrals``, one row per ordered pair with flow > 0, sorted.

    See Also
    --------
    boundary_flows_cypher : the same rows from Neo4j.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", type="Service", district="D1")
    >>> G.add_node("b", type="Service", district="D2")
    >>> G.add_edge("a", "b", referrals=4)
    >>> boundary_flows(G)
    [{'source': 'D1', 'target': 'D2', 'referrals': 4}]
    """
    key = _key(level)
    A = referral_arrays(G)
    attrs = G.nodes
    codes, values = A.codes([key(attrs[n]) for n in A.nodes])
    a, b = codes[A.src], codes[A.dst]
    ok = (a >= 0) & (b >= 0) & (A.referrals > 0)
    # Sums per (source, target) boundary pair over a million edges, in numpy.
    pair = a[ok] * len(values) + b[ok]
    uniq, inverse = np.unique(pair, return_inverse=True)
    sums = np.bincount(inverse, weights=A.referrals[ok], minlength=len(uniq))
    rows = [
        (values[p // len(values)], values[p % len(values)], int(n))
        for p, n in zip(uniq.tolist(), sums.tolist(), strict=True)
    ]
    return [{"source": s, "target": t, "referrals": n} for s, t, n in sorted(rows)]


def _key(level: str):
    if level == "district":
        return lambda a: a.get("district")
    if level == "organisation":
        return _org
    if level == "kind":
        return lambda a: a.get("org_kind")
    raise ValueError(f"level must be district, organisation or kind, not {level!r}")


# A node's boundary at each level, as Cypher expressions over node `n`.
_CYPHER_KEYS = {
    "district": "CASE WHEN {n}:Service THEN {n}.districts[0] ELSE {n}.district END",
    "organisation": f"CASE WHEN {{n}}:Service THEN {{n}}.organisation ELSE '{GROUPS_ORG}' END",
    "kind": "CASE WHEN {n}:Service THEN COLLECT {{ MATCH ({n})-[:RUN_BY]->(o) RETURN o.kind }}[0] "
    "ELSE 'mutual_aid' END",
}

_FLOWS = """
MATCH (a)-[r:REFERS]->(b)
WHERE (a:Service OR a:Group) AND (b:Service OR b:Group)
WITH {ka} AS source, {kb} AS target, {flow} AS c
WHERE c > 0 AND source IS NOT NULL AND target IS NOT NULL
RETURN source, target, sum(c) AS referrals
ORDER BY source, target
"""
_FLOW_QUERIES = {
    level: _FLOWS.format(ka=k.format(n="a"), kb=k.format(n="b"), flow=flow("r"))
    for level, k in _CYPHER_KEYS.items()
}


def boundary_flows_cypher(
    db, level: str = "district", *, periods: Iterable[str] | None = None
) -> list[dict]:
    """The :func:`boundary_flows` rows computed in Neo4j.

    See Also
    --------
    boundary_flows : the same rows from a NetworkX graph.
    """
    if level not in _FLOW_QUERIES:
        raise ValueError(f"level must be district, organisation or kind, not {level!r}")
    return db.query(_FLOW_QUERIES[level], {"periods": resolve_periods(db, periods)})


def cross_border_edges(G: nx.DiGraph) -> list[dict]:
    """Referral edges whose ends are in different districts, with their flow.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", type="Service", district="D1")
    >>> G.add_node("b", type="Group", district="D2")
    >>> G.add_edge("a", "b", referrals=2)
    >>> cross_border_edges(G)[0]["target_district"]
    'D2'
    """
    A = referral_arrays(G)
    attrs = G.nodes
    district = [attrs[n].get("district") or None for n in A.nodes]
    codes, _ = A.codes(district)
    a, b = codes[A.src], codes[A.dst]
    cross = np.flatnonzero((a >= 0) & (b >= 0) & (a != b))
    nodes, src, dst, flows = A.nodes, A.src, A.dst, A.referrals
    rows = [
        {
            "source": nodes[src[i]],
            "target": nodes[dst[i]],
            "source_district": district[src[i]],
            "target_district": district[dst[i]],
            "referrals": int(flows[i]),
        }
        for i in cross.tolist()
    ]
    return sorted(rows, key=lambda r: (r["source"], r["target"]))


_CROSSING = """
MATCH (a)-[r:REFERS]->(b)
WHERE (a:Service OR a:Group) AND (b:Service OR b:Group)
WITH a, b, {ka} AS da, {kb} AS db, {flow} AS c
WHERE c > 0 AND da IS NOT NULL AND db IS NOT NULL AND da <> db
RETURN a.id AS source, b.id AS target, da AS source_district, db AS target_district,
       c AS referrals
ORDER BY source, target
""".format(
    ka=_CYPHER_KEYS["district"].format(n="a"),
    kb=_CYPHER_KEYS["district"].format(n="b"),
    flow=flow("r"),
)


def cross_border_edges_cypher(db, *, periods: Iterable[str] | None = None) -> list[dict]:
    """The :func:`cross_border_edges` rows from Neo4j."""
    return db.query(_CROSSING, {"periods": resolve_periods(db, periods)})
