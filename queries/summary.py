"""Summary counts of an ecosystem: by type, and by district."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD
from gridvoices.queries.counts import link_counts
from gridvoices.queries.cypher import flow, resolve_periods

if TYPE_CHECKING:
    import networkx as nx  # annotations only: summary_sql answers without NetworkX

__all__ = ["summary", "summary_cypher"]

_TYPES = ("Service", "Group", "Navigator")


def summary(G: nx.DiGraph) -> dict:
    """Counts by type and by district for the periods ``G`` was built with.

    A flow belongs to the district of its source (a service's first listed
    district); a multi-district service is counted in each of its districts.

    Returns
    -------
    dict
        ``periods``; ``totals`` (districts, organisations, services, groups,
        navigators, referral_links, referrals, peer_links, links: the words of
        :mod:`gridvoices.ecosystem.definitions`; referrals_visible and
        referral_small_cells, how the total is shown when small counts are
        hidden: see :class:`gridvoices.queries.counts.LinkCounts`); ``districts``: a
        list of rows (district, name, services, groups, navigators,
        referrals_out, referrals_in) sorted by district code.

    See Also
    --------
    summary_cypher : the same answer from Neo4j.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph(districts={"D1": {"name": "One", "borders": []}}, organisations={},
    ...                periods=["2024-Q1"])
    >>> G.add_node("s", type="Service", districts=["D1"], district="D1")
    >>> summary(G)["totals"]["services"]
    1
    """
    districts = G.graph.get("districts", {})
    rows = {
        d: {
            "district": d,
            "name": v["name"],
            "services": 0,
            "groups": 0,
            "navigators": 0,
            "referrals_out": 0,
            "referrals_in": 0,
        }
        for d, v in districts.items()
    }
    counts = dict.fromkeys(_TYPES, 0)
    for _, a in G.nodes(data=True):
        counts[a["type"]] += 1
        key = {"Service": "services", "Group": "groups", "Navigator": "navigators"}[a["type"]]
        for d in a.get("districts") or []:
            if d in rows:
                rows[d][key] += 1
    # Each node's district looked up once, not twice per link (1M links nationally).
    district = {n: a.get("district") for n, a in G.nodes(data=True)}
    for u, nbrs in G.adjacency():
        out_row = rows.get(district[u])
        for v, e in nbrs.items():
            r = e.get("referrals", 0)
            if r > 0:
                if out_row is not None:
                    out_row["referrals_out"] += r
                in_row = rows.get(district[v])
                if in_row is not None:
                    in_row["referrals_in"] += r
    links = link_counts(G)
    return {
        "periods": list(G.graph.get("periods", [])),
        "totals": {
            "districts": len(districts),
            "organisations": len(G.graph.get("organisations", {})),
            "services": counts["Service"],
            "groups": counts["Group"],
            "navigators": counts["Navigator"],
            "referral_links": links.referral_links,
            "referrals": links.referrals,
            "peer_links": links.peer_links,
            "links": links.links,
            "referrals_visible": links.referrals_visible,
            "referral_small_cells": links.referral_small_cells,
        },
        "districts": [rows[d] for d in sorted(rows)],
    }


_TOTALS = f"""
CALL () {{ MATCH (n:District) RETURN count(n) AS districts }}
CALL () {{ MATCH (n:Organisation) RETURN count(n) AS organisations }}
CALL () {{ MATCH (n:Service) RETURN count(n) AS services }}
CALL () {{ MATCH (n:Group) RETURN count(n) AS groups }}
CALL () {{ MATCH (n:Navigator) RETURN count(n) AS navigators }}
CALL () {{
  MATCH ()-[r:REFERS]->() WITH {flow("r")} AS c WHERE c > 0
  RETURN count(*) AS referral_links, coalesce(sum(c), 0) AS referrals
}}
CALL () {{
  MATCH (a)-[:PEER_LINK]->(b) RETURN count(DISTINCT [a, b]) AS peer_links
}}
CALL () {{
  MATCH ()-[r:REFERS]->()
  UNWIND range(0, size(r.periods) - 1) AS i
  WITH r.periods[i] AS p, r.counts[i] AS c WHERE p IN $periods AND c > 0
  RETURN coalesce(sum(CASE WHEN c >= $threshold THEN c ELSE 0 END), 0) AS referrals_visible,
         count(CASE WHEN c < $threshold THEN 1 END) AS referral_small_cells
}}
CALL () {{
  MATCH (a)-[:PEER_LINK]->(b) WITH DISTINCT a, b
  MATCH (a)-[r:REFERS]->(b) WHERE {flow("r")} > 0
  RETURN count(*) AS both
}}
RETURN districts, organisations, services, groups, navigators, referral_links, referrals,
       peer_links, referral_links + peer_links - both AS links, referrals_visible,
       referral_small_cells
