"""District recovery ecosystem index: a network-aware Recovery Ecosystem Index, banded 1 to 5.

The US Recovery Ecosystem Index (Wahlquist et al. 2025) scores counties 1
(strongest) to 5 (weakest) from standardised indicators but sees no network.
This index scores each district on five components, every indicator "higher
is stronger" (formulas: :data:`INDICATORS` and ``docs/index.md``):

* **coverage**: community recovery domains with active provision (of seven);
* **capacity**: services, mutual-aid groups (12-step / other) and navigators per
  100,000 residents (population: :func:`load_population`);
* **connectedness**: share of the district's services and groups in the main
  referral component, peer links per service, permeability of its borders
  (observed / expected cross-border referrals, the barriers null model);
* **reach**: expected nodes an independent cascade from the district's own seeds
  activates, and the expected share of its nodes reached from all seeds;
* **voice**: mean feedback rating and responses per 100,000 (left out when there
  is no feedback, and the weights renormalised over the other components).

Indicators become z-scores across districts; component and overall scores
are weighted means (weights: ``data/index-weights.toml``); bands cut the
overall score at its quintiles, band 1 the strongest
(:mod:`gridvoices.queries.stats.scoring`).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp
from gridvoices.queries.contagion import default_seeds, edge_probabilities
from gridvoices.queries.contagion.edges import check_runs, districts_of
from gridvoices.queries.contagion.models import reach_by_district
from gridvoices.queries.contagion.sim import resolve_seed
from gridvoices.queries.coverage import coverage
from gridvoices.queries.feedback import feedback_summary
from gridvoices.queries.flows import boundary_flows
from gridvoices.queries.graph import referral_arrays
from gridvoices.queries.index.inputs import (
    COMPONENTS,
    DEFAULT_POPULATION,
    DEFAULT_WEIGHTS,
    INDICATORS,
    TWELVE_STEP,
    load_need,
    load_population,
    load_weights,
)
from gridvoices.queries.stats import scoring as sc
from gridvoices.queries.stats.worlds import group_reach
from scipy.sparse.csgraph import connected_components

__all__ = [
    "INDICATORS",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "DEFAULT_POPULATION",
    "load_weights",
    "load_population",
    "load_need",
    "index_indicators",
    "recovery_index",
]


def _per(count, pop):
    return None if pop is None else round(count * 100_000 / pop, 3)


def _main_component(G: nx.DiGraph) -> set:
    """The largest weakly connected part of the referral projection (ties: the part whose
    first node comes first), from the cached arrays rather than a rebuilt graph."""
    A = referral_arrays(G)
    n = len(A.nodes)
    if not n:
        return set()
    M = sp.csr_array((np.ones(A.src.size), (A.src, A.dst)), shape=(n, n))
    _, labels = connected_components(M, directed=True, connection="weak")
    size = np.bincount(labels)
    first = np.full(size.size, n)
    np.minimum.at(first, labels, np.arange(n))
    best = min(np.flatnonzero(size == size.max()), key=lambda c: first[c])
    return {A.nodes[i] for i in np.flatnonzero(labels == best).tolist()}


def index_indicators(G: nx.DiGraph, *, population=None, runs: int = 256, seed=None) -> dict:
    """Raw indicator values per district (None where one cannot be computed), with notes.

    Examples
    --------
    >>> G = nx.DiGraph(districts={"D": {"name": "D", "borders": []}}, borders=set())
    >>> G.add_node("g", type="Group", districts=["D"], district="D", domain="twelve_step",
    ...            fellowship="AA", active=True)
    >>> v = index_indicators(G, population={"D": 50000}, runs=64, seed=1)["values"]["D"]
    >>> v["domains_covered"], v["twelve_step_groups_per_100k"], v["reach_from_seeds"]
    (1, 2.0, 1.0)
    """
    runs = check_runs(runs)
    seed = resolve_seed(seed)[0]
    dist = G.graph.get("districts", {})
    table = load_population(population)
    pop = {d: table.get(d, table.get(v["name"].lower())) for d, v in dist.items()}
    notes = []
    if missing := sorted(v["name"] for d, v in dist.items() if pop[d] is None):
        notes.append(f"no population for {', '.join(missing)}: no per-100k indicators there")
    cov = {r["district"]: r["covered"] for r in coverage(G)["districts"]}
    main = _main_component(G)
    out_, in_, obs = {}, {}, {}
    for f in boundary_flows(G, "district"):
        out_[f["source"]] = out_.get(f["source"], 0) + f["referrals"]
        in_[f["target"]] = in_.get(f["target"], 0) + f["referrals"]
        obs[f["source"], f["target"]] = f["referrals"]
    total = sum(out_.values())
    fb = {r["district"]: r for r in feedback_summary(G)["districts"]}
    seeds, probs = default_seeds(G), edge_probabilities(G)
    own: dict = {d: [] for d in dist}
    for s in seeds:
        for d in districts_of(G, s):
            own.setdefault(d, []).append(s)
    # The cascade from all seeds runs on the same worlds as the districts' own cascades:
    # read from them (as independent_cascade with this seed would give) rather than drawn twice.
    from_seeds, count = group_reach(G, own, probs, runs=runs, seed=seed, counts_for=seeds)
    reached = reach_by_district(G, seeds, runs, count) if seeds else {}
    peer = dict.fromkeys(dist, 0)
    # Through the adjacency dicts, not the edge view: its generator cost more than the
    # test on a national graph's million links, of which few are peer links.
    for u, nbrs in G.adjacency():
        for v, e in nbrs.items():
            if e.get("peer_kind"):
                for d in set(districts_of(G, u)) | set(districts_of(G, v)):
                    peer[d] = peer.get(d, 0) + 1
    cap = {d: dict.fromkeys(("Service", "twelve", "other", "Navigator"), 0.0) for d in dist}
    members: dict = {d: [] for d in dist}
    for n, a in G.nodes(data=True):
        ds, t = [d for d in districts_of(G, n) if d in dist], a.get("type")
        if not a.get("active", True) or t not in ("Service", "Group", "Navigator"):
            continue
        if t == "Group":
            t = "twelve" if a.get("fellowship") in TWELVE_STEP else "other"
        for d in ds:
            cap[d][t] += 1 / len(ds) if t == "Service" else 1
            if t != "Navigator":
                members[d].append(n)
    values = {}
    for d in dist:
        p, k = pop[d], len(members[d])
        nb = sorted({b for pair in G.graph.get("borders", set()) if d in pair for b in pair} - {d})
        exp = sum(out_.get(d, 0) * in_.get(b, 0) + out_.get(b, 0) * in_.get(d, 0) for b in nb)
        crossed = sum(obs.get((d, b), 0) + obs.get((b, d), 0) for b in nb)
        values[d] = {
            "domains_covered": cov.get(d, 0),
            "services_per_100k": _per(cap[d]["Service"], p),
            "twelve_step_groups_per_100k": _per(cap[d]["twelve"], p),
            "other_mutual_aid_per_100k": _per(cap[d]["other"], p),
            "navigators_per_100k": _per(cap[d]["Navigator"], p),
            "main_component_share": round(sum(n in main for n in members[d]) / k, 4) if k else None,
            "peer_links_per_service": round(peer.get(d, 0) / k, 4) if k else None,
            "border_permeability": round(crossed * total / exp, 4) if exp > 0 else None,
            "reach_from_seeds": round(from_seeds.get(d, 0.0), 3),
            "share_reached": reached[d]["share"] if d in reached else None,
            "mean_rating": fb.get(d, {}).get("mean_rating"),
            "responses_per_100k": _per(fb.get(d, {}).get("responses", 0), p) if fb else None,
        }
    if not fb:
        notes.append("no feedback in the chosen periods: the voice component is left out")
    detail = {d: {"services_and_groups": len(members[d]), "seeds": len(own[d])} for d in dist}
    return {"values": values, "population": pop, "detail": detail, "notes": notes}


def recovery_index(
    G: nx.DiGraph,
    *,
    population=None,
    weights=None,
    need=None,
    runs: int = 256,
    seed=None,
    scale: dict | None = None,
) -> dict:
    """The district recovery ecosystem index: indicators, z-scores, components, bands 1-5.

    Parameters
    ----------
    population : None, path or dict
        District (code or name) -> residents; default the shipped ONS mid-2022 table.
    weights : None, path or dict
        As ``data/index-weights.toml`` (the default).
    need : None, path or dict
        District -> need (higher = more need): adds the need-versus-strength quadrants.
    runs : int
        Monte Carlo runs per cascade (the reach component).
    seed : None, int, numpy Generator or random.Random
        ``result["seed"]`` repeats the cascades exactly.
    scale : dict, optional
        The ``scale`` of an earlier result (a baseline's): score on its means,
        spreads and cut points, so a district's band moves only when its own
        indicators do (how ``whatif`` scores a scenario). No sensitivity
        analysis then (it re-scales by definition).

    Returns
    -------
    dict
        ``districts``: rows strongest first with ``band``, ``score``, ``rank``, a
        score per component, ``indicators`` (raw values), ``z``, ``why``;
        ``indicators`` (component, formula, direction, weight, mean, sd, used);
        ``components`` (those present); ``cut_points``; ``weights``;
        ``sensitivity`` (rows of weight, factor, changed, districts; None when
        ``scale`` is given or there is nothing to score); ``need`` (None, or
        points with quadrant); ``notes``; ``scale`` (means, spreads, indicators
        used and cut points, unrounded); ``runs``; ``seed``. With no districts,
        ``districts`` is empty and ``notes`` says there is nothing to score.

    Examples
    --------
    >>> G = nx.DiGraph(districts={d: {"name": d, "borders": []} for d in "AB"}, borders=set())
    >>> G.add_node("a", type="Group", districts=["A"], district="A", domain="twelve_step",
    ...            fellowship="AA", active=True)
    >>> r = recovery_index(G, population={"A": 1000, "B": 1000}, runs=64, seed=1)
    >>> [(x["name"], x["band"]) for x in r["districts"]]
    [('A', 1), ('B', 5)]
    """
    w = load_weights(weights)
    seed = resolve_seed(seed)[0]
    if not G.graph.get("districts"):
        return _nothing_to_score(G, w, runs, seed)
    raw = index_indicators(G, population=population, runs=runs, seed=seed)
    s = sc.score(raw["values"], INDICATORS, w, COMPONENTS, scale=scale)
    names = {d: v["name"] for d, v in G.graph.get("districts", {}).items()}
    order = sorted(names, key=lambda d: (s["overall"][d] is None, -(s["overall"][d] or 0), d))
    rows = []
    for rank, d in enumerate(order, start=1):
        cs, v = s["components"][d], raw["values"][d]
        have = sorted((x, c) for c, x in cs.items() if x is not None)
        why = f"{names[d]}: band {s['bands'][d]}"
        if have:
            why += f" (overall {s['overall'][d]:+.2f})"
        if len(have) > 1:
            (lo, c_lo), (hi, c_hi) = have[0], have[-1]
            why += f"; strongest on {c_hi} ({hi:+.2f}), weakest on {c_lo} ({lo:+.2f})"
        share = v["main_component_share"]
        why += (
            f"; {v['domains_covered']} of 7 domains, "
            f"{'n/a' if share is None else f'{share:.0%}'} in the main component, "
            f"a cascade from its {raw['detail'][d]['seeds']} seeds reaches "
            f"{v['reach_from_seeds']:.1f} nodes"
        )
        rows.append(
            {
                "district": d,
                "name": names[d],
                "population": raw["population"][d],
                "band": s["bands"][d],
                "score": s["overall"][d],
                "rank": rank,
                **cs,
                "indicators": v,
                "z": s["z"][d],
                **raw["detail"][d],
                "why": why,
            }
        )
    return {
        "periods": list(G.graph.get("periods", [])),
        "districts": rows,
        "indicators": [
            {
                "indicator": i,
                "component": c,
                "formula": f,
                "direction": "higher is stronger",
                "weight": w["indicators"][i],
                **s["indicators"][i],
            }
            for i, (c, f) in INDICATORS.items()
        ],
        "components": s["present"],
        "cut_points": s["cut_points"],
        "weights": w,
        "sensitivity": None if scale is not None else _sensitivity(raw["values"], w, names),
        "need": None if need is None else sc.need_quadrants(s["overall"], load_need(need), names),
        "notes": raw["notes"] + [n.replace("unit", "district") for n in s["notes"]],
        "scale": s["scale"],
        "runs": runs,
        "seed": seed,
    }


def _sensitivity(values: dict, w: dict, names: dict) -> dict:
    sens = sc.weight_sensitivity(values, INDICATORS, w, COMPONENTS)
    for r in sens:
        r["districts"] = [names[u] for u in r.pop("units")]
    moved = [r for r in sens if r["changed"]]
    worst = max(sens, key=lambda r: r["changed"], default=None)
    return {
        "rows": sens,
        "max_changed": worst["changed"] if worst else 0,
        "why": f"{len(sens) - len(moved)} of {len(sens)} moves of one weight by -/+20% change "
        "no band"
        + (
            f"; the largest, {worst['weight']} x{worst['factor']}, moves "
            f"{worst['changed']}: {', '.join(worst['districts'])}"
            if moved
            else ""
        ),
    }


def _nothing_to_score(G: nx.DiGraph, w: dict, runs: int, seed) -> dict:
    """The index of a store with no districts: no scores, no sensitivity, nothing left out."""
    return {
        "periods": list(G.graph.get("periods", [])),
        "districts": [],
        "indicators": [],
        "components": [],
        "cut_points": [],
        "weights": w,
        "sensitivity": None,
        "need": None,
        "notes": ["no districts: nothing to score"],
        "scale": None,
        "runs": runs,
        "seed": seed,
    }
