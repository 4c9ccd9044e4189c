"""Referral paths between two services or groups, with the flow on each hop."""

from __future__ import annotations

import functools
from collections.abc import Iterable

import networkx as nx
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.compact import MAX_HOPS, _check_k
from gridvoices.queries.cypher import FLOW, flow, resolve_periods
from gridvoices.queries.graph import referral_graph
from gridvoices.stores.neo4j_links import link_types

__all__ = [
    "shortest_paths",
    "shortest_paths_cypher",
    "referral_paths",
    "referral_paths_cypher",
    "MAX_HOPS",
]


def _path_record(R, nodes: list[str]) -> dict:
    hops = [
        {"source": u, "target": v, "referrals": R.edges[u, v]["referrals"]}
        for u, v in zip(nodes, nodes[1:], strict=False)
    ]
    return {"nodes": list(nodes), "hops": hops}


def _check_ends(G, source: str, target: str) -> None:
    for n in (source, target):
        if n not in G or G.nodes[n].get("type") not in ("Service", "Group"):
            raise QueryError(f"{n!r} is not a known service or group id")


def shortest_paths(G: nx.DiGraph, source: str, target: str) -> list[dict]:
    """All shortest referral paths from ``source`` to ``target`` (fewest hops).

    Only edges that carried referrals in the graph's periods count. Paths are
    sorted by their node ids; an empty list means ``target`` is unreachable.

    Returns
    -------
    list of dict
        ``nodes`` (ids in order) and ``hops`` (source, target, referrals).

    See Also
    --------
    shortest_paths_cypher, referral_paths

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, type="Service")
    >>> G.add_edge("a", "b", referrals=5); G.add_edge("b", "c", referrals=2)
    >>> shortest_paths(G, "a", "c")[0]["nodes"]
    ['a', 'b', 'c']
    """
    _check_ends(G, source, target)
    if source == target:
        return []
    R = referral_graph(G)
    try:
        paths = list(nx.all_shortest_paths(R, source, target))
    except nx.NetworkXNoPath:
        return []
    return [_path_record(R, p) for p in sorted(paths)]


def referral_paths(G: nx.DiGraph, source: str, target: str, k: int = 4) -> list[dict]:
    """Every referral path of at most ``k`` hops that visits no service twice.

    Sorted by length, then node ids. Each hop carries its referral count.

    See Also
    --------
    referral_paths_cypher, shortest_paths

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, type="Service")
    >>> G.add_edge("a", "b", referrals=5); G.add_edge("b", "c", referrals=2)
    >>> G.add_edge("a", "c", referrals=1)
    >>> [p["nodes"] for p in referral_paths(G, "a", "c", k=2)]
    [['a', 'c'], ['a', 'b', 'c']]
    """
    _check_ends(G, source, target)
    _check_k(k)
    if source == target:
        return []
    R = referral_graph(G)
    paths = nx.all_simple_paths(R, source, target, cutoff=k)
    return [_path_record(R, p) for p in sorted(paths, key=lambda p: (len(p), p))]


# Only for calls that run no search (the same end twice, a bad k): the end check alone.
_ENDS = """
MATCH (a:Entity {id: $source}) WHERE a:Service OR a:Group
MATCH (b:Entity {id: $target}) WHERE b:Service OR b:Group
RETURN count(*) AS n
"""

# The Cypher forms answer in one round trip: the end check rides along as two flags
# beside the paths, and hops are rebuilt in Python from the node ids and per-hop flows
# (no startNode()/endNode() lookups in the server). A search from a missing end is
# skipped, not run: ALL SHORTEST from a null node fails in Neo4j 5.26.
_BOTH_ENDS = """
OPTIONAL MATCH (a:Entity {{id: $source}}) WHERE a:Service OR a:Group
OPTIONAL MATCH (b:Entity {{id: $target}}) WHERE b:Service OR b:Group
CALL (a, b) {{
{body}
}}
RETURN a IS NOT NULL AS source_known, b IS NOT NULL AS target_known, paths
"""