"""

# Each REFERS relationship and navigator is visited once, grouped by its home district,
# and each district picks its own group: a subquery per district that scanned every
# relationship took 22 s for 300 districts and 200,000 flows (measured).
_HOME = "CASE WHEN {v}:Service THEN {v}.districts[0] WHEN {v}:Group THEN {v}.district END"
_BY_DISTRICT = f"""
CALL () {{
  MATCH (a)-[r:REFERS]->() WITH {_HOME.format(v="a")} AS k, {flow("r")} AS c
  WITH k, sum(c) AS c WHERE k IS NOT NULL RETURN collect([k, c]) AS outs
}}
CALL () {{
  MATCH ()-[r:REFERS]->(b) WITH {_HOME.format(v="b")} AS k, {flow("r")} AS c
  WITH k, sum(c) AS c WHERE k IS NOT NULL RETURN collect([k, c]) AS ins
}}
CALL () {{
  MATCH (n:Navigator)-[:BASED_AT]->(b:Service)
  WITH b.districts[0] AS k, count(n) AS c WHERE k IS NOT NULL RETURN collect([k, c]) AS navs
}}
MATCH (d:District)
CALL (d) {{ MATCH (s:Service)-[:IN_DISTRICT]->(d) RETURN count(s) AS services }}
CALL (d) {{ MATCH (g:Group)-[:IN_DISTRICT]->(d) RETURN count(g) AS groups }}
RETURN d.id AS district, d.name AS name, services, groups,
       coalesce(head([x IN navs WHERE x[0] = d.id | x[1]]), 0) AS navigators,
       coalesce(head([x IN outs WHERE x[0] = d.id | x[1]]), 0) AS referrals_out,
       coalesce(head([x IN ins WHERE x[0] = d.id | x[1]]), 0) AS referrals_in
ORDER BY district
"""


def summary_cypher(db, *, periods: Iterable[str] | None = None) -> dict:
    """The :func:`summary` answer computed in Neo4j.

    See Also
    --------
    summary : the same answer from a NetworkX graph.
    """
    chosen = resolve_periods(db, periods)
    params = {"periods": chosen, "threshold": SUPPRESSION_THRESHOLD}
    totals = db.query(_TOTALS, params)[0]
    rows = db.query(_BY_DISTRICT, params)
    return {"periods": chosen, "totals": totals, "districts": rows}


def summary_sql(store, *, periods: Iterable[str] | None = None) -> dict:
    """The :func:`summary` answer from SQL counts and the compact graph."""
    import numpy as np
    from gridvoices.queries.compact import adjacency, chosen_periods, node_attributes

    chosen = chosen_periods(store, periods)
    adj = adjacency(store)
    c = store.conn
    one = lambda q: c.execute(q).fetchone()[0]  # noqa: E731
    flow = adj.flows(chosen)
    live = flow > 0
    totals = {
        "districts": one("SELECT COUNT(*) FROM districts"),
        "organisations": one("SELECT COUNT(*) FROM organisations"),
        "services": one("SELECT COUNT(*) FROM services"),
        "groups": one("SELECT COUNT(*) FROM groups"),
        "navigators": one("SELECT COUNT(*) FROM navigators"),
        "referral_links": int(live.sum()),
        "referrals": int(flow.sum()),
        "peer_links": one("SELECT COUNT(*) FROM (SELECT DISTINCT source, target FROM peer_links)"),
    }
    # links (ecosystem.definitions): a pair that is both a referral and a peer link counts once.
    # A referral link here: an edge of the compact graph with flow in the chosen periods;
    # peer pairs are matched to those edges by node numbers (no million-pair set).
    index, n = adj.index, max(adj.n, 1)
    peer = [
        (index[u], index[v])
        for u, v in c.execute("SELECT DISTINCT source, target FROM peer_links")
        if u in index and v in index
    ]
    # Edges are sorted by (source node, target id): keys on the target's rank by id are
    # sorted, so each peer pair is one binary search.
    rank = np.empty(adj.n, dtype=np.int64)
    rank[sorted(range(adj.n), key=adj.ids.__getitem__)] = np.arange(adj.n)
    edge_keys = adj.eu.astype(np.int64) * n + rank[adj.ev]
    peer_keys = np.array([u * n + rank[v] for u, v in peer], dtype=np.int64)
    at = np.minimum(np.searchsorted(edge_keys, peer_keys), max(len(edge_keys) - 1, 0))
    both = int(((edge_keys[at] == peer_keys) & live[at]).sum()) if len(edge_keys) else 0
    totals["links"] = totals["referral_links"] + totals["peer_links"] - both
    # How the total is shown with small counts hidden: one cell per referral row.
    wanted = set(chosen)
    chosen_rows = np.array([p in wanted for p in adj.periods], dtype=bool)[adj.row_period]
    cells = adj.row_count[chosen_rows & (adj.row_count > 0)]
    totals["referrals_visible"] = int(cells[cells >= SUPPRESSION_THRESHOLD].sum())
    totals["referral_small_cells"] = int((cells < SUPPRESSION_THRESHOLD).sum())
    # Flows summed per district of each edge's end: a node's district is its first one.
    _, node_district, _ = node_attributes(store)
    code: dict = {}
    codes = np.array([code.setdefault(d, len(code)) for d in node_district], dtype=np.int64)
    w = flow.astype(np.float64)
    flow_out, flow_in = (
        dict(
            zip(
                code, np.bincount(codes[ends], weights=w, minlength=len(code)).tolist(), strict=True
            )
        )
        for ends in (adj.eu, adj.ev)
    )
    count = {
        "services": dict(
            c.execute(
                "SELECT j.value, COUNT(*) FROM services s, json_each(s.districts) j GROUP BY 1"
            )
        ),
        "groups": dict(c.execute("SELECT district, COUNT(*) FROM groups GROUP BY 1")),
        "navigators": dict(
            c.execute(
                "SELECT json_extract(s.districts, '$[0]'), COUNT(*) FROM navigators v "
                "JOIN services s ON s.id = v.based_at GROUP BY 1"
            )
        ),
    }
    rows = [
        {
            "district": d,
            "name": name,
            **{k: v.get(d, 0) for k, v in count.items()},
            "referrals_out": int(flow_out.get(d, 0)),
            "referrals_in": int(flow_in.get(d, 0)),
        }
        for d, name in c.execute("SELECT id, name FROM districts ORDER BY id")
    ]
    return {"periods": chosen, "totals": totals, "districts": rows}
