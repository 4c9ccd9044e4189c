"""Why a cascade went where it went: node chances and likeliest pathways (where it stops:
:mod:`gridvoices.queries.contagion.stops`).

The public entry point is :mod:`gridvoices.queries.contagion`, which re-exports these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import networkx as nx
import numpy as np
import scipy.sparse as sp
from gridvoices.ecosystem.errors import QueryError
from gridvoices.ecosystem.privacy import fmt_derived
from gridvoices.ecosystem.vocab import ORG_KINDS
from gridvoices.queries.contagion.edges import (
    Membership,
    check_edges,
    check_seeds,
    districts_of,
    edge_probabilities,
    span,
)
from gridvoices.queries.contagion.models import CascadeResult
from gridvoices.queries.contagion.sim import edge_arrays
from scipy.sparse.csgraph import breadth_first_order, dijkstra

__all__ = ["activation_table", "most_probable_paths"]

_TARGET_TYPES = ("Service", "Group")


def _reachable(n: int, src, dst, seed_idx) -> np.ndarray:
    """Boolean mask of nodes some chain of channels leads to from ``seed_idx`` (seeds included)."""
    s = np.r_[src, np.full(len(seed_idx), n)]
    t = np.r_[dst, seed_idx]
    M = sp.csr_matrix((np.ones(s.size, dtype=np.int8), (s, t)), shape=(n + 1, n + 1))
    mask = np.zeros(n + 1, dtype=bool)
    mask[breadth_first_order(M, n, directed=True, return_predecessors=False)] = True
    return mask[:n]


def _name(G, n) -> str:
    return str(G.nodes[n].get("name") or n)


def activation_table(G: nx.DiGraph, result: CascadeResult, *, limit: int | None = None) -> list:
    """Every node's chance of ending active, most likely first, each with its reason.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``type``, ``district``, ``org_kind``, ``seed``,
        ``probability``, ``stderr``, ``why``; sorted by probability
        (descending) then id; the first ``limit`` rows when given.

    Examples
    --------
    >>> from gridvoices.queries.contagion import independent_cascade
    >>> G = nx.DiGraph([("a", "b")]); G.add_node("c")
    >>> r = independent_cascade(G, ["a"], probabilities={("a", "b"): 1.0}, runs=10, seed=0)
    >>> [(row["id"], row["probability"]) for row in activation_table(G, r)]
    [('a', 1.0), ('b', 1.0), ('c', 0.0)]
    >>> activation_table(G, r)[2]["why"]
    'no chain of referrals or peer links leads here from any seed'
    """
    net = result.net
    seeds = set(result.seeds)
    reach = _reachable(net.n, net.src, net.dst, [net.index[s] for s in result.seeds])
    runs = result.runs
    rows = []
    for i, (n, p) in enumerate(result.probability.items()):
        a = G.nodes[n]
        se = math.sqrt(p * (1 - p) / runs)
        if n in seeds:
            why = "a seed: active from the start"
        elif p > 0:
            why = f"active at the end of {round(p * runs)} of {runs} runs ({p:.1%} ± {se:.1%})"
        elif reach[i]:
            why = f"reachable from a seed but never activated in {runs} runs (p < {3 / runs:.1%})"
        else:
            why = "no chain of referrals or peer links leads here from any seed"
        rows.append(
            {
                "id": n,
                "name": a.get("name", n),
                "type": a.get("type"),
                "district": a.get("district"),
                "org_kind": a.get("org_kind"),
                "seed": n in seeds,
                "probability": round(p, 4),
                "stderr": round(se, 4),
                "why": why,
            }
        )
    rows.sort(key=lambda r: (-r["probability"], str(r["id"])))
    return rows if limit is None else rows[:limit]


def _group_targets(G, seeds: set, by: str) -> dict:
    groups: dict = {}
    for n, a in G.nodes(data=True):
        if a.get("type") not in _TARGET_TYPES or n in seeds:
            continue
        keys = [a.get("org_kind")] if by == "org_kind" else districts_of(G, n)
        for k in keys:
            if k is not None:
                groups.setdefault(k, []).append(n)
    if by == "org_kind":
        order = [k for k in ORG_KINDS if k in groups] + sorted(set(groups) - set(ORG_KINDS))
    else:
        order = sorted(groups, key=str)
    return {k: groups[k] for k in order}


def _label(G, by: str, key) -> str:
    if by == "org_kind":
        return ORG_KINDS.get(key, str(key))
    return G.graph.get("districts", {}).get(key, {}).get("name", str(key))


def _chain(hops: list, prob: float) -> str:
    """``1 hop, p 0.632`` or ``2 hops, p 0.90 x 0.80 = 0.720``."""
    if len(hops) == 1:
        return f"1 hop, p {prob:.3f}"
    # A hop's p is a function of its referral count, so it is starred with the count.
    factors = (
        " x ".join(fmt_derived(f"{h['p']:.2f}", h["referrals"]) for h in hops)
        if len(hops) <= 6
        else "the product"
    )
    return f"{len(hops)} hops, p {factors} = {prob:.3f}"


def most_probable_paths(
    G: nx.DiGraph,
    seeds: Iterable,
    probabilities: dict | None = None,
    *,
    by: str = "org_kind",
) -> dict:
    """The likeliest chain from any seed into each organisation kind (or district).

    The chain maximises the product of the edge probabilities: a shortest path
    on ``-log p`` (Dijkstra from all seeds at once). Targets are the services
    and groups that are not seeds. The product is a lower bound on the target's
    activation chance under the independent cascade: other chains only add to it.

    Parameters
    ----------
    seeds : iterable of node ids
    probabilities : dict, optional
        ``(u, v) -> p``; default :func:`~gridvoices.queries.contagion.edge_probabilities`.
    by : {"org_kind", "district"}

    Returns
    -------
    dict
        key -> ``label``, ``targets`` (services and groups that could be
        reached), ``target``, ``target_name``, ``source`` (the seed), ``path``
        (ids), ``hops`` (``source``, ``target``, ``p``), ``probability``,
        ``why``. ``path`` is None and ``probability`` 0 when nothing leads there.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("s", type="Group", org_kind="mutual_aid")
    >>> G.add_node("h", type="Service", org_kind="housing")
    >>> G.add_node("t", type="Service", org_kind="treatment")
    >>> G.add_edge("s", "t"); G.add_edge("t", "h"); G.add_edge("s", "h")
    >>> p = {("s", "t"): 0.9, ("t", "h"): 0.8, ("s", "h"): 0.5}
    >>> r = most_probable_paths(G, ["s"], p)
    >>> r["housing"]["path"], round(r["housing"]["probability"], 2)
    (['s', 't', 'h'], 0.72)
    """
    if by not in ("org_kind", "district"):
        raise QueryError(f"by must be 'org_kind' or 'district', not {by!r}")
    seeds = check_seeds(G, seeds)
    probs = (
        edge_probabilities(G)
        if probabilities is None
        else check_edges(G, probabilities, "probabilities")
    )
    nodes = list(G)
    ix = {n: i for i, n in enumerate(nodes)}
    s, t, p = edge_arrays(probs, nodes)
    keep = np.flatnonzero(p > 0)
    s, t, p = s[keep], t[keep], p[keep]
    M = sp.csr_matrix((-np.log(p), (s, t)), shape=(len(nodes), len(nodes)))
    dist, pred, _ = dijkstra(
        M, directed=True, indices=[ix[x] for x in seeds], min_only=True, return_predecessors=True
    )
    entering = Membership(G, nodes).entering(s, t) if by == "district" else {}
    out = {}
    for key, targets in _group_targets(G, set(seeds), by).items():
        label = _label(G, by, key)
        best = min(targets, key=lambda n: (dist[ix[n]], str(n)))
        rec = {"label": label, "targets": len(targets)}
        if not np.isfinite(dist[ix[best]]):
            where = sorted({_label(G, "district", d) for n in targets for d in districts_of(G, n)})
            why = (
                f"no chain of referrals or peer links leads from any of the {len(seeds)} seeds "
                f"to the {len(targets)} non-seed services and groups in {label}"
            )
            if by == "org_kind" and where:
                why += f" (in {', '.join(where)})"
            if by == "district" and not entering.get(key):
                why += f"; no link at all enters {label} from another district in {span(G)}"
            out[key] = {
                **rec,
                "target": None,
                "target_name": None,
                "source": None,
                "path": None,
                "hops": [],
                "probability": 0.0,
                "why": why,
            }
            continue
        path = [ix[best]]
        while pred[path[-1]] >= 0:
            path.append(int(pred[path[-1]]))
        path = [nodes[i] for i in reversed(path)]
        hp = [probs[(u, v)] for u, v in zip(path, path[1:], strict=False)]
        hops = [
            {
                "source": u,
                "target": v,
                "p": round(q, 4),
                "referrals": int(G.get_edge_data(u, v, {}).get("referrals") or 0),
            }
            for u, v, q in zip(path, path[1:], hp, strict=False)
        ]
        prob = math.prod(hp)
        out[key] = {
            **rec,
            "target": best,
            "target_name": _name(G, best),
            "source": path[0],
            "path": path,
            "hops": hops,
            "probability": round(prob, 4),
            "why": f"likeliest chain into {label}: {' -> '.join(map(str, path))} "
            f"({_chain(hops, prob)}); "
            f"this chain alone activates {_name(G, best)} in {prob:.1%} of cascades",
        }
    return out
