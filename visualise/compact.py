"""The ecosystem as compact columns for the page: every node and link, once.

A view of the whole ecosystem (network, isolation, and any view that colours
the same nodes differently) sends one column per attribute rather than one
object per node: names, a type code, a district index, an organisation index,
... and for links their two ends and one count per period (*cells*, with 1-4
already replaced by ``-1`` when suppressing, see :mod:`gridvoices.visualise.counts`).
Tooltips, totals, filters and aggregation are all computed from these columns
in the browser, so a 50,000-service ecosystem is a few megabytes, not hundreds.

Above :data:`AGGREGATE_ABOVE` nodes the page starts with one node per district
(a pie of its members' colours) and opens a district on click; districts with
more than :data:`EXPAND_LIMIT` members open into their organisations first.
Positions: :mod:`gridvoices.visualise.layout`.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx
from gridvoices.ecosystem.definitions import REFERRALS
from gridvoices.ecosystem.vocab import PEER_LINK_KINDS
from gridvoices.queries.counts import link_counts
from gridvoices.visualise.columns import Codes, districts, node_columns, numeric_attributes
from gridvoices.visualise.common import (
    SHAPES,
    TYPE_LABELS,
    TYPES,
    categorical_mode,
    links_label,
    plural,
    round_sig,
    text,
)
from gridvoices.visualise.counts import (
    HIDDEN,
    Mask,
    block_totals,
    edge_cells,
    fmt_shown,
    period_columns,
)
from gridvoices.visualise.layout import block_layout, block_radius, member_layout
from gridvoices.visualise.page import ViewData

__all__ = [
    "AGGREGATE_ABOVE",
    "EXPAND_LIMIT",
    "MAX_AGGREGATE_LINES",
    "ecosystem_view",
]

# Above this many nodes the page opens on districts; measured in headless chromium, drawing
# 1,000 nodes with fixed positions takes about 1.4 s, so below it the whole graph is fine.
AGGREGATE_ABOVE = 1000
EXPAND_LIMIT = 400
# Lines drawn to or between aggregates at most (the heaviest); members' own links are all drawn.
MAX_AGGREGATE_LINES = 1500


def _edges(G: nx.DiGraph, index: dict, columns: list[str], mask: Mask, home: list):
    """Link columns, and each (home district, home district) pair's non-zero ``(cell, count)``."""
    peers = Codes(PEER_LINK_KINDS)
    src, dst, cells, accepted, peer = [], [], [], [], {}
    flags = {"any_referral": False, "any_peer": False, "any_other": False}
    pair_cells: dict[tuple, list[tuple]] = defaultdict(list)
    visible = hidden = 0
    for e, (u, v, d) in enumerate(G.edges(data=True)):
        a, b = index[u], index[v]
        src.append(a)
        dst.append(b)
        row = edge_cells(d, columns)
        shown = mask.row(u, v, row, columns)
        cells.extend(shown)
        acc = d.get("accepted")
        accepted.append(None if acc is None else mask.accepted(u, v, int(acc)))
        if d.get("peer_kind") is not None:
            strength = d.get("strength")
            peer[e] = [peers(d["peer_kind"]), None if strength is None else round_sig(strength)]
            flags["any_peer"] = True
        if any(row):
            flags["any_referral"] = True
            pair_cells[home[a], home[b]].extend(
                ((u, v, p), c) for p, c in zip(columns, row, strict=True) if c
            )
            hidden += shown.count(HIDDEN)
            visible += sum(c for c in shown if c > 0)
        elif d.get("peer_kind") is None:
            flags["any_other"] = True
    data = {"src": src, "dst": dst, "cells": cells, "accepted": accepted, "peer": peer}
    return data, peers.labels(), flags, (visible, hidden), pair_cells


