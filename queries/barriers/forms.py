"""Boundary barriers: where referrals do not cross district or organisational lines.

Null model (documented in docs/analyses.md): *independence*, also called the
gravity model without distance. If referrals ignored boundaries, the flow
from boundary i to boundary j would be proportional to what i sends and what j
receives: ``expected[i, j] = out[i] * in[j] / total``. Permeability is
observed / expected: 1 means the boundary is invisible to referrals, 0 that
nothing crosses it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx
from gridvoices.ecosystem.privacy import fmt, fmt_derived
from gridvoices.queries.feedback import REPORTED_DISTANCE, weight_by_link_ratings
from gridvoices.queries.flows import (
    GROUPS_ORG,
    boundary_flows,
    boundary_flows_cypher,
    cross_border_edges,
    cross_border_edges_cypher,
)

__all__ = ["barriers", "barriers_cypher", "NULL_MODEL"]

NULL_MODEL = (
    "independence: expected flow i->j = out(i) x in(j) / total, as if each referral's "
    "destination were chosen in proportion to destinations' intake, ignoring boundaries"
)


def _expected(flows: list[dict]) -> tuple[dict, dict, dict, int]:
    out_, in_ = defaultdict(int), defaultdict(int)
    for f in flows:
        out_[f["source"]] += f["referrals"]
        in_[f["target"]] += f["referrals"]
    total = sum(out_.values())
    return out_, in_, {(f["source"], f["target"]): f["referrals"] for f in flows}, total


def _reported_distance(G: nx.DiGraph) -> dict[str, int]:
    """Per district, feedback responses about its services naming "too far" or
    "referral refused" (the barriers that say a boundary was felt)."""
    out: dict[str, int] = defaultdict(int)
    for f in G.graph.get("feedback", []):
        if f.get("about_to") is None and f["about"] in G:
            d = G.nodes[f["about"]].get("district")
            if d and set(f.get("barrier") or []) & set(REPORTED_DISTANCE):
                out[d] += 1
    return out


def _pair(obs, out_, in_, total, a, b) -> tuple[int, float]:
    observed = obs.get((a, b), 0) + obs.get((b, a), 0)
    expected = (out_[a] * in_[b] + out_[b] * in_[a]) / total if total else 0.0
    return observed, expected


def _ratio(observed: int, expected: float) -> float | None:
    return round(observed / expected, 3) if expected > 0 else None


def _analyse(
    G: nx.DiGraph,
    d_flows: list[dict],
    o_flows: list[dict],
    k_flows: list[dict],
    crossings: list[dict],
    *,
    min_permeability: float,
    inward_share: float,
    silo_share: float,
    min_volume: int,
) -> dict:
    districts = G.graph.get("districts", {})
    dname = {d: v["name"] for d, v in districts.items()}
    out_, in_, obs, total = _expected(d_flows)

    felt = _reported_distance(G)
    borders = []
    for pair in sorted(tuple(sorted(p)) for p in G.graph.get("borders", set())):
        a, b = pair
        observed, expected = _pair(obs, out_, in_, total, a, b)
        perm = _ratio(observed, expected)
        blocked = expected >= 1 and (
            observed == 0 or (perm is not None and perm < min_permeability)
        )
        why = (
            f"{dname.get(a, a)} and {dname.get(b, b)} border each other: {fmt(observed)} referrals "
            f"crossed, {expected:.1f} expected if referrals ignored the border "
            f"(permeability {fmt_derived(str(perm), observed) if perm is not None else 'n/a'})"
        )
        reported = felt.get(a, 0) + felt.get(b, 0)
        if blocked and reported:
            why += (
                f"; and people feel it: {fmt(reported)} responses about services in "
                f"{dname.get(a, a)} or {dname.get(b, b)} report 'too far' or 'referral refused'"
            )
        borders.append(
            {
                "a": a,
                "b": b,
                "a_name": dname.get(a, a),
                "b_name": dname.get(b, b),
                "observed": observed,
                "expected": round(expected, 2),
                "permeability": perm,
                "barrier": blocked,
                "reported": reported,
                "felt": blocked and reported > 0,
                "why": why,
            }
        )
    borders.sort(
        key=lambda r: (
            not r["barrier"],
            not r["felt"],
            r["permeability"] if r["permeability"] is not None else float("inf"),
            r["a"],
            r["b"],
        )
    )

    inward = []
    for d in sorted(districts):
        sent = out_.get(d, 0)
        internal = obs.get((d, d), 0)
        share = internal / sent if sent else None
        exp_share = in_.get(d, 0) / total if total else None
        flagged = share is not None and share >= inward_share and sent >= min_volume
        inward.append(
            {
                "district": d,
                "name": dname.get(d, d),
                "internal": internal,
                "sent": sent,
                "internal_share": None if share is None else round(share, 3),
                "expected_share": None if exp_share is None else round(exp_share, 3),
                "inward_looking": flagged,
                "why": (
                    f"{dname.get(d, d)} keeps {fmt(internal)} of its {fmt(sent)} referrals inside "
                    f"({fmt_derived(f'{share:.0%}', internal, sent)}; "
                    f"{exp_share:.0%} expected ignoring borders)"
                    if share is not None
                    else f"{dname.get(d, d)} sent no referrals"
                ),
            }
        )

    orgs = G.graph.get("organisations", {})
    o_out, _, o_obs, _ = _expected(o_flows)
    silos = []
    for o in sorted(o_out):
        sent, internal = o_out[o], o_obs.get((o, o), 0)
        share = internal / sent
        if share >= silo_share and sent >= min_volume:
            name = orgs.get(o, {}).get("name", o)
            silos.append(
                {
                    "organisation": o,
                    "name": name,
                    "kind": orgs.get(o, {}).get("kind", "mutual_aid" if o == GROUPS_ORG else None),
                    "internal": internal,
                    "sent": sent,
                    "silo_share": round(share, 3),
                    "why": f"{name} refers {fmt(internal)} of {fmt(sent)} referrals "
                    f"({fmt_derived(f'{share:.0%}', internal, sent)}) to its own services",
                }
            )

    k_out, k_in, k_obs, k_total = _expected(k_flows)
    kinds = sorted(set(k_out) | set(k_in))
    never = []
    for i, a in enumerate(kinds):
        for b in kinds[i + 1 :]:
            observed, expected = _pair(k_obs, k_out, k_in, k_total, a, b)
            if observed == 0 and expected >= 1:
                never.append(
                    {
                        "a": a,
                        "b": b,
                        "observed": 0,
                        "expected": round(expected, 2),
                        "why": f"no referral either way between {a} and {b}; "
                        f"{expected:.1f} expected ignoring organisational boundaries",
                    }
                )
    never.sort(key=lambda r: -r["expected"])

    return {
        "periods": list(G.graph.get("periods", [])),
        "null_model": NULL_MODEL,
        "district_matrix": [
            {**f, "expected": round(out_[f["source"]] * in_[f["target"]] / total, 2)}
            for f in d_flows
        ],
        "borders": borders,
        "inward": inward,
        "kind_matrix": k_flows,
        "silos": silos,
        "kinds_never": never,
        "spanners": _spanners(G, crossings),
    }


def _spanners(G: nx.DiGraph, crossings: list[dict]) -> list[dict]:
    """Services and groups that take part in cross-district referrals, ranked."""
    total = sum(c["referrals"] for c in crossings)
    carried: dict[str, int] = defaultdict(int)
    pairs_of: dict[str, set] = defaultdict(set)
    by_pair: dict[frozenset, list[dict]] = defaultdict(list)
    for c in crossings:
        pair = frozenset((c["source_district"], c["target_district"]))
        by_pair[pair].append(c)
        for n in (c["source"], c["target"]):
            carried[n] += c["referrals"]
            pairs_of[n].add(pair)
    sole: dict[str, list[str]] = defaultdict(list)
    dname = {d: v["name"] for d, v in G.graph.get("districts", {}).items()}
    for pair, edges in by_pair.items():
        common = set.intersection(*({e["source"], e["target"]} for e in edges))
        for n in common:
            sole[n].append(" - ".join(sorted(dname.get(d, d) for d in pair)))
    rows = []
    for n, c in carried.items():
        a = G.nodes[n] if n in G else {}
        name = a.get("name", n)
        why = (
            f"{name} takes part in {fmt(c)} of {fmt(total)} cross-district referrals "
            f"({fmt_derived(f'{c / total:.0%}', c, total)})"
        )
        if sole[n]:
            why += "; the only link across " + ", ".join(sorted(sole[n]))
        rows.append(
            {
                "id": n,
                "name": name,
                "type": a.get("type"),
                "district": a.get("district"),
                "cross_referrals": c,
                "share": round(c / total, 3),
                "district_pairs": len(pairs_of[n]),
                "sole_spanner_of": sorted(sole[n]),
                "why": why,
            }
        )
    rows.sort(key=lambda r: (-r["cross_referrals"], r["id"]))
    return rows


def barriers(
    G: nx.DiGraph,
    *,
    min_permeability: float = 0.1,
    inward_share: float = 0.9,
    silo_share: float = 0.8,
    min_volume: int = 5,
    weight_by_feedback: bool = False,
) -> dict:
    """Boundary barriers between districts and organisations, each with its numbers.

    Parameters
    ----------
    G : DiGraph
        The ecosystem projection for the chosen periods (:func:`queries.graph.build_graph`).
    min_permeability : float
        A bordering pair whose observed / expected flow is below this is a barrier
        (as is one with no flow at all where at least 1 referral was expected).
    inward_share : float
        A district keeping at least this share of its referrals inside is inward-looking.
    silo_share : float
        An organisation sending at least this share to its own services is a silo.
    min_volume : int
        Districts and organisations sending fewer referrals are not judged.
    weight_by_feedback : bool
        Weight each referral link by how people rated it
        (:func:`gridvoices.queries.feedback.weight_by_link_ratings`).

    Returns
    -------
    dict
        ``borders`` (bordering pairs, barriers first; ``felt`` when people using
        services on either side also report "too far" or "referral refused",
        ``reported`` how many), ``inward``, ``silos``,
        ``kinds_never``, ``spanners``, the matrices and the null model used.

    See Also
    --------
    barriers_cypher : the same answer with the flows aggregated in Neo4j.

    Examples
    --------
    >>> G = nx.DiGraph(districts={"A": {"name": "A", "borders": ["B"]},
    ...                           "B": {"name": "B", "borders": []}},
    ...                borders={frozenset("AB")}, organisations={})
    >>> for n, d in [("a1", "A"), ("a2", "A"), ("b1", "B"), ("b2", "B")]:
    ...     G.add_node(n, type="Service", district=d, organisation=None, org_kind="community")
    >>> G.add_edge("a1", "a2", referrals=10); G.add_edge("b1", "b2", referrals=10)
    >>> barriers(G)["borders"][0]["barrier"]
    True
    """
    if weight_by_feedback:
        G = weight_by_link_ratings(G)
    return _analyse(
        G,
        boundary_flows(G, "district"),
        boundary_flows(G, "organisation"),
        boundary_flows(G, "kind"),
        cross_border_edges(G),
        min_permeability=min_permeability,
        inward_share=inward_share,
        silo_share=silo_share,
        min_volume=min_volume,
    )


def barriers_cypher(
    db,
    G: nx.DiGraph,
    *,
    periods: Iterable[str] | None = None,
    min_permeability: float = 0.1,
    inward_share: float = 0.9,
    silo_share: float = 0.8,
    min_volume: int = 5,
    weight_by_feedback: bool = False,
) -> dict:
    """:func:`barriers` with every flow aggregation done by Cypher in Neo4j.

    ``G`` supplies only names, borders and organisations (it may be built from
    either store); the flows come from ``db``.

    Link ratings live on the projection, so ``weight_by_feedback`` answers from ``G``.

    See Also
    --------
    barriers : the same answer from a NetworkX graph.
    """
    options = {
        "min_permeability": min_permeability,
        "inward_share": inward_share,
        "silo_share": silo_share,
        "min_volume": min_volume,
    }
    if weight_by_feedback:
        return barriers(G, weight_by_feedback=True, **options)
    return _analyse(
        G,
        boundary_flows_cypher(db, "district", periods=periods),
        boundary_flows_cypher(db, "organisation", periods=periods),
        boundary_flows_cypher(db, "kind", periods=periods),
        cross_border_edges_cypher(db, periods=periods),
        min_permeability=min_permeability,
        inward_share=inward_share,
        silo_share=silo_share,
        min_volume=min_volume,
    )