# Shortest paths over every period, where the stored total is the flow (no
# per-relationship sum in the search). A search with a per-relationship property predicate
# runs 3-5x slower in Neo4j 5.26 than the plain bidirectional BFS (ShortestPath
# operator), so search the unfiltered REFERS graph and keep the shortest paths whose hops
# all carried referrals. If one survives, the shortest distance over referral-carrying
# hops is the same and the survivors are exactly its shortest paths; if none was found,
# no path exists at all. Only when every unfiltered shortest path used a zero-total hop
# (rare) is the filtered search run; a universal predicate on every relationship keeps
# it the same BFS, not an exhaustive search. (Neo4j refuses ALL SHORTEST beside
# allShortestPaths in one statement.)
_SHORTEST_EVERY = _BOTH_ENDS.format(
    body="""  CALL (a, b) {
    WITH a, b WHERE a IS NOT NULL AND b IS NOT NULL
    MATCH p = allShortestPaths((a)-[:REFERS*]->(b))
    RETURN collect(p) AS found
  }
  WITH a, b, found, [p IN found WHERE all(r IN relationships(p) WHERE r.total > 0)] AS kept
  CALL (a, b, found, kept) {
    WITH a, b WHERE kept = [] AND found <> []
    MATCH p = allShortestPaths((a)-[:REFERS*]->(b))
    WHERE all(r IN relationships(p) WHERE r.total > 0)
    RETURN collect(p) AS fallback
  }
  RETURN [p IN kept + fallback |
          {nodes: [n IN nodes(p) | n.id], flows: [r IN relationships(p) | r.total]}] AS paths"""
)

# A subset of periods leaves most relationships without flow, so the unfiltered search
# would nearly always need the fallback: search with the flow predicate inline. Only for a
# database without the per-period links (see _shortest_linked): reading each hop's lists
# makes it 5-10x slower than the unfiltered search.
_SHORTEST_SOME = _BOTH_ENDS.format(
    body=f"""  WITH a, b WHERE a IS NOT NULL AND b IS NOT NULL
  MATCH p = ALL SHORTEST (a)-[r:REFERS WHERE {FLOW} > 0]->+(b)
  RETURN collect({{nodes: [n IN nodes(p) | n.id],
                   flows: [r IN relationships(p) | {FLOW}]}}) AS paths"""
)

_SHORTEST = {True: _SHORTEST_EVERY, False: _SHORTEST_SOME}


# Each hop of a pair linked in m chosen periods is m parallel links, so ALL SHORTEST over
# the link types finds up to m^d relationship paths per node sequence (729 for one
# 6-hop route over 3 periods on a dense generated graph). The search streams, so it is
# cut off after this many; a cut-off answer is thrown away and the list filter runs.
LINKED_PATHS_CAP = 256


@functools.lru_cache(maxsize=64)
def _shortest_linked(periods: tuple[str, ...]) -> str:
    """Shortest paths over some periods as a plain BFS over their per-period link types.

    The types come from validated periods (stores.neo4j_links.link_type), so the text is
    one per period subset and cached here and in Neo4j's plan cache. A pair linked in two
    chosen periods gives the same node sequence twice: kept once. Each hop's flow is then
    read from its REFERS, only for the paths found. ``paths`` is null when more than
    ``$cap`` relationship paths were found (see LINKED_PATHS_CAP).
    """
    return f"""
OPTIONAL MATCH (a:Entity {{id: $source}}) WHERE a:Service OR a:Group
OPTIONAL MATCH (b:Entity {{id: $target}}) WHERE b:Service OR b:Group
OPTIONAL CALL (a, b) {{
  WITH a, b WHERE a IS NOT NULL AND b IS NOT NULL
  MATCH p = ALL SHORTEST (a)-[:{link_types(periods)}]->+(b)
  RETURN nodes(p) AS ns LIMIT $cap
}}
WITH a, b, collect(ns) AS found
CALL (found) {{
  UNWIND found AS ns
  WITH DISTINCT ns
  CALL (ns) {{
    UNWIND range(0, size(ns) - 2) AS i
    WITH i, ns[i] AS x, ns[i + 1] AS y
    MATCH (x)-[r:REFERS]->(y)
    WITH i, {FLOW} AS f ORDER BY i
    RETURN collect(f) AS flows
  }}
  RETURN collect({{nodes: [n IN ns | n.id], flows: flows}}) AS paths
}}
RETURN a IS NOT NULL AS source_known, b IS NOT NULL AS target_known,
       CASE WHEN size(found) >= $cap THEN null ELSE paths END AS paths
"""