def ecosystem_view(
    kind: str,
    G: nx.DiGraph,
    *,
    suppress_small: bool = True,
    colour_modes: list[dict] | None = None,
    colour_by: str = "kind",
    size_by: str = "volume",
    aggregate_above: int | None = None,
    notes: dict | None = None,
    mark: dict | None = None,
    edge_marks: dict | None = None,
    legend: list[dict] | None = None,
    extra_notes: list[str] | None = None,
    size_modes: list[dict] | None = None,
    edge_notes: dict | None = None,
) -> ViewData:
    """A :class:`~gridvoices.visualise.page.ViewData` of the whole ecosystem in compact columns.

    Parameters
    ----------
    kind : str
        The view's name.
    G : networkx.DiGraph
        Graph from :func:`gridvoices.queries.graph.build_graph` (extra numeric node attributes
        such as ``betweenness`` become "size by" choices).
    suppress_small : bool
        Replace cells of 1-4 by ``-1`` and apply the secondary rule.
    colour_modes : list of dict, optional
        Extra colour modes (e.g. isolation findings), offered before kind and domain.
    colour_by, size_by : str
        The colour mode and size measure the page opens with.
    aggregate_above : int, optional
        Open on districts above this many nodes (default :data:`AGGREGATE_ABOVE`).
    notes : dict, optional
        Node -> extra detail rows (``[key, value]``, ``[section]`` or ``[None, text]``).
    mark, edge_marks : dict, optional
        A highlighted kind of link (``{"label", "colour"}``) and which links are marked:
        (u, v) -> detail rows.
    legend : list of dict, optional
        Extra legend sections.
    extra_notes : list of str, optional
        Extra plain-text notes under the title.
    size_modes : list of dict, optional
        Extra size measures (``{"key", "label", "values"}``, one value per node).
    edge_notes : dict, optional
        (u, v) -> detail rows shown with the link (e.g. its feedback rating).
    """
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    district_codes, district_names, didx = districts(G, nodes)
    cols, lookup = node_columns(G, nodes, index, didx)
    columns = period_columns(G)
    home = cols["district"]
    mask = Mask(G, suppress_small)
    edges, peer_labels, flags, total, pair_cells = _edges(G, index, columns, mask, home)
    types = Counter(cols["type"])
    lookup.update(
        flags,
        districts=district_names,
        district_ids=district_codes,
        peer_kinds=peer_labels,
        types=[
            {"key": t, "label": TYPE_LABELS[t], "shape": SHAPES[t], "present": bool(types[k])}
            for k, t in enumerate(TYPES)
        ],
        any_inactive=any(
            t == 0 and not f & 1 for t, f in zip(cols["type"], cols["flags"], strict=True)
        ),
        any_mark=bool(edge_marks),
    )
    modes = list(colour_modes or [])
    modes.append(categorical_mode("kind", "Organisation kind", lookup.pop("kind_codes"), "kind"))
    modes.append(
        categorical_mode("domain", "Recovery domain", lookup.pop("domain_codes"), "domain")
    )
    keys = [m["key"] for m in modes]
    if colour_by not in keys:
        raise ValueError(f"colour_by must be one of {tuple(keys)}, not {colour_by!r}")
    extra_sizes = list(size_modes or [])
    size_modes = [
        {"key": "volume", "label": "Referral volume (in + out)"},
        {"key": "degree", "label": "Links (distinct partners shown)"},
        *extra_sizes,
    ]
    for attr in numeric_attributes(G):
        values = [G.nodes[n].get(attr) for n in nodes]
        size_modes.append(
            {
                "key": f"attr:{attr}",
                "label": text(attr).replace("_", " ").capitalize(),
                "values": [None if v is None else round_sig(float(v)) for v in values],
            }
        )
    size_keys = [m["key"] for m in size_modes]
    if size_by in [k.removeprefix("attr:") for k in size_keys] and size_by not in size_keys:
        size_by = f"attr:{size_by}"
    if size_by not in size_keys:
        raise ValueError(f"size_by must be one of {tuple(size_keys)}, not {size_by!r}")

    threshold = AGGREGATE_ABOVE if aggregate_above is None else aggregate_above
    aggregated = len(nodes) > threshold
    members: dict[int, list] = defaultdict(list)
    for n, d in zip(nodes, cols["district"], strict=True):
        members[d].append(n)
    block_links: Counter = Counter()
    for (a, b), cs in pair_cells.items():  # how many cells, not their counts: layout only
        if a != b:
            block_links[min(a, b), max(a, b)] += len(cs)
    for pair in G.graph.get("borders") or ():
        ends = sorted(didx[text(x)] for x in pair if text(x) in didx)
        if len(ends) == 2:
            block_links[tuple(ends)] += 1
    blocks = [[0.0, 0.0, 0.0] for _ in district_codes]
    aggregate = None
    if aggregated:
        radii = {d: block_radius(len(m)) for d, m in members.items()}
        for d, (x, y) in block_layout(radii, block_links).items():
            blocks[d] = [x, y, round(radii[d], 1)]
        flows = block_totals(pair_cells, mask)
        aggregate = {
            "expand_limit": EXPAND_LIMIT,
            "max_edges": MAX_AGGREGATE_LINES,
            "flows": [[a, b, v, s] for (a, b), (v, s) in flows.items()],
        }
    else:
        pos, centres, radii = member_layout(G, members, block_links)
        for d, (x, y) in centres.items():
            blocks[d] = [x, y, round(radii[d], 1)]
        cols["x"] = [pos[n][0] for n in nodes]
        cols["y"] = [pos[n][1] for n in nodes]

    marks: dict[int, int] = {}
    mark_notes: dict[int, list] = {}
    for e, (u, v) in enumerate(G.edges if edge_marks else ()):
        if (u, v) in edge_marks:
            marks[e] = 1
            mark_notes[e] = edge_marks[u, v]
    link_notes = {}
    for e, (u, v) in enumerate(G.edges if edge_notes else ()):
        if (u, v) in edge_notes:
            link_notes[e] = edge_notes[u, v]
    data = {
        "mode": "ecosystem",
        "periods": [text(p) for p in columns],
        "nodes": cols,
        "edges": edges,
        "lookup": lookup,
        "colour_modes": modes,
        "size_modes": size_modes,
        "defaults": {"colour": colour_by, "size": size_by},
        "blocks": blocks,
        "aggregate": aggregate,
        "notes": {index[n]: rows for n, rows in (notes or {}).items() if n in index},
        "edge_marks": marks,
        "mark": {**mark, "notes": mark_notes} if mark else None,
        "edge_notes": link_notes,
        "legend": legend or [],
    }
    controls = _controls(modes, size_modes, colour_by, size_by, columns, lookup)
    summary = [
        plural(types[0], "service"),
        plural(types[1], "group"),
        plural(types[2], "navigator"),
        links_label(link_counts(G)),
        f"{fmt_shown(total)} {REFERRALS}",
    ]
    notes_out = list(extra_notes or [])
    if aggregated:
        notes_out.append(
            f"{len(nodes):,} nodes: showing districts first (more than {threshold:,}); "
            "click a district to open it."
        )
    return ViewData(
        kind=kind,
        data=data,
        n_nodes=len(nodes),
        n_edges=G.number_of_edges(),
        summary=summary,
        controls=controls,
        periods=[text(p) for p in columns],
        notes=notes_out,
    )


