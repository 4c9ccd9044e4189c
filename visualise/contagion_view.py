"""The contagion view: how recovery could spread peer to peer through the ecosystem.

Built on :func:`gridvoices.queries.contagion.report.contagion_report`:

* node colour: each node's activation probability (share of Monte Carlo runs in
  which it ends active), a sequential scale with a legend;
* the most probable pathways from the seeds into each organisation kind and
  district are highlighted links (with the pathway and its probability in the
  link's details);
* **Spread by step** (a slider): the model's steps. ``CascadeResult`` gives the
  *mean number of newly active nodes per step*, not a per-node step, so a node is
  shown at step ``t`` when it ends active in some run (probability > 0) and is at
  most ``t`` links from a seed (the earliest step at which it can activate); the
  legend gives the expected number active by step ``t`` (cumulative mean of
  ``steps``). The last position shows every node;
* suggested new links (:func:`gridvoices.queries.contagion.suggest_links`) are drawn dashed in
  their own colour, labelled "suggested", with the analysis's reason on hover.

Probabilities are model outputs, not counts; referral counts on links are
suppressed as in the other views (:mod:`gridvoices.visualise.counts`).
"""

from __future__ import annotations

from collections import deque

import networkx as nx
from gridvoices.ecosystem.privacy import suppression
from gridvoices.queries.contagion.report import contagion_report
from gridvoices.visualise.common import text
from gridvoices.visualise.compact import ecosystem_view
from gridvoices.visualise.page import ViewData

__all__ = ["build", "PATHWAY_COLOUR", "SUGGESTED_COLOUR", "SCALE_STOPS"]

PATHWAY_COLOUR = "#d6336c"
SUGGESTED_COLOUR = "#0ca678"
SCALE_STOPS = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"]
NEVER = "#dde2e7"


def _hops(G: nx.DiGraph, seeds: list) -> dict:
    """Node -> fewest links from any seed along the links' direction."""
    dist = {s: 0 for s in seeds if s in G}
    queue = deque(dist)
    while queue:
        u = queue.popleft()
        for v in G.successors(u):
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)
    return dist


def build(
    G: nx.DiGraph,
    *,
    suppress_small: bool = True,
    colour_by: str = "activation",
    size_by: str = "volume",
    model: str = "ic",
    runs: int = 1000,
    seed: int = 42,
    suggest: int = 3,
    aggregate_above: int | None = None,
) -> ViewData:
    """The contagion view's data.

    Parameters
    ----------
    G : networkx.DiGraph
        Graph from :func:`gridvoices.queries.graph.build_graph`.
    suppress_small : bool
        The disclosure rule (:mod:`gridvoices.visualise.counts`).
    colour_by : {"activation", "kind", "domain"}
        What the page colours nodes by first.
    size_by : str
        ``volume``, ``degree`` or a numeric node attribute.
    model, runs, seed, suggest : see :func:`gridvoices.queries.contagion.report.contagion_report`.
    aggregate_above : int, optional
        Open on districts above this many nodes.
    """
    with suppression(suppress_small):
        report = contagion_report(G, model=model, runs=runs, seed=seed, suggest=suggest)
    rows = {r["id"]: r for r in report["nodes"]}
    nodes = list(G.nodes)
    probs = [rows[n]["probability"] if n in rows else None for n in nodes]
    mode = {
        "key": "activation",
        "heading": "Activation probability",
        "type": "scale",
        "values": probs,
        "min": 0,
        "max": 1,
        "stops": SCALE_STOPS,
        "low": "Never active",
        "high": "Always active",
        "unknown": NEVER,
    }
    notes: dict = {}
    for n in nodes:
        r = rows.get(n)
        if r:
            notes[n] = [
                ["Contagion"],
                ["Activation probability", f"{r['probability']:.1%}"],
                [None, text(r["why"])],
            ]
    marks: dict = {}
    for p in [*report["pathways"], *report["district_pathways"]]:
        path = p.get("path") or []
        where = text(p.get("label") or p.get("kind") or p.get("district") or "")
        for u, v in zip(path, path[1:], strict=False):
            if G.has_edge(u, v):
                marks.setdefault((u, v), []).append(
                    [None, f"Likeliest pathway into {where} (p {p['probability']:.3f})"]
                )
    steps = report["steps"]
    hops = _hops(G, report["seeds"])
    last = max(len(steps) - 1, 0)
    step_of = [
        min(hops[n], last) if n in hops and (rows.get(n) or {}).get("probability", 0) > 0 else None
        for n in nodes
    ]
    cumulative, total = [], 0.0
    for s in steps:
        total += s
        cumulative.append(round(total, 2))
    suggested = []
    index = {n: i for i, n in enumerate(nodes)}
    for s in report["suggestions"]:
        if s["source"] in index and s["target"] in index:
            suggested.append(
                [
                    index[s["source"]],
                    index[s["target"]],
                    f"Suggested link {text(s['source_name'])} → {text(s['target_name'])}",
                    text(s["why"]),
                ]
            )
    legend = [
        {
            "title": "Contagion",
            "items": [
                {
                    "swatch": {"shape": "line", "colour": PATHWAY_COLOUR, "width": 5},
                    "label": "Likeliest pathway from the seeds",
                },
                {
                    "swatch": {"shape": "dashed", "colour": SUGGESTED_COLOUR},
                    "label": "Suggested new link",
                },
            ],
            "note": (
                f"{text(report['model']).upper()} model, {report['runs']} runs, seed "
                f"{report['seed']}; expected reach {report['expected_reach']:.1f} "
                f"of {report['nodes_total']} nodes."
            ),
        }
    ]
    view = ecosystem_view(
        "contagion",
        G,
        suppress_small=suppress_small,
        colour_modes=[mode],
        colour_by=colour_by,
        size_by=size_by,
        aggregate_above=aggregate_above,
        notes=notes,
        mark={"label": "Likeliest pathway from the seeds", "colour": PATHWAY_COLOUR},
        edge_marks=marks,
        legend=legend,
        extra_notes=[text(report["why"])],
    )
    view.data["spread"] = {
        "step": step_of,
        "cumulative": cumulative,
        "last": last,
        "suggested": suggested,
        "suggested_colour": SUGGESTED_COLOUR,
    }
    view.controls.append(
        {
            "id": "gv-step",
            "label": "Spread by step",
            "type": "range",
            "min": 0,
            "max": last + 1,
            "value": last + 1,
            "options": [],
        }
    )
    return view
