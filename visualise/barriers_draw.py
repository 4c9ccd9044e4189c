"""How both barrier views draw: permeability bands, one link per pair of blocks, the layout,
the legend and the page data (:mod:`gridvoices.visualise.barriers_view` for districts,
:mod:`gridvoices.visualise.barriers_orgs` for organisations)."""

from __future__ import annotations

from collections import defaultdict

from gridvoices.ecosystem.vocab import ORG_KINDS
from gridvoices.visualise.common import KIND_COLOURS, UNKNOWN_COLOUR, text
from gridvoices.visualise.counts import (
    Shown,
    drawing_value,
    fmt_ratio,
    fmt_shown,
    period_columns,
    shown_sum,
)
from gridvoices.visualise.layout import block_layout
from gridvoices.visualise.page import ViewData

__all__ = [
    "BANDS",
    "FLAG_BORDER",
    "HIDDEN_COLOUR",
    "MAX_OTHER_LINKS",
    "MISSING_COLOUR",
    "finish_view",
    "keep_heaviest",
    "kind_colour",
    "kind_legend",
    "marginals",
    "pair_link",
]

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
FLAG_BORDER = "#b2182b"
MAX_OTHER_LINKS = 1000  # links between blocks that do not border, at most (the heaviest)
_LAYOUT_RADIUS = 70.0  # room per node (circle and label) when laying blocks out


def keep_heaviest(links: list[dict], optional, limit: int | None = None) -> tuple[list[dict], int]:
    """All links, except that of the ``optional`` ones only the heaviest
    :data:`MAX_OTHER_LINKS` (or ``limit``) are kept (thousands of faint pairs hide the borders
    and draw slowly). Returns the links kept and how many were left out."""
    limit = MAX_OTHER_LINKS if limit is None else limit
    extra = sorted((x for x in links if optional(x)), key=lambda x: -x["value"])
    if len(extra) <= limit:
        return links, 0
    dropped = {id(x) for x in extra[limit:]}
    return [x for x in links if id(x) not in dropped], len(dropped)


def _band(perm: float) -> str:
    return next(colour for top, colour, _ in BANDS if perm < top)


def marginals(flows: dict[tuple, int]) -> tuple[dict, dict, int]:
    out_, in_ = defaultdict(int), defaultdict(int)
    for (a, b), n in flows.items():
        out_[a] += n
        in_[b] += n
    return out_, in_, sum(out_.values())


def pair_link(
    a, b, name, shown, exact, marg, border, analysis, hide_expected: bool = False
) -> dict:
    """One undirected link: both directions, expected, permeability, colour, reason.

    ``hide_expected``: a total the expected flow is computed from is hidden by the
    disclosure layer, so the expected flow and the permeability are shown as ``*``.
    """
    out_, in_, total = marg
    ab, ba = shown.get((a, b), (0, 0)), shown.get((b, a), (0, 0))
    observed: Shown = shown_sum([ab, ba])
    expected = (out_[a] * in_[b] + out_[b] * in_[a]) / total if total else 0.0
    perm = "*" if hide_expected else fmt_ratio(observed, expected)
    expected_text = "*" if hide_expected else f"{expected:.1f}"
    none = exact.get((a, b), 0) + exact.get((b, a), 0) == 0
    if none:
        cat, colour = ("missing", MISSING_COLOUR) if border else ("other", HIDDEN_COLOUR)
    else:
        cat = "border" if border else "other"
        hidden = observed[1] or hide_expected or not expected
        colour = HIDDEN_COLOUR if hidden else _band(observed[0] / expected)
        if analysis is not None and analysis["barrier"]:
            colour = BANDS[0][1]  # the analysis's flag, published in its report too
    where = "border each other" if border else "do not border each other"
    why = (
        f"{name(a)} and {name(b)} {where}: {fmt_shown(observed)} referrals crossed, "
        f"{expected_text} expected if referrals ignored the boundary (permeability {perm})"
    )
    rows = [
        ["Borders each other", "Yes" if border else "No"],
        [f"{name(a)} → {name(b)}", fmt_shown(ab)],
        [f"{name(b)} → {name(a)}", fmt_shown(ba)],
        ["Observed (both ways)", fmt_shown(observed)],
        ["Expected ignoring the boundary", expected_text],
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
