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
from gridvoices.ecosystem.vocab import ORG_KINDS
from gridvoices.queries.barriers.forms import barriers
from gridvoices.visualise.common import KIND_COLOURS, UNKNOWN_COLOUR, plural, text
from gridvoices.visualise.counts import (
    Shown,
    block_flows,
    drawing_value,
    fmt_ratio,
    fmt_shown,
    period_columns,
    shown_sum,
)
from gridvoices.visualise.layout import block_layout
from gridvoices.visualise.page import ViewData

__all__ = [
    "build",
    "pair_link",
    "marginals",
    "finish_view",
    "kind_legend",
    "kind_colour",
    "LEVELS",
    "BANDS",
    "MISSING_COLOUR",
    "HIDDEN_COLOUR",
    "MAX_ORGANISATIONS",
    "MAX_OTHER_LINKS",
    "keep_heaviest",
]

LEVELS = ("district", "organisation")
# Upper bound of each permeability band, its colour (diverging: red blocked, blue open).
BANDS: list[tuple[float, str, str]] = [
    (0.1, "#b2182b", "Barrier: below 0.1 (or as the analysis flags it)"),
    (0.5, "#ef8a62", "0.1 to 0.5"),
    (1.0, "#d9a21b", "0.5 to 1"),
    (2.0, "#67a9cf", "1 to 2"),
    (float("inf"), "#2166ac", "2 or more"),
]
MISSING_COLOUR = "#b2182b"
HIDDEN_COLOUR = "#9aa5b1"
DISTRICT_COLOUR = "#7b8da6"
FLAG_BORDER = "#b2182b"
MAX_ORGANISATIONS = 400
MAX_OTHER_LINKS = 1000  # links between blocks that do not border, at most (the heaviest)
_LAYOUT_RADIUS = 70.0  # room per node (circle and label) when laying blocks out


def keep_heaviest(links: list[dict], optional) -> tuple[list[dict], int]:
    """All links, except that of the ``optional`` ones only the heaviest
    :data:`MAX_OTHER_LINKS` are kept (thousands of faint pairs hide the borders and draw
    slowly). Returns the links kept and how many were left out."""
    extra = sorted((x for x in links if optional(x)), key=lambda x: -x["value"])
    if len(extra) <= MAX_OTHER_LINKS:
        return links, 0
    dropped = {id(x) for x in extra[MAX_OTHER_LINKS:]}
    return [x for x in links if id(x) not in dropped], len(dropped)


def _band(perm: float) -> str:
    return next(colour for top, colour, _ in BANDS if perm < top)


def marginals(flows: dict[tuple, int]) -> tuple[dict, dict, int]:
    out_, in_ = defaultdict(int), defaultdict(int)
    for (a, b), n in flows.items():
        out_[a] += n
        in_[b] += n
    return out_, in_, sum(out_.values())


def pair_link(a, b, name, shown, exact, marg, border, analysis) -> dict:
    """One undirected link: both directions, expected, permeability, colour, reason."""
    out_, in_, total = marg
    ab, ba = shown.get((a, b), (0, 0)), shown.get((b, a), (0, 0))
    observed: Shown = shown_sum([ab, ba])
    expected = (out_[a] * in_[b] + out_[b] * in_[a]) / total if total else 0.0
    perm = fmt_ratio(observed, expected)
    none = exact.get((a, b), 0) + exact.get((b, a), 0) == 0
    if none:
        cat, colour = ("missing", MISSING_COLOUR) if border else ("other", HIDDEN_COLOUR)
    else:
        cat = "border" if border else "other"
        colour = HIDDEN_COLOUR if observed[1] or not expected else _band(observed[0] / expected)
        if analysis is not None and analysis["barrier"]:
            colour = BANDS[0][1]  # the analysis's flag, published in its report too
    where = "border each other" if border else "do not border each other"
    why = (
        f"{name(a)} and {name(b)} {where}: {fmt_shown(observed)} referrals crossed, "
        f"{expected:.1f} expected if referrals ignored the boundary (permeability {perm})"
    )
    rows = [
        ["Borders each other", "Yes" if border else "No"],
        [f"{name(a)} → {name(b)}", fmt_shown(ab)],
        [f"{name(b)} → {name(a)}", fmt_shown(ba)],
        ["Observed (both ways)", fmt_shown(observed)],
        ["Expected ignoring the boundary", f"{expected:.1f}"],
        ["Permeability", perm],
    ]
    if analysis is not None:
        rows.append(["Barrier", "Yes" if analysis["barrier"] else "No"])
    rows.append([None, why])
    return {
        "from": a,
        "to": b,
        "cat": cat,
        "colour": colour,
        "dashes": [8, 6] if cat == "missing" else False,
        "width": 2.5 if cat == "missing" else None,
        "value": drawing_value(observed),
        "heading": f"{name(a)} ↔ {name(b)}",
        "rows": rows,
    }


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
    from gridvoices.visualise.barriers_orgs import organisation_view  # needs this module's helpers

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
    inward = {r["district"]: r for r in result["inward"]}
    borders = {frozenset(p) for p in G.graph.get("borders") or ()}
    by_border = {frozenset((r["a"], r["b"])): r for r in result["borders"]}

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
        link = pair_link(a, b, name, shown, exact, marg, border, by_border.get(pair))
        if link["cat"] == "other" and link["value"] == 0:
            continue
        links.append(link)
    links, dropped = keep_heaviest(links, lambda x: x["cat"] == "other")
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
        rows.append(["Expected share ignoring borders", f"{inward['expected_share']:.0%}"])
    if inward is not None:
        rows.append(["Inward-looking", "Yes" if inward["inward_looking"] else "No"])
    return rows