def _controls(modes, size_modes, colour_by, size_by, columns, lookup) -> list[dict]:
    out = [
        {
            "id": "gv-colour",
            "label": "Colour by",
            "options": [[m["key"], m["heading"]] for m in modes],
            "value": colour_by,
        },
        {
            "id": "gv-size",
            "label": "Size by",
            "options": [[m["key"], m["label"]] for m in size_modes],
            "value": size_by,
        },
    ]
    if columns:
        out.append(
            {
                "id": "gv-period",
                "label": "Period",
                "options": [["", "All periods"]]
                + [[str(k), text(p)] for k, p in enumerate(columns)],
                "value": "",
            }
        )
    order = sorted(range(len(lookup["districts"])), key=lambda k: lookup["districts"][k].lower())
    out.append(
        {
            "id": "gv-district",
            "label": "District",
            "options": [["", "All districts"]] + [[str(k), lookup["districts"][k]] for k in order],
            "value": "",
        }
    )
    for key, heading, every in (
        ("kind", "Organisation kind", "All kinds"),
        ("domain", "Domain", "All domains"),
    ):
        labels = lookup[f"{key}s"]
        used = lookup.pop(f"{key}s_used")
        out.append(
            {
                "id": f"gv-{key}",
                "label": heading,
                "options": [["", every]] + [[str(k), labels[k]] for k in used],
                "value": "",
            }
        )
    return out
