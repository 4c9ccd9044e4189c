"""Isolated services, widened: detached parts, dead ends, single bridges, no peer support.

Each finding is a row ``{id, name, type, district, flag, why}`` with the numbers
in ``why``. Flags, most severe first:

``no_flows``          active service or group with no referral in or out
``detached``          in a part of the referral network cut off from the main component
``dead_end``          a service that receives referrals but never refers on
``source_only``       a service that refers on but never receives a referral
``single_bridge``     an articulation point: removing it cuts others off
``bridge_link``       a referral link that is the only connection between two parts
``no_peer_support``   no peer-support link within k hops

Dead-end and source-only are judged for services only: mutual-aid groups
rarely record referrals, so a group that only receives is normal.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from gridvoices.ecosystem.privacy import fmt
from gridvoices.queries.cypher import flow, resolve_periods
from gridvoices.queries.graph import referral_arrays, referral_graph
from gridvoices.queries.isolation.compact import FLAGS
from gridvoices.queries.isolation.cuts import cuts_csr
from gridvoices.queries.isolation.isolated import isolated_services, isolated_services_cypher
from scipy.sparse.csgraph import connected_components

__all__ = [
    "isolation",
    "isolation_cypher",
    "dead_ends",
    "dead_ends_cypher",
    "no_peer_support",
    "no_peer_support_cypher",
    "cut_points",
    "detached",
    "FLAGS",
]


def _row(G, n, flag, why, **extra) -> dict:
    a = G.nodes[n]
    return {
        "id": n,
        "name": a.get("name"),
        "type": a.get("type"),
        "district": a.get("district"),
        "flag": flag,
        "why": why,
        **extra,
    }


_UNDIRECTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _Undirected:
    """The referral projection without direction as CSR rows over ``nodes`` (those with a
    link), laid out as ``nx.Graph().add_edges_from(R.edges)`` would hold it: nodes in order
    of first appearance, each one's neighbours in order of the first edge joining them."""

    nodes: list
    indptr: np.ndarray
    indices: np.ndarray


def _undirected(G: nx.DiGraph) -> _Undirected:
    """Built once per projection from its cached arrays: components and cut points both
    walk it, and building it as a NetworkX graph took seconds at a million edges."""
    R = referral_graph(G)
    U = _UNDIRECTED.get(R)
    if U is None:
        U = _UNDIRECTED[R] = _lay_out(referral_arrays(G))
    return U


def _lay_out(A) -> _Undirected:
    n, m = len(A.nodes), len(A.src)
    edge = np.arange(m, dtype=np.int64)
    loop = A.src == A.dst
    x = np.concatenate([A.src, A.dst[~loop]])  # each edge from both ends, a self-loop once
    y = np.concatenate([A.dst, A.src[~loop]])
    e = np.concatenate([edge, edge[~loop]])
    # Each neighbour pair where its first edge comes, in edge order per node.
    pair = x * n + y
    o = np.lexsort((e, pair))
    first = o[np.r_[True, pair[o][1:] != pair[o][:-1]]] if m else o
    x, y, e = x[first], y[first], e[first]
    o = np.lexsort((e, x))
    # Nodes numbered by first appearance, a source before its target.
    seen = np.full(n, 2 * m, dtype=np.int64)
    np.minimum.at(seen, A.src, 2 * edge)
    np.minimum.at(seen, A.dst, 2 * edge + 1)
    present = np.argsort(seen, kind="stable")[: int((seen < 2 * m).sum())]
    number = np.full(n, -1, dtype=np.int64)
    number[present] = np.arange(len(present))
    indptr = np.zeros(len(present) + 1, dtype=np.int64)
    np.cumsum(np.bincount(number[x], minlength=len(present)), out=indptr[1:])
    rows = o[np.argsort(number[x[o]], kind="stable")]
    return _Undirected([A.nodes[i] for i in present.tolist()], indptr, number[y[rows]])


def dead_ends(G: nx.DiGraph) -> list[dict]:
    """Active services that only receive referrals, or only send them.

    See Also
    --------
    dead_ends_cypher

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "ab": G.add_node(n, type="Service", name=n, active=True)
    >>> G.add_edge("a", "b", referrals=7)
    >>> [(r["id"], r["flag"]) for r in dead_ends(G)]
    [('b', 'dead_end'), ('a', 'source_only')]
    """
    R = referral_graph(G)
    # Sums over the cached arrays (in R's node order), not a Python pass over a million
    # links. Float sums of whole numbers below 2**53 are exact: the same integers.
    A = referral_arrays(G)
    weights = A.referrals.astype(np.float64)
    into = np.bincount(A.dst, weights=weights, minlength=len(A.nodes)).astype(np.int64).tolist()
    out = np.bincount(A.src, weights=weights, minlength=len(A.nodes)).astype(np.int64).tolist()
    rows = []
    for k, (n, a) in enumerate(R.nodes(data=True)):
        if a.get("type") != "Service" or not a.get("active", True):
            continue
        i, o = into[k], out[k]
        if i and not o:
            rows.append(
                _row(
                    G,
                    n,
                    "dead_end",
                    f"receives {fmt(i)} referrals but refers none on",
                    referrals_in=i,
                    referrals_out=o,
                )
            )
        elif o and not i:
            rows.append(
                _row(
                    G,
                    n,
                    "source_only",
                    f"refers {fmt(o)} on but receives none",
                    referrals_in=i,
                    referrals_out=o,
                )
            )
    return sorted(rows, key=lambda r: (r["flag"], r["id"]))


