"""Seven-domain coverage: which community recovery domains each district offers."""

from __future__ import annotations

import networkx as nx
from gridvoices.ecosystem.vocab import COMMUNITY_DOMAINS, FELLOWSHIP_DOMAIN

__all__ = ["coverage", "coverage_cypher", "coverage_from_counts"]


def coverage(G: nx.DiGraph, *, inactive_with_flows: bool = False) -> dict:
    """For each district, how many active services and groups serve each community domain.

    A service counts in every district it lists; inactive services do not
    count (they are named in ``why`` when they are all a district has), unless
    ``inactive_with_flows``: then a closed service counts in the periods where
    it still sent or received referrals (how :func:`gridvoices.queries.compare.compare`
    sees coverage change over time).

    Returns
    -------
    dict
        ``districts``: rows (district, name, counts per domain, covered, missing,
        why); ``county``: per domain, the number of districts covering it, the
        active services and groups placed in them and those ``unplaced`` (listing
        no district: a directory without places still shows what it offers).

    See Also
    --------
    coverage_cypher

    Examples
    --------
    >>> G = nx.DiGraph(districts={"D": {"name": "D", "borders": []}})
    >>> G.add_node("g", type="Group", districts=["D"], domain="twelve_step", active=True)
    >>> coverage(G)["districts"][0]["covered"]
    1
    """
    counts: list[dict] = []
    for n, a in G.nodes(data=True):
        if a.get("type") not in ("Service", "Group") or a.get("domain") not in COMMUNITY_DOMAINS:
            continue
        active = bool(a.get("active")) or (inactive_with_flows and _has_flows(G, n))
        for d in a.get("districts") or [None]:
            counts.append(
                {"district": d, "domain": a["domain"], "active": active, "id": a.get("name")}
            )
    return coverage_from_counts(G.graph.get("districts", {}), counts)


def _has_flows(G: nx.DiGraph, n) -> bool:
    edges = list(G.in_edges(n, data=True)) + list(G.out_edges(n, data=True))
    return any(e.get("referrals", 0) > 0 for *_, e in edges)


def coverage_from_counts(districts: dict, items: list[dict]) -> dict:
    """Coverage rows from one item per (service or group, district it lists).

    An item whose district is ``None`` is a service or group placed in no district.
    """
    active: dict[tuple, int] = {}
    inactive: dict[tuple, list] = {}
    for it in items:
        key = (it["district"], it["domain"])
        if it["active"]:
            active[key] = active.get(key, 0) + 1
        else:
            inactive.setdefault(key, []).append(it["id"])
    rows = []
    for d in sorted(districts):
        name = districts[d]["name"]
        per = {dom: active.get((d, dom), 0) for dom in COMMUNITY_DOMAINS}
        missing = [dom for dom, n in per.items() if n == 0]
        if missing:
            parts = []
            for dom in missing:
                label = COMMUNITY_DOMAINS[dom]
                gone = inactive.get((d, dom))
                parts.append(
                    f"{label}" + (f" (only inactive: {', '.join(sorted(gone))})" if gone else "")
                )
            why = f"{name} has no active service or group for: " + "; ".join(parts)
        else:
            why = f"{name} covers all seven community domains"
        rows.append(
            {
                "district": d,
                "name": name,
                **per,
                "covered": len(COMMUNITY_DOMAINS) - len(missing),
                "missing": missing,
                "why": why,
            }
        )
    county = [
        {
            "domain": dom,
            "label": label,
            "districts_covering": sum(1 for r in rows if r[dom] > 0),
            "services_and_groups": sum(r[dom] for r in rows),
            "unplaced": active.get((None, dom), 0),
        }
        for dom, label in COMMUNITY_DOMAINS.items()
    ]
    return {"domains": list(COMMUNITY_DOMAINS), "districts": rows, "county": county}


_COVERAGE = """
MATCH (n) WHERE n:Service OR n:Group
WITH n, CASE WHEN n:Service THEN n.domain ELSE $fellowship_domain[n.fellowship] END AS domain
WHERE domain IN $domains
OPTIONAL MATCH (n)-[:IN_DISTRICT]->(d:District)
RETURN d.id AS district, domain, coalesce(n.active, true) AS active, n.name AS id
"""


def coverage_cypher(db, *, periods=None) -> dict:
    """The :func:`coverage` answer with the counting done in Neo4j.

    ``periods`` is accepted for a uniform interface; coverage depends on which
    services exist and are active, not on flows.
    """
    items = db.query(
        _COVERAGE,
        {"domains": list(COMMUNITY_DOMAINS), "fellowship_domain": FELLOWSHIP_DOMAIN},
    )
    districts = {
        r["id"]: {"name": r["name"]}
        for r in db.query("MATCH (d:District) RETURN d.id AS id, d.name AS name")
    }
    return coverage_from_counts(districts, items)
