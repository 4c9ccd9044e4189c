"""What-if: close services, add referral links or navigators, and see what changes.

A *scenario* is a list of changes, each a dict:

* ``{"close": id}``: the service or group stops: its referral and peer links go
  and it is no longer active (nor a seed);
* ``{"add_link": [a, b], "count": n}``: ``n`` more referrals a -> b (default 5,
  a 39% chance to carry recovery with the default referral scale);
* ``{"add_navigator": district, "at": id, "strength": s}``: a new lived-experience
  navigator with a peer link of strength ``s`` (default 0.8) to service ``id``
  (default: the district's open service with the most referrals).

:func:`apply_scenario` returns a changed copy; :func:`compare_scenarios`
measures each scenario against the baseline; :func:`rank_closures` answers
"which single closure would hurt most?" for every service and group at once.

The contagion numbers use common random numbers: every graph compared has the
same nodes in the same order (new navigators are held as inactive placeholders
in all of them) and is simulated from the same seed, so each channel draws
the same random numbers before and after and a difference is the change's
effect, not noise.
"""

from __future__ import annotations

import networkx as nx
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion import default_seeds, independent_cascade
from gridvoices.queries.contagion.edges import check_prob, check_runs, districts_of
from gridvoices.queries.contagion.sim import resolve_seed
from gridvoices.queries.coverage import coverage
from gridvoices.queries.flows import boundary_flows
from gridvoices.queries.graph import referral_graph
from gridvoices.queries.index.scores import recovery_index
from gridvoices.queries.stats.closures import rank_closures

__all__ = [
    "METRICS",
    "parse_change",
    "apply_scenario",
    "network_metrics",
    "compare_scenarios",
    "rank_closures",
]

#: metric -> (label, higher is better)
METRICS = {
    "open_services": ("open services and groups", True),
    "reachable_pairs": ("ordered pairs joined by a directed referral path", True),
    "connected_pairs": ("pairs joined by a referral path, either direction", True),
    "components": ("connected parts (a service with no referrals is one)", False),
    "largest_component": ("services and groups in the largest part", True),
    "articulation_points": ("single points of failure (articulation points)", False),
    "cross_border_referrals": ("referrals between services in different districts", True),
    "open_borders": ("bordering district pairs with referrals across", True),
    "domains_covered": ("district x community-domain cells covered", True),
    "expected_reach": ("expected reach of the cascade from the default seeds", True),
    "bands_changed": ("districts whose index band changed", False),
}
NAV_PREFIX = "whatif-nav-"


def parse_change(text: str) -> dict:
    """A change from words: ``close ID``, ``add-link A B [COUNT]``, ``add-navigator D [at ID]``.

    Examples
    --------
    >>> parse_change("add-link svc-a svc-b 3"), parse_change("add-navigator E07000037 at s")
    ({'add_link': ['svc-a', 'svc-b'], 'count': 3}, {'add_navigator': 'E07000037', 'at': 's'})
    """
    w = text.split()
    kind = w[0].replace("-", "_").lower() if w else ""
    try:
        if kind == "close" and len(w) == 2:
            return {"close": w[1]}
        if kind == "add_link" and len(w) in (3, 4):
            return {"add_link": w[1:3], **({"count": int(w[3])} if len(w) == 4 else {})}
        if kind == "add_navigator" and (len(w) == 2 or (len(w) == 4 and w[2] == "at")):
            return {"add_navigator": w[1], **({"at": w[3]} if len(w) == 4 else {})}
    except ValueError:
        pass
    raise QueryError(
        f"cannot read the change {text!r}: use 'close ID', 'add-link A B [COUNT]' or "
        "'add-navigator DISTRICT [at ID]'"
    )


def _open(G, n) -> bool:
    return G.nodes[n].get("type") in ("Service", "Group") and not G.nodes[n].get("closed")


def _need(G, n, what: str) -> None:
    if n not in G:
        raise QueryError(f"{what}: {n!r} is not a node of the graph")
    if not _open(G, n):
        raise QueryError(f"{what}: {n!r} is not an open service or group")