_DEAD_ENDS = f"""
MATCH (n:Service) WHERE n.active
CALL (n) {{ MATCH ()-[r:REFERS]->(n) RETURN sum({flow("r")}) AS i }}
CALL (n) {{ MATCH (n)-[r:REFERS]->() RETURN sum({flow("r")}) AS o }}
WITH n, i, o WHERE (i > 0) <> (o > 0)
RETURN n.id AS id, n.name AS name, 'Service' AS type, n.districts[0] AS district,
       CASE WHEN i > 0 THEN 'dead_end' ELSE 'source_only' END AS flag, i, o
"""


def dead_ends_cypher(db, *, periods: Iterable[str] | None = None) -> list[dict]:
    """The :func:`dead_ends` answer from Neo4j."""
    rows = []
    for r in db.query(_DEAD_ENDS, {"periods": resolve_periods(db, periods)}):
        i, o = r.pop("i"), r.pop("o")
        why = (
            f"receives {fmt(i)} referrals but refers none on"
            if i
            else f"refers {fmt(o)} on but receives none"
        )
        rows.append({**r, "why": why, "referrals_in": i, "referrals_out": o})
    return sorted(rows, key=lambda r: (r["flag"], r["id"]))


def no_peer_support(G: nx.DiGraph, k: int = 2) -> list[dict]:
    """Active services with no peer-support link within ``k`` hops (either direction).

    A service "has peer support" at distance d when a node touching a peer
    link is d hops away over referral or peer edges, ignoring direction.

    See Also
    --------
    no_peer_support_cypher

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abcd": G.add_node(n, type="Service", name=n, active=True)
    >>> G.add_edge("a", "b", referrals=0, peer_kind="links_with")
    >>> G.add_edge("b", "c", referrals=3); G.add_edge("c", "d", referrals=3)
    >>> [r["id"] for r in no_peer_support(G, k=1)]
    ['d']
    """
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    src, dst, peer = [], [], []
    # Through the adjacency dicts, in G.edges' order: the edge view's generator cost a
    # third of this pass over a national graph's million links.
    for u, nbrs in G.adjacency():
        iu = index[u]
        for v, e in nbrs.items():
            p = bool(e.get("peer_kind"))
            if p or e.get("referrals", 0) > 0:
                src.append(iu)
                dst.append(index[v])
                peer.append(p)
    src, dst = np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64)
    peer = np.array(peer, dtype=bool)
    A = sp.csr_array(
        (np.ones(2 * src.size, dtype=np.int32), (np.r_[src, dst], np.r_[dst, src])),
        shape=(len(nodes), len(nodes)),
    )
    # Breadth-first rounds from every node touching a peer link at once, k deep.
    near = np.zeros(len(nodes), dtype=bool)
    near[src[peer]] = near[dst[peer]] = True
    front = near.copy()
    for _ in range(k if near.any() else 0):
        front = (A @ front.astype(np.int32) > 0) & ~near
        if not front.any():
            break
        near |= front
    dist = {n for n, ok in zip(nodes, near.tolist(), strict=True) if ok}
    rows = [
        _row(G, n, "no_peer_support", f"no peer-support link within {k} hops")
        for n, a in G.nodes(data=True)
        if a.get("type") == "Service" and a.get("active", True) and n not in dist
    ]
    return sorted(rows, key=lambda r: r["id"])


_PEER_NEAR = """
MATCH (n:Service) WHERE n.active
  AND NOT EXISTS {{ MATCH (n)-[:PEER_LINK]-() }}
  AND NOT EXISTS {{
    MATCH (n)-[rs:REFERS|PEER_LINK]-{{1,{k}}}(m)
    WHERE all(r IN rs WHERE CASE WHEN type(r) = 'PEER_LINK' THEN true ELSE {flow} > 0 END)
      AND EXISTS {{ MATCH (m)-[:PEER_LINK]-() }}
  }}
RETURN n.id AS id, n.name AS name, 'Service' AS type, n.districts[0] AS district
ORDER BY id
"""
_PEER_QUERIES = {k: _PEER_NEAR.format(k=k, flow=flow("r")) for k in range(1, 7)}


def no_peer_support_cypher(db, k: int = 2, *, periods: Iterable[str] | None = None) -> list[dict]:
    """The :func:`no_peer_support` answer from Neo4j (a quantified path pattern)."""
    if k not in _PEER_QUERIES:
        raise ValueError("k must be from 1 to 6")
    rows = db.query(_PEER_QUERIES[k], {"periods": resolve_periods(db, periods)})
    return [
        {**r, "flag": "no_peer_support", "why": f"no peer-support link within {k} hops"}
        for r in rows
    ]


