"""The isolation view: the network with isolated, dead-end and single-bridge services lit up.

Nodes are coloured by their most severe finding from
:func:`gridvoices.queries.isolation.flags.isolation` (kind and domain stay switchable); every
finding and its reason is in the node's details; links that are the only
connection between two parts (``bridge_link``) are drawn thick and orange.

The reasons are the analysis's own sentences, except where they quote a
referral total: those are re-worded with the total as the views show it
(:mod:`gridvoices.visualise.counts`), so the sentence cannot give back a hidden count.
"""

from __future__ import annotations

import re

import networkx as nx
from gridvoices.ecosystem.privacy import suppression
from gridvoices.queries.isolation.flags import isolation
from gridvoices.visualise.common import categorical_mode
from gridvoices.visualise.compact import ecosystem_view
from gridvoices.visualise.counts import (
    Mask,
    Shown,
    edge_cells,
    fmt_shown,
    period_columns,
    shown_sum,
)
from gridvoices.visualise.page import ViewData

__all__ = ["build", "FINDINGS", "FINDING_COLOURS", "BRIDGE_COLOUR"]

# Most severe first, as in queries.isolation.flags.FLAGS (bridge_link is a link, drawn separately).
FINDINGS: dict[str, str] = {
    "no_flows": "Isolated: no referral in or out",
    "detached": "Detached from the main network",
    "dead_end": "Dead end: receives, never refers on",
    "source_only": "Source only: refers, never receives",
    "single_bridge": "Single bridge: others depend on it",
    "no_peer_support": "No peer support nearby",
}
FINDING_COLOURS: dict[str, str] = {
    "no_flows": "#d62728",
    "detached": "#9467bd",
    "dead_end": "#ff7f0e",
    "source_only": "#bcbd22",
    "single_bridge": "#1f77b4",
    "no_peer_support": "#c5b0d5",
}
NO_FINDING = "#dde2e7"
BRIDGE_COLOUR = "#e8590c"
_REFERRALS_IN_BRACKETS = re.compile(r"\(([^()]*) referrals\)$")


def _cells(u, v, d: dict, columns: list[str], mask: Mask):
    return ((0, 1) if c < 0 else (c, 0) for c in mask.row(u, v, edge_cells(d, columns), columns))


def _volume(G, n, columns, mask: Mask, incoming: bool) -> Shown:
    edges = G.in_edges(n, data=True) if incoming else G.out_edges(n, data=True)
    return shown_sum(p for u, v, d in edges for p in _cells(u, v, d, columns, mask))


def _why(G, row: dict, columns: list[str], mask: Mask) -> str:
    flag, n = row["flag"], row["id"]
    if flag == "dead_end":
        received = fmt_shown(_volume(G, n, columns, mask, True))
        return f"receives {received} referrals but refers none on"
    if flag == "source_only":
        sent = fmt_shown(_volume(G, n, columns, mask, False))
        return f"refers {sent} on but receives none"
    return str(row["why"])


def _bridges(G, rows, columns, mask: Mask) -> dict:
    """(u, v) -> detail rows for every link that is a ``bridge_link`` (either direction)."""
    why = {str(r["id"]): str(r["why"]) for r in rows if r["flag"] == "bridge_link"}
    if not why:
        return {}
    ends: dict[str, list] = {}
    for u, v in G.edges:  # the finding's id is "a--b"; match it on the real node ids
        for key in (f"{u}--{v}", f"{v}--{u}"):
            if key in why:
                ends.setdefault(key, []).append((u, v))
    marks: dict = {}
    for key, pairs in ends.items():
        flows = shown_sum(p for u, v in pairs for p in _cells(u, v, G.edges[u, v], columns, mask))
        text = _REFERRALS_IN_BRACKETS.sub(f"({fmt_shown(flows)} referrals)", why[key])
        for pair in pairs:
            marks[pair] = [[None, f"Bridge link: {text}"]]
    return marks


def build(
    G: nx.DiGraph,
    *,
    suppress_small: bool = True,
    colour_by: str = "finding",
    size_by: str = "volume",
    peer_hops: int = 2,
    aggregate_above: int | None = None,
) -> ViewData:
    """The isolation view's data.

    Parameters
    ----------
    G : networkx.DiGraph
        Graph from :func:`gridvoices.queries.graph.build_graph`.
    suppress_small : bool
        The disclosure rule (:mod:`gridvoices.visualise.counts`).
    colour_by : {"finding", "kind", "domain"}
        What the page colours nodes by first.
    size_by : str
        ``volume``, ``degree`` or a numeric node attribute.
    peer_hops : int
        "No peer support" means no peer link within this many hops.
    aggregate_above : int, optional
        Open on districts above this many nodes.
    """
    with suppression(suppress_small):
        rows = isolation(G, k=peer_hops)
    columns = period_columns(G)
    mask = Mask(G, suppress_small)
    codes = list(FINDINGS)
    worst: dict = {}
    notes: dict = {}
    for row in rows:
        n = row["id"]
        if row["flag"] not in FINDINGS or n not in G:
            continue
        k = codes.index(row["flag"])
        worst[n] = min(worst.get(n, k), k)
        rows_n = notes.setdefault(n, [["Findings"]])
        rows_n.append([FINDINGS[row["flag"]], _why(G, row, columns, mask)])
    mode = categorical_mode("finding", "Isolation finding", codes, [worst.get(n, -1) for n in G])
    mode["labels"] = list(FINDINGS.values())
    mode["colours"] = [FINDING_COLOURS[c] for c in codes]
    mode["unknown"] = NO_FINDING
    mode["unknown_label"] = "No finding"
    marks = _bridges(G, rows, columns, mask)
    counts = {c: sum(1 for r in rows if r["flag"] == c) for c in (*codes, "bridge_link")}
    found = [f"{counts[c]} {c.replace('_', ' ')}" for c in (*codes, "bridge_link") if counts[c]]
    return ecosystem_view(
        "isolation",
        G,
        suppress_small=suppress_small,
        colour_modes=[mode],
        colour_by=colour_by,
        size_by=size_by,
        aggregate_above=aggregate_above,
        notes=notes,
        mark={
            "label": "Bridge link: the only connection between two parts",
            "colour": BRIDGE_COLOUR,
        },
        edge_marks=marks,
        extra_notes=[
            "Findings: "
            + (", ".join(found) if found else "none")
            + f" (no peer support: none within {peer_hops} hops)."
        ],
    )
