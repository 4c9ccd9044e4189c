"""Referral paths between two services or groups, with the flow on each hop."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from queries._cypher import FLOW, resolve_periods
from queries.errors import QueryError
from queries.graph import referral_graph

__all__ = [
    "shortest_paths",
    "shortest_paths_cypher",
    "referral_paths",
    "referral_paths_cypher",
    "MAX_HOPS",
]

MAX_HOPS = 8


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


def _check_k(k: int) -> None:
    if not isinstance(k, int) or not 1 <= k <= MAX_HOPS:
        raise QueryError(f"k must be a whole number of hops from 1 to {MAX_HOPS}, not {k!r}")


_ENDS = """
MATCH (a:Entity {id: $source}) WHERE a:Service OR a:Group
MATCH (b:Entity {id: $target}) WHERE b:Service OR b:Group
RETURN count(*) AS n
"""

_SHORTEST_T = """
MATCH (a:Entity {{id: $source}}), (b:Entity {{id: $target}})
MATCH p = ALL SHORTEST (a)-[r:REFERS WHERE {flow} > 0]->+(b)
RETURN [n IN nodes(p) | n.id] AS nodes,
       [r IN relationships(p) | {{source: startNode(r).id, target: endNode(r).id,
                                 referrals: {flow}}}] AS hops
"""
# Over every period the stored total is the flow: no per-relationship sum in the search.
_ALL = "r.total"
_SHORTEST = {every: _SHORTEST_T.format(flow=_ALL if every else FLOW) for every in (True, False)}

# The hop quantifier cannot be a parameter; k is checked to be an int in 1..MAX_HOPS
# and the statements are built once per k from this fixed template.
_UP_TO_K = """
MATCH (a:Entity {{id: $source}}), (b:Entity {{id: $target}})
MATCH p = (a)-[r:REFERS WHERE {flow} > 0]->{{1,{k}}}(b)
WITH p, nodes(p) AS ns
WHERE all(i IN range(0, size(ns) - 2) WHERE NOT ns[i] IN ns[i + 1..])
RETURN [n IN ns | n.id] AS nodes,
       [r IN relationships(p) | {{source: startNode(r).id, target: endNode(r).id,
                                 referrals: {flow}}}] AS hops
"""
_UP_TO = {
    (k, every): _UP_TO_K.format(flow=_ALL if every else FLOW, k=k)
    for k in range(1, MAX_HOPS + 1)
    for every in (True, False)
}


def _params(db, source, target, periods) -> tuple[dict, bool]:
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


def _sorted(rows: list[dict], key) -> list[dict]:
    return sorted(({"nodes": r["nodes"], "hops": r["hops"]} for r in rows), key=key)


def shortest_paths_cypher(
    db, source: str, target: str, *, periods: Iterable[str] | None = None
) -> list[dict]:
    """The :func:`shortest_paths` answer from Neo4j (``ALL SHORTEST`` path pattern)."""
    _cypher_ends(db, source, target)
    if source == target:
        return []
    params, every = _params(db, source, target, periods)
    return _sorted(db.query(_SHORTEST[every], params), key=lambda r: r["nodes"])


def referral_paths_cypher(
    db, source: str, target: str, k: int = 4, *, periods: Iterable[str] | None = None
) -> list[dict]:
    """The :func:`referral_paths` answer from Neo4j (a quantified path pattern)."""
    _cypher_ends(db, source, target)
    _check_k(k)
    if source == target:
        return []
    params, every = _params(db, source, target, periods)
    rows = db.query(_UP_TO[(k, every)], params)
    return _sorted(rows, key=lambda r: (len(r["nodes"]), r["nodes"]))