def _chain(hops: int, every: bool) -> str:
    """Simple paths of exactly ``hops`` hops from a to b, met in the middle.

    A quantified pattern enumerates every walk out of a (about 15^k rows on the national
    graph); joining walks of half the length out of a and into b on the middle node
    touches about 2 * 15^(k/2).
    """
    names = ["a", *(f"n{i}" for i in range(1, hops)), "b"]
    # Over every period the stored total is the flow.
    flows = [f"r{i}.total" if every else flow(f"r{i}") for i in range(1, hops + 1)]
    pattern = "(a)" + "".join(f"-[r{i}:REFERS]->({names[i]})" for i in range(1, hops + 1))
    # Hints only where there are two expansions to join; a and b differ (checked before).
    hint = f" USING JOIN ON {names[hops // 2]}" if hops >= 3 else ""
    distinct = [
        f"{names[i]} <> {names[j]}"
        for i in range(hops + 1)
        for j in range(i + 1, hops + 1)
        if (i, j) != (0, hops)
    ]
    where = " AND ".join([f"{f} > 0" for f in flows] + distinct)
    return (
        f"    MATCH {pattern}{hint}\n    WHERE {where}\n"
        f"    RETURN [{', '.join(n + '.id' for n in names)}] AS nodes, "
        f"[{', '.join(flows)}] AS flows"
    )


def _up_to(k: int, every: bool) -> str:
    union = "\n    UNION ALL\n".join(_chain(h, every) for h in range(1, k + 1))
    return _BOTH_ENDS.format(
        body=f"""  CALL (a, b) {{
{union}
  }}
  RETURN collect({{nodes: nodes, flows: flows}}) AS paths"""
    )


# Hop counts cannot be parameters; k is checked to be an int in 1..MAX_HOPS and the
# statements are built once per k from the fixed fragments above.
_UP_TO = {(k, every): _up_to(k, every) for k in range(1, MAX_HOPS + 1) for every in (True, False)}


def _params(db, source, target, periods) -> tuple[dict, bool]:
    if periods is None:
        # Every period: the query reads r.total and never $periods, so the store's
        # period list (a scan of every relationship on first use) is not needed.
        return {"source": source, "target": target, "periods": []}, True
    chosen = resolve_periods(db, periods)
    every = chosen == db.periods()
    return {"source": source, "target": target, "periods": chosen}, every


def _cypher_ends(db, source, target) -> None:
    if db.query(_ENDS, {"source": source, "target": target})[0]["n"] == 0:
        known = db.query(
            "MATCH (n:Entity) WHERE n.id IN [$source, $target] AND (n:Service OR n:Group) "
            "RETURN n.id AS id",
            {"source": source, "target": target},
        )
        ids = {r["id"] for r in known}
        bad = source if source not in ids else target
        raise QueryError(f"{bad!r} is not a known service or group id")


def _answer(db, cypher: str, params: dict, key) -> list[dict] | None:
    (row,) = db.query(cypher, params)
    for known, end in (("source_known", params["source"]), ("target_known", params["target"])):
        if not row[known]:
            raise QueryError(f"{end!r} is not a known service or group id")
    if row["paths"] is None:  # a linked search cut off (LINKED_PATHS_CAP)
        return None
    paths = [
        {
            "nodes": p["nodes"],
            "hops": [
                {"source": u, "target": v, "referrals": n}
                for u, v, n in zip(p["nodes"], p["nodes"][1:], p["flows"], strict=False)
            ],
        }
        for p in row["paths"]
    ]
    return sorted(paths, key=key)


def shortest_paths_cypher(
    db, source: str, target: str, *, periods: Iterable[str] | None = None
) -> list[dict]:
    """The :func:`shortest_paths` answer from Neo4j (bidirectional BFS), in one round trip."""
    if source == target:
        _cypher_ends(db, source, target)
        return []
    params, every = _params(db, source, target, periods)
    chosen = params["periods"]
    if not every and chosen and _linked(db, chosen):
        linked = {**params, "cap": LINKED_PATHS_CAP}
        found = _answer(db, _shortest_linked(tuple(chosen)), linked, key=lambda r: r["nodes"])
        if found is not None:
            return found
    return _answer(db, _SHORTEST[every], params, key=lambda r: r["nodes"])


def _linked(db, chosen: list[str]) -> bool:
    # A database from before the per-period links (or another store) filters on the lists.
    links = getattr(db, "period_links", None)
    have = links() if links else None
    return have is not None and set(chosen) <= set(have)


def referral_paths_cypher(
    db, source: str, target: str, k: int = 4, *, periods: Iterable[str] | None = None
) -> list[dict]:
    """The :func:`referral_paths` answer from Neo4j (paths met in the middle), one round trip."""
    if source == target or not isinstance(k, int) or not 1 <= k <= MAX_HOPS:
        # Same order of errors as referral_paths: unknown ends first, then k.
        _cypher_ends(db, source, target)
        _check_k(k)
        return []
    params, every = _params(db, source, target, periods)
    return _answer(db, _UP_TO[(k, every)], params, key=lambda r: (len(r["nodes"]), r["nodes"]))