def finish_view(
    kind,
    G,
    *,
    blocks,
    name,
    node_rows,
    flagged,
    colour,
    sent,
    links,
    flag_label,
    colours_legend,
    link_filter,
    summary,
    notes,
) -> ViewData:
    """Lay out blocks, size them by referrals sent, and assemble the plain-mode page data."""
    index = {b: i for i, b in enumerate(blocks)}
    weights = defaultdict(float)
    for x in links:
        weights[index[x["from"]], index[x["to"]]] += 1 + x["value"] ** 0.5
    pos = block_layout(dict.fromkeys(range(len(blocks)), _LAYOUT_RADIUS), weights)
    top = max((drawing_value(sent(b)) for b in blocks), default=0) or 1
    top_link = max((x["value"] for x in links), default=0) or 1
    nodes = []
    for i, b in enumerate(blocks):
        size = 14 + 30 * (drawing_value(sent(b)) / top) ** 0.5
        node = {
            "label": name(b),
            "heading": name(b),
            "rows": node_rows(b),
            "x": pos[i][0],
            "y": pos[i][1],
            "size": round(size, 1),
            "colour": colour(b),
            "shape": "dot",
            "search": text(b),
        }
        if flagged(b):
            node.update(border=FLAG_BORDER, borderWidth=5)
        nodes.append(node)
    edges = []
    for x in links:
        edge = {k: v for k, v in x.items() if k != "value"}
        edge["from"], edge["to"] = index[x["from"]], index[x["to"]]
        if edge["width"] is None:
            edge["width"] = round(1.5 + 10 * (x["value"] / top_link) ** 0.5, 2)
        edges.append(edge)
    legend = [
        {
            "title": "Links: permeability (observed / expected)",
            "items": [
                *(
                    {"swatch": {"shape": "line", "colour": c, "width": 5}, "label": t}
                    for _, c, t in BANDS
                ),
                {
                    "swatch": {"shape": "line", "colour": HIDDEN_COLOUR, "width": 5},
                    "label": "Not shown: includes counts of 1–4 (*)",
                },
                *(
                    [
                        {
                            "swatch": {"shape": "dashed", "colour": MISSING_COLOUR, "width": 3},
                            "label": "Missing: bordering districts, no referrals",
                        }
                    ]
                    if kind == "barriers" and any(x["cat"] == "missing" for x in links)
                    else []
                ),
            ],
            "note": "Width: referrals both ways.",
        },
        {
            "title": "Nodes",
            "items": [
                *colours_legend,
                {
                    "swatch": {
                        "shape": "dot",
                        "colour": "#ffffff",
                        "border": FLAG_BORDER,
                        "ring": True,
                    },
                    "label": flag_label,
                },
            ],
            "note": "Size: referrals sent.",
        },
    ]
    controls = [{"id": "gv-links", "label": "Show links", "options": link_filter, "value": ""}]
    return ViewData(
        kind=kind,
        data={"mode": "plain", "nodes": nodes, "edges": edges, "legend": legend},
        n_nodes=len(nodes),
        n_edges=len(edges),
        summary=summary,
        controls=controls,
        periods=period_columns(G),
        notes=notes,
    )


def kind_legend(kinds: set) -> list[dict]:
    """Legend items for organisation kinds present."""
    items = [
        {"swatch": {"shape": "dot", "colour": KIND_COLOURS[k]}, "label": ORG_KINDS[k]}
        for k in KIND_COLOURS
        if k in kinds
    ]
    if kinds - set(KIND_COLOURS):
        items.append(
            {"swatch": {"shape": "dot", "colour": UNKNOWN_COLOUR}, "label": "Other / unknown"}
        )
    return items


def kind_colour(kind) -> str:
    """Node colour for an organisation kind."""
    return KIND_COLOURS.get(kind, UNKNOWN_COLOUR)
