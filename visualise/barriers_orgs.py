"""The barriers view at organisation level (``level="organisation"``).

Organisations have no borders, so every pair could refer and there are no
"missing" links; links are split into pairs of the same kind and pairs of
different kinds instead. Only the :data:`~gridvoices.visualise.barriers_view.MAX_ORGANISATIONS`
organisations with most referrals are drawn (ranked by the shown volumes).
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
from gridvoices.ecosystem.vocab import ORG_KINDS
from gridvoices.queries.flows import GROUPS_ORG, boundary_flows
from gridvoices.visualise.barriers_draw import (
    MAX_OTHER_LINKS,
    finish_view,
    keep_heaviest,
    kind_colour,
    kind_legend,
    marginals,
    pair_link,
)
from gridvoices.visualise.common import label, plural, text
from gridvoices.visualise.counts import block_flows, drawing_value, fmt_ratio, fmt_shown, shown_sum
from gridvoices.visualise.page import ViewData

__all__ = ["organisation_view"]


def organisation_view(
    G: nx.DiGraph, suppress_small: bool, result: dict, max_organisations: int
) -> ViewData:
    """Organisations as nodes, referral flows between them coloured by permeability."""
    graph = G.graph.get("organisations") or {}

    def block(a: dict):
        return a.get("organisation") or GROUPS_ORG

    shown = block_flows(G, block, suppress_small)
    exact = {(f["source"], f["target"]): f["referrals"] for f in boundary_flows(G, "organisation")}
    members: dict = defaultdict(int)
    kinds: dict = {}
    for _, d in G.nodes(data=True):
        b = block(d)
        members[b] += 1
        kinds.setdefault(b, d.get("org_kind") if b != GROUPS_ORG else "mutual_aid")
    for o, v in graph.items():
        kinds[o] = v.get("kind") or kinds.get(o)

    def name(o):
        if o == GROUPS_ORG:
            return "Mutual-aid groups (no organisation)"
        return text((graph.get(o) or {}).get("name")) or text(o)

    volume: dict = defaultdict(float)
    for (a, b), v in shown.items():
        volume[a] += drawing_value(v)
        if a != b:
            volume[b] += drawing_value(v)
    ranked = sorted(set(members) | set(volume), key=lambda o: (-volume[o], str(o)))
    blocks = sorted(ranked[:max_organisations], key=lambda o: (name(o).lower(), str(o)))
    kept = set(blocks)
    silos = {r["organisation"]: r for r in result["silos"]}
    marg = marginals(exact)
    links = []
    for pair in sorted(
        {frozenset(p) for p in exact if p[0] != p[1]}, key=lambda p: sorted(map(str, p))
    ):
        a, b = sorted(pair, key=str)
        if a in kept and b in kept:
            link = pair_link(a, b, name, shown, exact, marg, False, None)
            link["cat"] = "same" if kinds.get(a) == kinds.get(b) else "cross"
            links.append(link)
    links, dropped = keep_heaviest(links, lambda x: True)

    def rows(o) -> list:
        sent = shown_sum(v for (a, _), v in shown.items() if a == o)
        own = shown.get((o, o), (0, 0))
        share = "*" if own[1] or sent[1] else fmt_ratio(own, sent[0], "{:.0%}")
        out = [
            ["Kind", label(ORG_KINDS, kinds.get(o))],
            ["Services, groups and navigators", f"{members.get(o, 0):,}"],
            ["Referrals sent (incl. to its own)", fmt_shown(sent)],
            ["To its own services", fmt_shown(own)],
            ["Share to its own", share],
            ["Silo", "Yes" if o in silos else "No"],
        ]
        if o in (graph or {}):
            out.insert(1, ["Commissioned", "Yes" if graph[o].get("commissioned") else "No"])
        if o in silos:
            out.append(
                [
                    None,
                    f"{name(o)} refers {fmt_shown(own)} of {fmt_shown(sent)} referrals "
                    f"({share}) to its own services",
                ]
            )
        return out

    notes = ["Null model: " + result["null_model"] + "."]
    if dropped:
        notes.append(
            f"Showing the {MAX_OTHER_LINKS:,} heaviest of {MAX_OTHER_LINKS + dropped:,} "
            "linked pairs of organisations."
        )
    if len(ranked) > len(blocks):
        notes.append(
            f"Showing the {len(blocks):,} organisations with most referrals of {len(ranked):,}."
        )
    return finish_view(
        "barriers",
        G,
        blocks=blocks,
        name=name,
        node_rows=rows,
        flagged=lambda o: o in silos,
        colour=lambda o: kind_colour(kinds.get(o)),
        sent=lambda o: shown_sum(v for (a, _), v in shown.items() if a == o),
        links=links,
        flag_label="Silo (refers mostly to its own services)",
        colours_legend=kind_legend({kinds.get(o) for o in blocks}),
        link_filter=[
            ["", "All organisation pairs"],
            ["same", "Same kind of organisation"],
            ["cross", "Different kinds"],
        ],
        summary=[
            plural(len(blocks), "organisation"),
            plural(len(links), "linked pair"),
            plural(len([o for o in blocks if o in silos]), "silo"),
        ],
        notes=notes,
    )
