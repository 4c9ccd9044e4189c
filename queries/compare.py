"""Over time: what changed between two periods (or ranges of periods)."""

from __future__ import annotations

import networkx as nx
from gridvoices.ecosystem.privacy import fmt, fmt_derived
from gridvoices.ecosystem.vocab import COMMUNITY_DOMAINS
from gridvoices.queries.barriers.forms import barriers
from gridvoices.queries.coverage import coverage
from gridvoices.queries.isolation.flags import isolation

__all__ = ["compare"]


def compare(before: nx.DiGraph, after: nx.DiGraph, **barrier_options) -> dict:
    """Barriers opened or closed, isolation flags gained or lost, coverage gained or lost.

    ``before`` and ``after`` are the same ecosystem built for two periods
    (``build_graph(tables, periods)``). Coverage counts a closed service in
    the periods where it still had referral flows.

    Examples
    --------
    >>> G1 = nx.DiGraph(periods=["2024-Q1"], districts={}, borders=set(), organisations={})
    >>> G2 = nx.DiGraph(periods=["2024-Q2"], districts={}, borders=set(), organisations={})
    >>> compare(G1, G2)["isolation"]
    []
    """
    b1, b2 = barriers(before, **barrier_options), barriers(after, **barrier_options)
    was = {(r["a"], r["b"]): r for r in b1["borders"]}
    borders = []
    for r in b2["borders"]:
        old = was.get((r["a"], r["b"]))
        if old is None or old["barrier"] == r["barrier"]:
            continue
        change = "closed" if r["barrier"] else "opened"
        borders.append(
            {
                "a": r["a"],
                "b": r["b"],
                "change": change,
                "before": old["observed"],
                "after": r["observed"],
                "why": f"{r['a_name']} - {r['b_name']} border {change}: "
                f"{fmt(old['observed'])} referrals crossed before "
                f"(permeability {fmt_derived(str(old['permeability']), old['observed'])}), "
                f"{fmt(r['observed'])} after "
                f"(permeability {fmt_derived(str(r['permeability']), r['observed'])})",
            }
        )
    f1 = {(r["id"], r["flag"]): r for r in isolation(before)}
    f2 = {(r["id"], r["flag"]): r for r in isolation(after)}
    iso = [
        {"id": i, "flag": f, "name": f2[(i, f)]["name"], "change": "new", "why": f2[(i, f)]["why"]}
        for (i, f) in sorted(set(f2) - set(f1))
    ]
    iso += [
        {
            "id": i,
            "flag": f,
            "name": f1[(i, f)]["name"],
            "change": "resolved",
            "why": f"no longer flagged; before: {f1[(i, f)]['why']}",
        }
        for (i, f) in sorted(set(f1) - set(f2))
    ]
    c1 = {r["district"]: r for r in coverage(before, inactive_with_flows=True)["districts"]}
    c2 = {r["district"]: r for r in coverage(after, inactive_with_flows=True)["districts"]}
    cov = []
    for d in sorted(set(c1) & set(c2)):
        for dom in COMMUNITY_DOMAINS:
            x, y = c1[d][dom], c2[d][dom]
            if (x > 0) != (y > 0):
                change = "gained" if y else "lost"
                cov.append(
                    {
                        "district": d,
                        "name": c2[d]["name"],
                        "domain": dom,
                        "change": change,
                        "before": x,
                        "after": y,
                        "why": f"{c2[d]['name']} {change} {COMMUNITY_DOMAINS[dom]} "
                        f"({x} -> {y} services/groups operating)",
                    }
                )
    return {
        "before": list(before.graph.get("periods", [])),
        "after": list(after.graph.get("periods", [])),
        "borders": borders,
        "isolation": iso,
        "coverage": cov,
    }