def detached(G: nx.DiGraph) -> list[dict]:
    """Services and groups with flows that sit outside the main referral component.

    Components are weakly connected over referral edges; the main one is the largest.
    """
    U = _undirected(G)
    k = len(U.nodes)
    M = sp.csr_array((np.ones(len(U.indices)), U.indices, U.indptr), shape=(k, k))
    _, labels = connected_components(M, directed=False)
    members = np.argsort(labels, kind="stable")
    cuts_at = np.flatnonzero(np.diff(labels[members])) + 1
    parts = [[U.nodes[i] for i in p.tolist()] for p in np.split(members, cuts_at)] if k else []
    comps = sorted(parts, key=lambda c: (-len(c), min(c)))
    if len(comps) < 2:
        return []
    main = len(comps[0])
    rows = []
    for comp in comps[1:]:
        names = {d: v["name"] for d, v in G.graph.get("districts", {}).items()}
        districts = sorted({names.get(G.nodes[n].get("district"), "no district") for n in comp})
        for n in comp:
            rows.append(
                _row(
                    G,
                    n,
                    "detached",
                    f"in a part of {len(comp)} services/groups ({', '.join(districts)}) with no "
                    f"referral to or from the main part of {main}",
                    component_size=len(comp),
                )
            )
    return sorted(rows, key=lambda r: r["id"])


def cut_points(G: nx.DiGraph) -> list[dict]:
    """Articulation points and bridges of the undirected referral network.

    An articulation point is the only way between two parts: removing it
    leaves some services reachable by no referral path. ``cut_off`` lists (up
    to 50 of) the services and groups outside the largest remaining part.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, type="Service", name=n)
    >>> G.add_edge("a", "b", referrals=5); G.add_edge("b", "c", referrals=5)
    >>> [(r["flag"], r["id"]) for r in cut_points(G)]
    [('bridge_link', 'a--b'), ('bridge_link', 'b--c'), ('single_bridge', 'b')]
    """
    R = referral_graph(G)
    U = _undirected(G)
    points, bridges = cuts_csr(U.nodes, U.indptr, U.indices)
    rows = []
    for c in points:
        shown = ", ".join(map(str, c.examples[:6])) + (", …" if c.cut_off > 6 else "")
        rows.append(
            _row(
                G,
                c.node,
                "single_bridge",
                f"the only link to {c.cut_off} services/groups ({shown}); removing it splits "
                f"its part into {len(c.pieces)} pieces",
                cut_off=c.examples,
            )
        )
    for c in bridges:
        a, b = c.edge
        flows = sum(R.edges[x, y]["referrals"] for x, y in ((a, b), (b, a)) if R.has_edge(x, y))
        rows.append(
            {
                "id": f"{a}--{b}",
                "name": f"{G.nodes[a].get('name')} - {G.nodes[b].get('name')}",
                "type": "link",
                "district": G.nodes[a].get("district"),
                "flag": "bridge_link",
                "why": f"the only referral link between {c.cut_off} services/groups and the rest "
                f"({fmt(flows)} referrals)",
                "cut_off": c.examples,
            }
        )
    return sorted(rows, key=lambda r: (r["flag"], r["id"]))


def isolation(G: nx.DiGraph, *, k: int = 2) -> list[dict]:
    """Every isolation finding for the graph's periods, most severe flag first.

    See Also
    --------
    isolation_cypher

    Examples
    --------
    >>> G = nx.DiGraph(periods=["2024-Q1"])
    >>> for n in "abc": G.add_node(n, type="Service", name=n, district=None, active=True)
    >>> G.add_edge("a", "b", referrals=3)
    >>> sorted({r["flag"] for r in isolation(G)})
    ['bridge_link', 'dead_end', 'no_flows', 'no_peer_support', 'source_only']
    """
    rows = [{**r, "flag": "no_flows", "why": r.pop("reason")} for r in isolated_services(G)]
    rows += detached(G) + dead_ends(G) + cut_points(G) + no_peer_support(G, k)
    return _order(rows)


def _order(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (FLAGS.index(r["flag"]), r["id"]))


def isolation_cypher(db, G: nx.DiGraph, *, k: int = 2, periods=None) -> list[dict]:
    """:func:`isolation` with the graph queries (no flows, dead ends, no peer support) in Cypher.

    Components and cut points are whole-graph metrics: they run with NetworkX on
    ``G``, the projection read from the same store.
    """
    rows = [
        {**r, "flag": "no_flows", "why": r.pop("reason")}
        for r in isolated_services_cypher(db, periods=periods)
    ]
    rows += detached(G) + dead_ends_cypher(db, periods=periods) + cut_points(G)
    rows += no_peer_support_cypher(db, k, periods=periods)
    return _order(rows)