def _busiest(G, d: str):
    vol = {
        n: sum(e.get("referrals", 0) for *_, e in G.in_edges(n, data=True))
        + sum(e.get("referrals", 0) for *_, e in G.out_edges(n, data=True))
        for n, a in G.nodes(data=True)
        if a.get("type") == "Service" and _open(G, n) and d in districts_of(G, n)
    }
    if not vol:
        raise QueryError(
            f"add_navigator: district {d!r} has no open service to base a navigator at"
        )
    return min(vol, key=lambda n: (-vol[n], str(n)))


def apply_scenario(G: nx.DiGraph, changes: list) -> nx.DiGraph:
    """A copy of ``G`` with the changes applied in order (``G`` is not touched).

    Examples
    --------
    >>> G = nx.DiGraph(districts={"D": {"name": "D", "borders": []}})
    >>> for n in "ab": G.add_node(n, type="Service", districts=["D"], district="D", active=True)
    >>> G.add_edge("a", "b", referrals=4)
    >>> H = apply_scenario(G, [{"close": "b"}, {"add_navigator": "D"}])
    >>> H.number_of_edges(), H.nodes["b"]["active"], H.nodes["whatif-nav-1"]["based_at"]
    (1, False, 'a')
    """
    if isinstance(changes, dict | str):
        raise QueryError("a scenario is a list of changes")
    H = G.copy()
    for c in changes:
        c = parse_change(c) if isinstance(c, str) else c
        if not isinstance(c, dict):
            raise QueryError(f"a change must be a dict or text, not {c!r}")
        if "close" in c:
            n = c["close"]
            _need(H, n, "close")
            H.remove_edges_from(list(H.in_edges(n)) + list(H.out_edges(n)))
            H.nodes[n].update(active=False, closed=True)
        elif "add_link" in c:
            try:
                a, b = c["add_link"]
            except (TypeError, ValueError):
                raise QueryError(f"add_link needs two ids, not {c['add_link']!r}") from None
            count = c.get("count", 5)
            for n in (a, b):
                _need(H, n, "add_link")
            if a == b or isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise QueryError(f"add_link {a} -> {b}: needs two ids and a count >= 1")
            if not H.has_edge(a, b):
                H.add_edge(a, b, referrals=0, accepted=None, by_period={})
            H.edges[a, b]["referrals"] += count
            H.edges[a, b]["added"] = True
        elif "add_navigator" in c:
            d = c["add_navigator"]
            if d not in H.graph.get("districts", {}):
                raise QueryError(f"add_navigator: {d!r} is not a district code")
            at = c.get("at") or _busiest(H, d)
            _need(H, at, "add_navigator at")
            nid = c.get("id") or next(
                f"{NAV_PREFIX}{i}" for i in range(1, len(H) + 2) if f"{NAV_PREFIX}{i}" not in H
            )
            org = H.nodes[at].get("organisation")
            H.add_node(nid)
            H.nodes[nid].update(
                type="Navigator", name=nid, role="navigator", lived_experience=True,
                based_at=at, district=d, districts=[d], organisation=org,
                org_kind=H.nodes[at].get("org_kind"), domain="recovery_coaching",
                lived_experience_led=True, active=True, placeholder=False, added=True,
            )  # fmt: skip
            strength = check_prob(c.get("strength", 0.8), "add_navigator strength")
            H.add_edge(nid, at, referrals=0, accepted=None, by_period={}, peer_kind="mentors_at")
            H.edges[nid, at]["strength"] = strength
        else:
            raise QueryError(f"unknown change {c!r}: close, add_link or add_navigator")
    return H


def _reachable_pairs(D: nx.DiGraph) -> int:
    """Ordered pairs (u, v), u != v, with a directed path u -> v (bitsets over the condensation)."""
    C = nx.condensation(D)
    reach, offset, total = {}, 0, 0
    for c in reversed(list(nx.topological_sort(C))):
        size = len(C.nodes[c]["members"])
        bits = ((1 << size) - 1) << offset
        offset += size
        for s in C.successors(c):
            bits |= reach[s]
        reach[c] = bits
        total += size * (bits.bit_count() - 1)
    return total


