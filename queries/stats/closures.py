"""Which single closure would hurt most: every service and group ranked at once.

The contagion cost of closing ``v`` is measured on common random numbers:
the same worlds before and after (:class:`gridvoices.queries.stats.worlds.Worlds`), so
the loss is a paired difference with a small standard error, and it comes
for every node at once from each world's dominator tree. The connectivity
cost comes from one depth-first search (:func:`gridvoices.queries.isolation.cuts.cuts`). The
public entry point is :func:`gridvoices.queries.index.whatif.rank_closures`.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion import default_seeds, edge_probabilities
from gridvoices.queries.contagion.edges import check_runs
from gridvoices.queries.contagion.sim import resolve_seed
from gridvoices.queries.graph import referral_graph
from gridvoices.queries.isolation.cuts import cuts
from gridvoices.queries.stats.worlds import Worlds

__all__ = ["rank_closures"]


def _open(G, n) -> bool:
    return G.nodes[n].get("type") in ("Service", "Group") and not G.nodes[n].get("closed")


def rank_closures(
    G: nx.DiGraph, *, candidates=None, seeds=None, probabilities=None, runs: int = 256, seed=None
) -> dict:
    """Every open service and group ranked by what closing it alone would cost.

    ``reach_lost``: expected reach of the independent cascade from ``seeds``
    (default :func:`~gridvoices.queries.contagion.default_seeds`) minus the expected reach
    with the node closed, on the same random worlds (common random numbers;
    the node itself counts when it was reached). Computed for all nodes at
    once from the dominator tree of each world (:mod:`gridvoices.queries.stats.worlds`);
    equal to re-running :func:`~gridvoices.queries.contagion.independent_cascade` on
    :func:`apply_scenario` ``[{"close": v}]`` with the same seed.
    ``pairs_lost``: pairs of services and groups joined by an (undirected)
    referral path that no longer are, from one depth-first search
    (:func:`gridvoices.queries.isolation.cuts.cuts`); for an articulation point ``pieces`` are the
    sizes its part splits into.

    Returns
    -------
    dict
        ``rows`` (by reach lost, then pairs lost): id, name, type, district,
        p_reached, reach_lost, reach_lost_se, reach_after, ahead_of_next and
        ahead_se (the paired difference with the next row and its standard error),
        pairs_lost, cut_off, articulation, pieces, rank_reach, rank_pairs, why;
        ``expected_reach``,
        ``connected_pairs``, ``runs``, ``seed``, ``why``.

    Examples
    --------
    >>> G = nx.DiGraph(nx.path_graph(3))
    >>> nx.set_node_attributes(G, "Service", "type"); nx.set_node_attributes(G, True, "active")
    >>> nx.set_edge_attributes(G, 100, "referrals")
    >>> r = rank_closures(G, seeds=[0], probabilities={e: 1.0 for e in G.edges}, seed=1)
    >>> [(x["id"], x["reach_lost"], x["pairs_lost"], x["pieces"]) for x in r["rows"]]
    [(0, 3.0, 2, []), (1, 2.0, 3, [1, 1]), (2, 1.0, 2, [])]
    """
    runs = check_runs(runs)
    value, _ = resolve_seed(seed)
    seeds = default_seeds(G) if seeds is None else list(seeds)
    probs = edge_probabilities(G) if probabilities is None else probabilities
    nodes = list(G)
    if seeds:
        W = Worlds(G, seeds, probs, runs=runs, seed=value)
        lost, se, per_run = W.closure_losses(per_run=True)
        p_reached, reach = W.active.mean(axis=1), float(W.active.sum(axis=0).mean())
    else:
        lost = se = p_reached = np.zeros(len(nodes))
        reach, per_run = 0.0, None
    R = referral_graph(G)
    U = nx.Graph()
    U.add_nodes_from(n for n in R if _open(G, n))
    U.add_edges_from((u, v) for u, v in R.edges if u in U and v in U)
    size = {n: len(c) for c in nx.connected_components(U) for n in c}
    points = {c.node: c for c in cuts(U)[0]}
    pairs = sum(s * (s - 1) // 2 for s in map(len, nx.connected_components(U)))
    ix = {n: i for i, n in enumerate(nodes)}
    pool = (
        [n for n in U if G.nodes[n].get("active", True)] if candidates is None else list(candidates)
    )
    rows = []
    for n in pool:
        if n not in U:
            raise QueryError(f"candidates: {n!r} is not an open service or group")
        s, c, i = size[n], points.get(n), ix[n]
        pieces = c.pieces if c else []
        pl = s * (s - 1) // 2 - sum(p * (p - 1) // 2 for p in pieces) if c else s - 1
        a = G.nodes[n]
        why = (
            f"closing {a.get('name') or n} loses {lost[i]:.2f} ± {se[i]:.2f} of {reach:.1f} "
            f"expected reach (it is reached in {p_reached[i]:.0%} of runs) and {pl} of {pairs} "
            "connected pairs"
        )
        if c:
            why += (
                f"; it is the only link to {c.cut_off} services/groups (its part splits {pieces})"
            )
        rows.append(
            {
                "id": n,
                "name": a.get("name"),
                "type": a.get("type"),
                "district": a.get("district"),
                "p_reached": round(float(p_reached[i]), 4),
                "reach_lost": round(float(lost[i]), 4),
                "reach_lost_se": round(float(se[i]), 4),
                "reach_after": round(reach - float(lost[i]), 4),
                "pairs_lost": pl,
                "cut_off": c.cut_off if c else 0,
                "articulation": bool(c),
                "pieces": pieces,
                "why": why,
            }
        )
    for k, key in (("rank_pairs", "pairs_lost"), ("rank_reach", "reach_lost")):
        rows.sort(key=lambda r, key=key: (-r[key], -r["pairs_lost"], str(r["id"])))
        for j, r in enumerate(rows, start=1):
            r[k] = j
    for a, b in zip(rows, rows[1:], strict=False):  # is each ahead of the next beyond noise?
        a["ahead_of_next"] = round(a["reach_lost"] - b["reach_lost"], 4)
        a["ahead_se"] = None
        if per_run is not None and runs > 1:
            d = per_run[:, ix[a["id"]]].astype(float) - per_run[:, ix[b["id"]]]
            a["ahead_se"] = round(float(d.std(ddof=1) / np.sqrt(runs)), 4)
    if rows:
        rows[-1].update(ahead_of_next=None, ahead_se=None)
    why = "no open service or group"
    if rows:
        top, nxt = rows[0], rows[1] if len(rows) > 1 else None
        why = f"the closure that would hurt most: {top['why']}"
        if nxt and top["ahead_se"] is not None:
            tied = top["ahead_of_next"] <= 2 * top["ahead_se"]
            why += (
                f"; ahead of {nxt['name'] or nxt['id']} by {top['ahead_of_next']:.2f} "
                f"± {top['ahead_se']:.2f}" + (" (a tie within Monte Carlo error)" if tied else "")
            )
    return {
        "rows": rows,
        "expected_reach": round(reach, 4),
        "connected_pairs": pairs,
        "runs": runs,
        "seed": value,
        "why": why,
    }
