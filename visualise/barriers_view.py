"""The barriers view: districts (or organisations) as nodes, flows coloured by permeability.

Permeability is observed / expected referrals between two blocks under the
independence null model of :mod:`gridvoices.queries.barriers.forms` (1: the boundary is
invisible to referrals; 0: nothing crosses it). Bordering districts with no
referral either way are drawn as dashed red "missing" links. Each link's
details give both directions, the expected flow, the permeability and the
reason in words.

Counts follow :mod:`gridvoices.visualise.counts`: a block flow is exact unless its hidden
cells could be worked out from it (rule 3), a pair's two directions add as
shown parts (rule 2), and a permeability from a total that is not exact is
``*`` (rule 4). Expected flows and the barrier / inward-looking / silo flags
come from the analysis, as in its report.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
from gridvoices.ecosystem.privacy import suppression
from gridvoices.queries.barriers.forms import barriers
from gridvoices.queries.disclosure import disclose
from gridvoices.queries.disclosure_expected import district_margins_hidden
from gridvoices.visualise.barriers_draw import (
    BANDS,
    HIDDEN_COLOUR,
    MAX_OTHER_LINKS,
    MISSING_COLOUR,
    finish_view,
    keep_heaviest,
    marginals,
    pair_link,
)
from gridvoices.visualise.barriers_orgs import organisation_view
from gridvoices.visualise.common import plural, text
from gridvoices.visualise.counts import block_flows, fmt_ratio, fmt_shown, shown_sum
from gridvoices.visualise.page import ViewData

__all__ = [
    "build",
    "LEVELS",
    "BANDS",
    "MISSING_COLOUR",
    "HIDDEN_COLOUR",
    "MAX_ORGANISATIONS",
    "MAX_OTHER_LINKS",
]

LEVELS = ("district", "organisation")
DISTRICT_COLOUR = "#7b8da6"
MAX_ORGANISATIONS = 400


def build(
    G: nx.DiGraph,
    *,
    suppress_small: bool = True,
    level: str = "district",
    min_permeability: float = 0.1,
    max_organisations: int = MAX_ORGANISATIONS,
) -> ViewData:
    """The barriers view's data.

    Parameters
    ----------
    G : networkx.DiGraph
        Graph from :func:`gridvoices.queries.graph.build_graph`.
    suppress_small : bool
        The disclosure rule (:mod:`gridvoices.visualise.counts`).
    level : {"district", "organisation"}
        Blocks to draw. Organisations have no borders, so no "missing" links;
        only the ``max_organisations`` with most referrals are drawn.
    min_permeability : float
        Passed to :func:`gridvoices.queries.barriers.forms.barriers` (what counts as a barrier).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    with suppression(suppress_small):
        result = barriers(G, min_permeability=min_permeability)
    if level == "district":
        return _district_view(G, suppress_small, result)
    return organisation_view(G, suppress_small, result, max_organisations)


def _district_view(G: nx.DiGraph, suppress_small: bool, result: dict) -> ViewData:
    graph = G.graph.get("districts") or {}
    shown = block_flows(G, lambda a: a.get("district"), suppress_small)
    exact = {(f["source"], f["target"]): f["referrals"] for f in result["district_matrix"]}
    names = {d: text((graph.get(d) or {}).get("name")) or text(d) for d in graph}
    blocks = sorted(
        set(graph) | {x for pair in exact for x in pair},
        key=lambda d: (names.get(d, text(d)).lower(), str(d)),
    )
    members: dict = defaultdict(int)
    for _, d in G.nodes(data=True):
        if d.get("district") is not None:
            members[d["district"]] += 1
    # The layer's marks: expected values hidden when a total they come from is hidden.
    marked = disclose("barriers", result, G) if suppress_small else result
    inward = {r["district"]: r for r in marked["inward"]}
    borders = {frozenset(p) for p in G.graph.get("borders") or ()}
    by_border = {frozenset((r["a"], r["b"])): r for r in result["borders"]}
    bad, secret_total = district_margins_hidden(G) if suppress_small else (set(), False)

    def name(d):
        return names.get(d, text(d))

    marg = marginals(exact)
    links = []
    pairs = {frozenset(p) for p in exact if p[0] != p[1]} | {p for p in borders if len(p) == 2}
    for pair in sorted(pairs, key=lambda p: sorted(map(str, p))):
        a, b = sorted(pair, key=str)
        if a not in blocks or b not in blocks:
            continue
        border = pair in borders
        link = pair_link(
            a,
            b,
            name,
            shown,
            exact,
            marg,
            border,
            by_border.get(pair),
            bool(secret_total or pair & bad),
        )
        if link["cat"] == "other" and link["value"] == 0:
            continue
        links.append(link)
    links, dropped = keep_heaviest(links, lambda x: x["cat"] == "other", MAX_OTHER_LINKS)
    notes = ["Null model: " + result["null_model"] + "."]
    if dropped:
        notes.append(
            f"Showing the {MAX_OTHER_LINKS:,} heaviest of {MAX_OTHER_LINKS + dropped:,} links "
            "between districts that do not border (every bordering pair is shown)."
        )
    return finish_view(
        "barriers",
        G,
        blocks=blocks,
        name=name,
        node_rows=lambda d: _district_rows(d, shown, members, inward.get(d)),
        flagged=lambda d: bool((inward.get(d) or {}).get("inward_looking")),
        colour=lambda d: DISTRICT_COLOUR,
        sent=lambda d: shown_sum(v for (a, _), v in shown.items() if a == d),
        links=links,
        flag_label="Inward-looking district (keeps most referrals inside)",
        colours_legend=[],
        link_filter=[
            ["", "All district pairs"],
            ["border", "Bordering districts with referrals"],
            ["missing", "Missing: bordering, no referrals"],
            ["other", "Districts that do not border"],
        ],
        summary=[
            plural(len(blocks), "district"),
            plural(len(result["borders"]), "bordering pair"),
            plural(sum(1 for r in result["borders"] if r["barrier"]), "barrier"),
            plural(sum(1 for x in links if x["cat"] == "missing"), "missing link"),
        ],
        notes=notes,
    )


def _district_rows(d, shown, members, inward) -> list:
    sent = shown_sum(v for (a, _), v in shown.items() if a == d)
    received = shown_sum(v for (a, b), v in shown.items() if b == d and a != d)
    within = shown.get((d, d), (0, 0))
    rows = [
        ["Services, groups and navigators", f"{members.get(d, 0):,}"],
        ["Referrals sent (incl. inside)", fmt_shown(sent)],
        ["Referrals received from others", fmt_shown(received)],
        ["Kept inside", fmt_shown(within)],
        [
            "Share kept inside",
            "*" if within[1] or sent[1] else fmt_ratio(within, sent[0], "{:.0%}"),
        ],
    ]
    if inward is not None and inward.get("expected_share") is not None:
        secret = "expected_share" in (inward.get("_hidden") or ())
        share = "*" if secret else f"{inward['expected_share']:.0%}"
        rows.append(["Expected share ignoring borders", share])
    if inward is not None:
        rows.append(["Inward-looking", "Yes" if inward["inward_looking"] else "No"])
    return rows