def network_metrics(G: nx.DiGraph, *, runs: int = 256, seed=None) -> dict:
    """The what-if measures of one graph (see :data:`METRICS`), plus the articulation points.

    Examples
    --------
    >>> G = nx.DiGraph(districts={}, borders=set())
    >>> for n in "abc": G.add_node(n, type="Service", active=True)
    >>> G.add_edge("a", "b", referrals=3); G.add_edge("b", "c", referrals=3)
    >>> m = network_metrics(G, runs=64, seed=1)
    >>> m["reachable_pairs"], m["connected_pairs"], m["articulation_list"]
    (3, 3, ['b'])
    """
    R = referral_graph(G)
    keep = [n for n in R if _open(G, n)]
    D = R.subgraph(keep)
    U = D.to_undirected(as_view=True)
    comps = [len(c) for c in nx.connected_components(U)]
    points = sorted(nx.articulation_points(U), key=str)
    flows = boundary_flows(G, "district")
    crossing = {frozenset((f["source"], f["target"])) for f in flows if f["source"] != f["target"]}
    seeds = default_seeds(G)
    reach = independent_cascade(G, seeds, runs=runs, seed=seed).expected_reach if seeds else 0.0
    return {
        "open_services": len(keep),
        "reachable_pairs": _reachable_pairs(D),
        "connected_pairs": sum(s * (s - 1) // 2 for s in comps),
        "components": len(comps),
        "largest_component": max(comps, default=0),
        "articulation_points": len(points),
        "cross_border_referrals": sum(f["referrals"] for f in flows if f["source"] != f["target"]),
        "open_borders": sum(1 for p in G.graph.get("borders", set()) if p in crossing),
        "domains_covered": sum(r["covered"] for r in coverage(G)["districts"]),
        "expected_reach": round(reach, 3),
        "articulation_list": points,
    }


def _cross_hidden(G: nx.DiGraph) -> bool:
    """Whether the disclosure layer hides G's total of cross-district referrals."""
    from gridvoices.ecosystem.privacy import is_suppressed
    from gridvoices.queries.disclosure import cell_groups, layer

    if not is_suppressed(1):
        return False
    cells = cell_groups(G).get(("cross_total",), [])
    return bool(cells) and layer(G).hidden(cells)


def _aligned(G: nx.DiGraph, scenarios: dict) -> tuple[nx.DiGraph, dict]:
    """``G`` with a placeholder for every navigator the scenarios add, and the scenarios with
    their navigators' ids fixed, so that every graph compared has the same nodes in order."""
    base, fixed, i = G.copy(), {}, 0
    for name, changes in scenarios.items():
        if isinstance(changes, dict | str):
            raise QueryError(f"scenario {name!r}: a scenario is a list of changes")
        out = []
        for c in changes:
            c = parse_change(c) if isinstance(c, str) else dict(c)
            if "add_navigator" in c and not c.get("id"):
                i += 1
                c["id"] = f"{NAV_PREFIX}{i}"
                base.add_node(c["id"], type="Navigator", name=c["id"], active=False,
                              placeholder=True, districts=[], district=None)  # fmt: skip
            out.append(c)
        fixed[name] = out
    return base, fixed


def _describe(c: dict) -> str:
    if "close" in c:
        return f"close {c['close']}"
    if "add_link" in c:
        return f"add link {c['add_link'][0]} -> {c['add_link'][1]} ({c.get('count', 5)} referrals)"
    return f"add navigator in {c['add_navigator']}" + (f" at {c['at']}" if c.get("at") else "")


def _band_row(r0: dict, r: dict, reranked, rerank: bool) -> dict:
    """One district before -> after on the baseline's scale."""
    s0, s = r0["score"], r["score"]
    row = {
        "district": r["district"],
        "name": r["name"],
        "band_base": r0["band"],
        "band": r["band"],
        "score_base": s0,
        "score": s,
        "score_change": None if s0 is None or s is None else round(s - s0, 4),
        "indicators_changed": sorted(
            k for k, v in r["indicators"].items() if r0["indicators"].get(k) != v
        ),
    }
    if rerank:
        row["band_reranked"] = reranked
    return row


def compare_scenarios(
    G: nx.DiGraph,
    scenarios,
    *,
    runs: int = 256,
    index: bool = True,
    population=None,
    weights=None,
    seed=None,
    rerank: bool = False,
) -> dict:
    """Each scenario against the baseline, metric by metric (before -> after, difference).

    Parameters
    ----------
    scenarios : dict name -> list of changes, or a list of lists (named 1, 2, ...)
    runs, seed
        Monte Carlo runs and seed for every cascade; the same seed on every graph.
    index : bool
        Also score each scenario on the recovery index (``population`` and ``weights``
        as :func:`~gridvoices.queries.index.scores.recovery_index`) *on the baseline's
        scale*: its means, spreads and band cut points, so a district's score and band
        move only when its own indicators change.
    rerank : bool
        Also give each district's band when the scenario is re-ranked on its own
        scale (``band_reranked``): bands are relative, so there a closure can appear
        to lift districts it never touched.

    Returns
    -------
    dict
        ``metrics`` (name, label, higher_is_better), ``baseline`` (metric -> value),
        ``scenarios``: per scenario ``name``, ``changes`` (as words), ``rows``
        (metric, label, base, value, change, better), ``bands`` (district rows
        with band_base, band, score_base, score, score_change, indicators_changed
        and, with ``rerank``, band_reranked), ``why``; ``runs``, ``seed``.

    Examples
    --------
    >>> G = nx.DiGraph(districts={}, borders=set())
    >>> for n in "abc": G.add_node(n, type="Service", active=True)
    >>> G.add_edge("a", "b", referrals=3); G.add_edge("b", "c", referrals=3)
    >>> r = compare_scenarios(G, {"shut b": [{"close": "b"}]}, index=False, runs=64, seed=1)
    >>> [(x["metric"], x["base"], x["value"]) for x in r["scenarios"][0]["rows"]][1:3]
    [('reachable_pairs', 3, 0), ('connected_pairs', 3, 0)]
    """
    runs = check_runs(runs)
    seed = resolve_seed(seed)[0]
    if not isinstance(scenarios, dict):
        scenarios = {str(i): s for i, s in enumerate(scenarios, start=1)}
    base, fixed = _aligned(G, scenarios)
    secret0 = _cross_hidden(base)  # first: the scenarios' copies keep the layer of the data
    graphs = {name: apply_scenario(base, ch) for name, ch in fixed.items()}

    def measure(H, scale=None):
        m = network_metrics(H, runs=runs, seed=seed)
        if not index:
            return m, {}, None
        ix = recovery_index(
            H, population=population, weights=weights, runs=runs, seed=seed, scale=scale
        )
        return m, {r["district"]: r for r in ix["districts"]}, ix["scale"]

    m0, b0, scale0 = measure(base)
    out = []
    for name, H in graphs.items():
        m, b, _ = measure(H, scale0)
        again = {}
        if index and rerank:
            ix = recovery_index(H, population=population, weights=weights, runs=runs, seed=seed)
            again = {r["district"]: r["band"] for r in ix["districts"]}
        bands = [_band_row(b0[d], r, again.get(d), rerank) for d, r in b.items()]
        m["bands_changed"] = sum(1 for r in bands if r["band"] != r["band_base"])
        rows = []
        for k, (label, up) in METRICS.items():
            if k == "bands_changed" and not index:
                continue
            v0, v = m0.get(k, 0), m[k]
            diff = round(v - v0, 3)
            rows.append({"metric": k, "label": label, "base": v0, "value": v, "change": diff,
                         "better": None if not diff else (diff > 0) == up})  # fmt: skip
            if k == "cross_border_referrals" and (secret0 or _cross_hidden(H)):
                # An exact referral total: shown only as the disclosure layer allows, and
                # then with its scenario value and change (their difference is a count too).
                rows[-1]["_hidden"] = ["base", "value", "change", "better"]
        worse = [r["label"] for r in rows if r["better"] is False]
        out.append(
            {
                "name": name,
                "changes": [_describe(c) for c in fixed[name]],
                "rows": rows,
                "bands": bands,
                "articulation_points": m["articulation_list"],
                "why": f"{name} ({'; '.join(_describe(c) for c in fixed[name])}): "
                f"expected reach {m0['expected_reach']:.1f} -> {m['expected_reach']:.1f}, "
                f"connected pairs {m0['connected_pairs']} -> {m['connected_pairs']}"
                + (f"; worse on {len(worse)} measures" if worse else "; worse on none"),
            }
        )
    if index:
        m0["bands_changed"] = 0
    return {
        "metrics": [
            {"metric": k, "label": v[0], "higher_is_better": v[1]} for k, v in METRICS.items()
        ],
        "baseline": {k: m0[k] for k in METRICS if k in m0}
        | ({"_hidden": ["cross_border_referrals"]} if secret0 else {}),
        "baseline_articulation_points": m0["articulation_list"],
        "scenarios": out,
        "runs": runs,
        "seed": seed,
    }
