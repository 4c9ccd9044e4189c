"""Where cascades stop: district borders and links across which activation falls away.

The public entry point is :mod:`gridvoices.queries.contagion`, which re-exports
:func:`cascade_stops`.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from gridvoices.ecosystem.errors import QueryError
from gridvoices.ecosystem.privacy import fmt, fmt_derived
from gridvoices.queries.contagion.edges import Membership, districts_of, span
from gridvoices.queries.contagion.explain import _name
from gridvoices.queries.contagion.models import CascadeResult

__all__ = ["cascade_stops"]

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def _popcount_rows(bits: np.ndarray) -> np.ndarray:
    return _POPCOUNT[bits].sum(axis=-1)


def cascade_stops(
    G: nx.DiGraph, result: CascadeResult, *, min_drop: float = 0.3, limit: int = 20
) -> list:
    """Where cascades stop: district borders and links across which activation falls away.

    A **border** stop is a pair of bordering districts A -> B whose share of
    nodes active falls by at least ``min_drop``; it counts the links from A
    into B (none at all is a barrier no cascade can cross). A **link** stop is a
    channel u -> v with ``p(u) - p(v) >= min_drop``; ``stopped`` is the share of
    runs in which the cascade reached u but not v. All border stops come first
    (largest drop first), then the ``limit`` link stops most often stopped at.

    Returns
    -------
    list of dict
        ``kind`` ("border" or "link") and the numbers: for borders
        ``from_district``, ``to_district``, names, ``share_from``, ``share_to``,
        ``drop``, ``links``, ``strongest``, ``runs_reaching``; for links
        ``source``, ``target``, names, ``p_source``, ``p_target``, ``p_edge``,
        ``stopped``, ``referrals``, ``peer_kind``, ``crosses_border``,
        ``source_districts``, ``target_districts``. Each has ``why``.

    Examples
    --------
    >>> from gridvoices.queries.contagion import independent_cascade
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> r = independent_cascade(G, ["a"], probabilities={("a", "b"): 1.0, ("b", "c"): 0.1}, seed=0)
    >>> [(s["source"], s["target"]) for s in cascade_stops(G, r)]
    [('b', 'c')]
    """
    if isinstance(min_drop, bool) or not isinstance(min_drop, int | float) or not 0 < min_drop <= 1:
        raise QueryError(f"min_drop must be a number above 0 and at most 1, not {min_drop!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise QueryError(f"limit must be a whole number >= 0, not {limit!r}")
    member = Membership(G, result.net.nodes)
    return _border_stops(G, result, member, min_drop) + _link_stops(G, result, min_drop, limit)


def _border_stops(G, result: CascadeResult, member: Membership, min_drop) -> list:
    net, reach = result.net, result.reach_by_district
    _, bits = result.bits()
    cross = member.crossings(net.src, net.dst, net.value)
    cols = member.M.tocsc()
    what = "p" if result.model == "independent_cascade" else "weight"
    out = []
    for pair in G.graph.get("borders", set()):
        if len(pair) != 2:
            continue
        x, y = sorted(pair, key=str)
        for a, b in ((x, y), (y, x)):
            if a not in reach or b not in reach:
                continue
            sa, sb = reach[a]["share"], reach[b]["share"]
            if sa - sb < min_drop:
                continue
            na, nb = reach[a]["name"], reach[b]["name"]
            rows = cols.indices[cols.indptr[member.col[b]] : cols.indptr[member.col[b] + 1]]
            touched = int(_popcount_rows(np.bitwise_or.reduce(bits[rows], axis=0))) / result.runs
            links, e = cross.get((a, b), (0, None))
            if links:
                u, v, p = net.nodes[net.src[e]], net.nodes[net.dst[e]], float(net.value[e])
                refs = int(G.get_edge_data(u, v, {}).get("referrals") or 0)
                strongest = {"source": u, "target": v, "p": round(p, 4), "referrals": refs}
                how = (
                    f"only {links} link{'s' if links > 1 else ''} run from {na} into {nb}, "
                    f"the strongest {u} -> {v} with {what} {fmt_derived(f'{p:.2f}', refs)}"
                )
            else:
                strongest = None
                how = (
                    f"no referral or peer link runs from {na} into {nb} in {span(G)}, "
                    "so no cascade crosses here"
                )
            out.append(
                {
                    "kind": "border",
                    "from_district": a,
                    "to_district": b,
                    "from_name": na,
                    "to_name": nb,
                    "share_from": sa,
                    "share_to": sb,
                    "drop": round(sa - sb, 4),
                    "links": links,
                    "strongest": strongest,
                    "runs_reaching": round(touched, 4),
                    "why": f"{na} is {sa:.0%} active but its neighbour {nb} only {sb:.0%}: {how}; "
                    f"some node in {nb} ends active in {touched:.0%} of runs",
                }
            )
    out.sort(key=lambda r: (-r["drop"], str(r["from_district"]), str(r["to_district"])))
    return out


def _link_stops(G, result: CascadeResult, min_drop, limit) -> list:
    net = result.net
    P = result.p_array()
    cand = np.flatnonzero(P[net.src] - P[net.dst] >= min_drop)
    if not cand.size or limit == 0:
        return []
    _, bits = result.bits()
    stopped = np.empty(cand.size)
    for i in range(0, cand.size, 4096):
        c = cand[i : i + 4096]
        stopped[i : i + 4096] = _popcount_rows(bits[net.src[c]] & ~bits[net.dst[c]]) / result.runs
    order = np.lexsort((net.dst[cand], net.src[cand], -stopped))[:limit]
    names = G.graph.get("districts", {})
    what = "p" if result.model == "independent_cascade" else "weight"
    out = []
    for i in order:
        e = cand[i]
        u, v, p = net.nodes[net.src[e]], net.nodes[net.dst[e]], float(net.value[e])
        pu, pv, st = float(P[net.src[e]]), float(P[net.dst[e]]), float(stopped[i])
        du, dv = set(districts_of(G, u)), set(districts_of(G, v))
        d = G.get_edge_data(u, v, {})
        refs = int(d.get("referrals") or 0)
        crosses = bool(du and dv and not du & dv)
        channel = f"{fmt(refs)} referrals" if refs else "no referrals"
        if d.get("peer_kind"):
            channel += f", a '{d['peer_kind']}' peer link"
        elif G.has_edge(v, u) and G.edges[v, u].get("peer_kind"):
            channel += ", a peer link the other way"
        where = "" if G.nodes[v].get("active", True) else f"; {v} is inactive"
        if crosses:
            a = "/".join(names.get(x, {}).get("name", str(x)) for x in sorted(du, key=str))
            b = "/".join(names.get(x, {}).get("name", str(x)) for x in sorted(dv, key=str))
            where += f", across the border from {a} to {b}"
        out.append(
            {
                "kind": "link",
                "source": u,
                "target": v,
                "source_name": _name(G, u),
                "target_name": _name(G, v),
                "p_source": round(pu, 4),
                "p_target": round(pv, 4),
                "p_edge": round(p, 4),
                "stopped": round(st, 4),
                "referrals": refs,
                "peer_kind": d.get("peer_kind"),
                "crosses_border": crosses,
                "source_districts": sorted(du, key=str),
                "target_districts": sorted(dv, key=str),
                "why": f"{_name(G, u)} is active in {pu:.0%} of runs, {_name(G, v)} in "
                f"{pv:.0%}: the link passes recovery on with {what} "
                f"{fmt_derived(f'{p:.2f}', refs)} "
                f"({channel} in {span(G)}){where}; "
                f"in {st:.0%} of runs the cascade reached {u} and stopped short of {v}",
            }
        )
    return out
