"""The interactive network view: one self-contained HTML file that opens offline.

:func:`write_network_view` turns the graph from :func:`queries.graph.build_graph`
into a single HTML page. pyvis assembles the vis-network nodes, edges and
options; the page itself comes from this module's template with the
vis-network script and stylesheet that pyvis ships inlined, so nothing is
fetched from a CDN (pyvis's own ``in_line`` template still links Bootstrap).

Safety of partner-supplied text (names, ids, district and organisation names):

* the legend and panels are rendered by Jinja2 with autoescaping on;
* node and edge data travel as JSON in a ``<script type="application/json">``
  block with ``<``, ``>`` and ``&`` written as ``\\u003c`` etc., so no value can
  close the tag;
* in the browser, tooltips and the detail panel are built as DOM elements
  whose text is set with ``textContent``; labels are drawn on the canvas as
  text. Nothing partner-supplied is ever assigned to ``innerHTML``;
* a Content-Security-Policy allows only the page's own scripts (by hash) and
  forbids every fetch.

Counts of 1-4 are shown as ``*`` (:func:`ecosystem.privacy.suppress`) in every
tooltip; node sizes and edge widths treat them as 5 so the drawing does not
reveal them either.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import jinja2
import networkx as nx
from markupsafe import Markup
from pyvis.network import Network

from ecosystem.privacy import suppress
from ecosystem.vocab import (
    CADENCES,
    CHIME,
    DOMAINS,
    FELLOWSHIPS,
    NAVIGATOR_ROLES,
    ORG_KINDS,
    PEER_LINK_KINDS,
    SUPPRESSION_THRESHOLD,
)
from visualise.html import content_security_policy, external_references, json_for_script, vis_assets

__all__ = [
    "write_network_view",
    "render_network_view",
    "COLOUR_BY",
    "KIND_COLOURS",
    "DOMAIN_COLOURS",
    "SHAPES",
    "LARGE_GRAPH",
    "ILLUSTRATIVE_BANNER",
]

DEFAULT_TITLE = "GRID Voices — recovery ecosystem"
ILLUSTRATIVE_BANNER = "Illustrative data — invented flows, not real figures"

# Above this many nodes positions are computed in Python and physics is off.
LARGE_GRAPH = 1000
LAYOUT_SEED = 42
STABILISATION_ITERATIONS = 150
# vis-network barnesHut settings for small graphs (spread enough for labels to be read).
BARNES_HUT = {
    "gravitationalConstant": -12000,
    "centralGravity": 0.6,
    "springLength": 170,
    "springConstant": 0.025,
    "damping": 0.3,
    "avoidOverlap": 0.6,
}

COLOUR_BY = ("kind", "domain")

# Tableau-10 style colours, distinguishable on white and for most colour-blind readers.
KIND_COLOURS: dict[str, str] = {
    "treatment": "#4e79a7",
    "mutual_aid": "#59a14f",
    "community": "#f28e2b",
    "council": "#76b7b2",
    "nhs": "#e15759",
    "housing": "#edc948",
    "employment": "#b07aa1",
    "education": "#ff9da7",
    "criminal_justice": "#9c755f",
    "other": "#bab0ac",
}
DOMAIN_COLOURS: dict[str, str] = {
    "twelve_step": "#59a14f",
    "peer_mutual_aid": "#8cd17d",
    "recovery_coaching": "#f28e2b",
    "activities": "#edc948",
    "volunteering": "#b07aa1",
    "linkage": "#76b7b2",
    "growth_pathways": "#ff9da7",
    "specialist_treatment": "#4e79a7",
    "wraparound": "#9c755f",
}
UNKNOWN_COLOUR = "#8d99a6"
EXTRA_COLOURS = ("#d37295", "#499894", "#86bcb6", "#f1ce63", "#a0cbe8", "#ffbe7d")

SHAPES: dict[str, str] = {"Service": "dot", "Group": "triangle", "Navigator": "diamond"}
TYPE_LABELS: dict[str, str] = {
    "Service": "Service",
    "Group": "Mutual-aid group",
    "Navigator": "Navigator / peer mentor",
}

INACTIVE = {"background": "#eef0f2", "border": "#9aa5b1", "font": "#7b8794"}
REFERRAL_COLOUR = "#52606d"
PEER_COLOUR = "#8e44ad"
OTHER_EDGE_COLOUR = "#b8c2cc"
HIGHLIGHT = "#1f2933"

MIN_NODE, MAX_NODE = 10.0, 42.0
MIN_EDGE, MAX_EDGE = 1.0, 8.0

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def _text(value) -> str:
    """A partner-supplied value as one line of plain text (escaping happens on output)."""
    return _CONTROL.sub(" ", "" if value is None else str(value)).strip()


def _label(vocab: dict[str, str], code) -> str:
    if code is None or code == "":
        return "Unknown"
    return vocab.get(code, _text(code))


def _yes_no(value) -> str:
    return "Yes" if value else "No"


def _shade(colour: str, factor: float) -> str:
    """Darken (factor < 1) or lighten (factor > 1) a ``#rrggbb`` colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    if factor <= 1:
        r, g, b = (round(c * factor) for c in (r, g, b))
    else:
        r, g, b = (round(c + (255 - c) * (factor - 1)) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _vis_id(node):
    if isinstance(node, str) or (isinstance(node, int) and not isinstance(node, bool)):
        return node
    return str(node)


def _periods_label(periods: list[str]) -> str:
    if not periods:
        return "no referral periods"
    if len(periods) <= 4:
        return ", ".join(periods)
    return f"{periods[0]} to {periods[-1]} ({len(periods)} periods)"


def _plural(count, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _scaled(value: float, top: float, low: float, high: float) -> float:
    if top <= 0 or value <= 0:
        return low
    return round(low + (high - low) * math.sqrt(min(value, top) / top), 2)


def _visible_volume(count: int, suppress_small: bool) -> int:
    """The volume used for drawing: suppressed counts are drawn like the threshold."""
    if suppress_small and 0 < count < SUPPRESSION_THRESHOLD:
        return SUPPRESSION_THRESHOLD
    return count


class _Palette:
    """Colour per category code, vocabulary order first, then first-seen extras."""

    def __init__(self, colour_by: str):
        self.colour_by = colour_by
        self.fixed = KIND_COLOURS if colour_by == "kind" else DOMAIN_COLOURS
        self.vocab = ORG_KINDS if colour_by == "kind" else DOMAINS
        self.extra: dict[str, str] = {}
        self.used: set = set()

    def code(self, data: dict):
        return data.get("org_kind") if self.colour_by == "kind" else data.get("domain")

    def colour(self, code) -> str:
        self.used.add(code)
        if code is None or code == "":
            return UNKNOWN_COLOUR
        if code in self.fixed:
            return self.fixed[code]
        if code not in self.extra:
            self.extra[code] = EXTRA_COLOURS[len(self.extra) % len(EXTRA_COLOURS)]
        return self.extra[code]

    def legend(self) -> list[dict]:
        items = [
            {"label": self.vocab[c], "colour": self.fixed[c]} for c in self.fixed if c in self.used
        ]
        items += [{"label": _label(self.vocab, c), "colour": col} for c, col in self.extra.items()]
        if None in self.used or "" in self.used:
            items.append({"label": "Unknown", "colour": UNKNOWN_COLOUR})
        return items


class _IdIndex(list):
    """pyvis keeps node ids in a list and tests membership per edge; index it by a set."""

    def __init__(self):
        super().__init__()
        self._seen: set = set()

    def append(self, item):
        self._seen.add(item)
        super().append(item)

    def __contains__(self, item):
        return item in self._seen


def _spring(G: nx.DiGraph, scale: float, center=(0.0, 0.0)) -> dict:
    iterations = 50 if G.number_of_nodes() < 500 else 20
    return nx.spring_layout(
        G, seed=LAYOUT_SEED, scale=scale, center=center, iterations=iterations, weight=None
    )


def _district_layout(G: nx.DiGraph) -> dict:
    """Seeded spring layouts per district, placed apart by a layout of the districts.

    Used for large graphs: one spring layout over thousands of nodes takes
    minutes, many small ones take seconds, and the clusters show the districts.
    """
    members: dict[str, list] = {}
    for node, data in G.nodes(data=True):
        members.setdefault(_text(data.get("district")), []).append(node)
    keys = sorted(members)
    where = {node: key for key, nodes in members.items() for node in nodes}
    D = nx.Graph()
    D.add_nodes_from(keys)
    for u, v, d in G.edges(data=True):
        a, b = where[u], where[v]
        if a != b:
            w = D.get_edge_data(a, b, {}).get("weight", 0)
            D.add_edge(a, b, weight=w + 1 + int(d.get("referrals") or 0))
    for pair in G.graph.get("borders") or ():
        ends = sorted(_text(x) for x in pair)
        if len(ends) == 2 and all(e in members for e in ends) and not D.has_edge(*ends):
            D.add_edge(*ends, weight=1)
    radius = {k: 40.0 + 26.0 * math.sqrt(len(members[k])) for k in keys}
    if len(keys) == 1:
        centres = {keys[0]: (0.0, 0.0)}
    else:
        raw = nx.spring_layout(D, seed=LAYOUT_SEED, weight="weight")
        factor = 1.0
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                gap = math.dist(raw[a], raw[b]) or 1e-6
                factor = max(factor, 1.1 * (radius[a] + radius[b]) / gap)
        centres = {k: (float(raw[k][0]) * factor, float(raw[k][1]) * factor) for k in keys}
    pos: dict = {}
    for k in keys:
        pos.update(_spring(G.subgraph(members[k]), radius[k], centres[k]))
    return pos


def _positions(G: nx.DiGraph) -> dict:
    """Deterministic starting (small graphs) or final (large graphs) positions."""
    n = G.number_of_nodes()
    if n == 0:
        return {}
    if n > LARGE_GRAPH:
        pos = _district_layout(G)
    else:
        pos = _spring(G, 120.0 + 55.0 * math.sqrt(n))
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in pos.items()}


def _node_rows(G, node, data, vol_in, vol_out, suppress_small) -> tuple[str, list[tuple]]:
    """The tooltip heading and its (key, value) rows for one node."""
    graph_districts = G.graph.get("districts") or {}
    orgs = G.graph.get("organisations") or {}
    kind = data.get("type")
    name = _text(data.get("name")) or _text(node)
    rows: list[tuple] = []
    if kind == "Group":
        fellowship = data.get("fellowship")
        rows.append(("Type", f"{TYPE_LABELS['Group']} ({_label(FELLOWSHIPS, fellowship)})"))
    elif kind == "Navigator":
        rows.append(("Type", f"Navigator ({_label(NAVIGATOR_ROLES, data.get('role'))})"))
    else:
        rows.append(("Type", TYPE_LABELS.get(kind, _text(kind) or "Unknown")))
    rows.append(("ID", _text(node)))
    org = data.get("organisation")
    if org is not None:
        rows.append(("Organisation", _text((orgs.get(org) or {}).get("name") or org)))
    rows.append(("Organisation kind", _label(ORG_KINDS, data.get("org_kind"))))
    districts = list(data.get("districts") or ([data["district"]] if data.get("district") else []))
    names = [_text((graph_districts.get(d) or {}).get("name") or d) for d in districts]
    rows.append(("District" if len(names) <= 1 else "Districts", ", ".join(names) or "Unknown"))
    rows.append(("Domain", _label(DOMAINS, data.get("domain"))))
    if kind == "Service" or data.get("chime"):
        chime = ", ".join(_label(CHIME, c) for c in data.get("chime") or []) or "none recorded"
        rows.append(("CHIME", chime))
    if kind == "Group" and data.get("cadence"):
        rows.append(("Meets", _label(CADENCES, data.get("cadence"))))
    if kind == "Navigator" and data.get("based_at") is not None:
        base = data["based_at"]
        base_name = G.nodes[base].get("name") if base in G else None
        rows.append(("Based at", _text(base_name or base)))
    rows.append(("Lived-experience led", _yes_no(data.get("lived_experience_led"))))
    rows.append(("Active", _yes_no(data.get("active", True))))
    rows.append(("Referrals in", str(suppress(vol_in, enabled=suppress_small))))
    rows.append(("Referrals out", str(suppress(vol_out, enabled=suppress_small))))
    return name, rows


def _edge_rows(G, u, v, data, periods, suppress_small) -> tuple[str, list[tuple]]:
    def name(n):
        return _text(G.nodes[n].get("name")) or _text(n)

    heading = f"{name(u)} → {name(v)}"
    rows: list[tuple] = []
    total = int(data.get("referrals") or 0)
    by_period = data.get("by_period") or {}
    if total > 0:
        rows.append(("Referrals by period",))
        shown = list(periods) or sorted(by_period)
        shown += sorted(p for p in by_period if p not in set(shown))
        for period in shown:
            count = int(by_period.get(period) or 0)
            rows.append((_text(period), str(suppress(count, enabled=suppress_small))))
        rows.append(("Total referrals", str(suppress(total, enabled=suppress_small))))
        if data.get("accepted") is not None:
            accepted = int(data["accepted"])
            rows.append(("Accepted", str(suppress(accepted, enabled=suppress_small))))
    else:
        rows.append(("Referrals", "none in the chosen periods"))
    if data.get("peer_kind") is not None:
        link = _label(PEER_LINK_KINDS, data.get("peer_kind"))
        strength = data.get("strength")
        if strength is not None:
            link = f"{link} (strength {float(strength):g})"
        rows.append(("Peer link", link))
    return heading, rows


def _title(heading: str, rows: Iterable[tuple]) -> str:
    """Plain-text tooltip: heading line, then ``key: value`` lines or section lines.

    The page's script turns this into DOM nodes with ``textContent``.
    """
    lines = [heading]
    for row in rows:
        lines.append(row[0] if len(row) == 1 else f"{row[0]}: {row[1]}")
    return "\n".join(lines)


def _build(G: nx.DiGraph, colour_by: str, suppress_small: bool):
    n = G.number_of_nodes()
    large = n > LARGE_GRAPH
    palette = _Palette(colour_by)
    vol_in = dict.fromkeys(G.nodes, 0)
    vol_out = dict.fromkeys(G.nodes, 0)
    for u, v, d in G.edges(data=True):
        r = int(d.get("referrals") or 0)
        vol_out[u] += r
        vol_in[v] += r
    top_node = max((_visible_volume(vol_in[x] + vol_out[x], suppress_small) for x in G), default=0)
    edge_volumes = (int(d.get("referrals") or 0) for *_, d in G.edges(data=True))
    top_edge = max((_visible_volume(r, suppress_small) for r in edge_volumes), default=0)
    pos = _positions(G)
    ids = {node: _vis_id(node) for node in G}

    net = Network(
        height="100%", width="100%", directed=True, cdn_resources="in_line", bgcolor="#ffffff"
    )
    net.node_ids = _IdIndex()
    types_used: set = set()
    any_inactive = False
    district_ids: set = set()
    for node, data in G.nodes(data=True):
        kind = data.get("type")
        types_used.add(kind if kind in SHAPES else "Service")
        heading, rows = _node_rows(G, node, data, vol_in[node], vol_out[node], suppress_small)
        fill = palette.colour(palette.code(data))
        active = data.get("active", True) is not False
        districts = [_text(d) for d in data.get("districts") or [] if d is not None]
        if not districts and data.get("district") is not None:
            districts = [_text(data["district"])]
        district_ids.update(districts)
        options = {
            "title": _title(heading, rows),
            "size": _scaled(
                _visible_volume(vol_in[node] + vol_out[node], suppress_small),
                top_node,
                MIN_NODE,
                MAX_NODE,
            ),
            "districts": districts,
            "nodeType": _text(kind),
        }
        if kind != "Service" or active:
            colour = {
                "background": fill,
                "border": _shade(fill, 0.7),
                "highlight": {"background": _shade(fill, 1.25), "border": HIGHLIGHT},
                "hover": {"background": _shade(fill, 1.25), "border": HIGHLIGHT},
            }
        else:
            any_inactive = True
            colour = {
                "background": INACTIVE["background"],
                "border": INACTIVE["border"],
                "highlight": {"background": INACTIVE["background"], "border": HIGHLIGHT},
                "hover": {"background": INACTIVE["background"], "border": HIGHLIGHT},
            }
            options["shapeProperties"] = {"borderDashes": [4, 3]}
            options["font"] = {"color": INACTIVE["font"]}
            options["borderWidth"] = 2
        if node in pos:
            options["x"], options["y"] = pos[node]
        net.add_node(
            ids[node],
            label=heading,
            shape=SHAPES.get(kind, "dot"),
            color=colour,
            **options,
        )

    periods = list(G.graph.get("periods") or [])
    edge_kinds: set = set()
    for i, (u, v, d) in enumerate(G.edges(data=True)):
        heading, rows = _edge_rows(G, u, v, d, periods, suppress_small)
        total = int(d.get("referrals") or 0)
        options = {"id": f"e{i}", "title": _title(heading, rows)}
        if total > 0:
            edge_kinds.add("referral")
            options["width"] = _scaled(
                _visible_volume(total, suppress_small), top_edge, MIN_EDGE + 0.5, MAX_EDGE
            )
            options["color"] = {
                "color": REFERRAL_COLOUR,
                "highlight": HIGHLIGHT,
                "hover": HIGHLIGHT,
                "opacity": 0.7,
            }
            options["arrows"] = {"to": {"enabled": True, "scaleFactor": 0.55}}
        elif d.get("peer_kind") is not None:
            edge_kinds.add("peer")
            options["width"] = 1.5
            options["dashes"] = [6, 4]
            options["color"] = dict.fromkeys(("color", "highlight", "hover"), PEER_COLOUR)
            options["arrows"] = {"to": {"enabled": True, "scaleFactor": 0.4}}
        else:
            edge_kinds.add("other")
            options["width"] = 1
            options["dashes"] = [2, 4]
            options["color"] = {"color": OTHER_EDGE_COLOUR}
        if u != v and G.has_edge(v, u):
            options["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.18}
        net.add_edge(ids[u], ids[v], **options)

    net.options = {
        "autoResize": True,
        "nodes": {
            "borderWidth": 1.5,
            "font": {
                "size": 14,
                "face": "system-ui, -apple-system, 'Segoe UI', sans-serif",
                "color": "#1f2933",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
                "multi": False,  # labels are plain canvas text, never parsed as markup
            },
            "widthConstraint": {"maximum": 170},
        },
        "edges": {
            "smooth": False,
            "arrowStrikethrough": False,
            "selectionWidth": 1.5,
            "hoverWidth": 0.5,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": large,
            "keyboard": False,
        },
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": False},
        "physics": {
            "enabled": not large and n > 0,
            "solver": "barnesHut",
            "barnesHut": dict(BARNES_HUT),
            "stabilization": {
                "enabled": True,
                "iterations": STABILISATION_ITERATIONS,
                "updateInterval": 25,
                "fit": True,
            },
        },
    }
    nodes, edges, _heading, _height, _width, options_json = net.get_network_data()

    types = Counter(d.get("type") for _, d in G.nodes(data=True))
    total_referrals = suppress(
        sum(int(d.get("referrals") or 0) for *_, d in G.edges(data=True)), enabled=suppress_small
    )
    names = {d: _text(v.get("name")) for d, v in (G.graph.get("districts") or {}).items()}
    district_list = sorted(
        ({"id": d, "name": names.get(d) or d} for d in district_ids),
        key=lambda x: (x["name"].lower(), x["id"]),
    )
    legend = {
        "colour_heading": "Organisation kind" if colour_by == "kind" else "Recovery domain",
        "colours": palette.legend(),
        "shapes": [
            {"shape": SHAPES[t], "label": TYPE_LABELS[t]} for t in SHAPES if t in types_used
        ],
        "edges": [k for k in ("referral", "peer", "other") if k in edge_kinds],
        "inactive": any_inactive,
        "districts": district_list,
        "summary": [
            _plural(types["Service"], "service"),
            _plural(types["Group"], "group"),
            _plural(types["Navigator"], "navigator"),
            _plural(G.number_of_edges(), "link"),
            _plural(total_referrals, "referral"),
        ],
    }
    return nodes, edges, options_json, legend, periods


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<style>
html, body { margin: 0; height: 100%; font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1f2933; background: #ffffff; }
#gv-network { position: fixed; inset: 0; }
@media (min-width: 900px) { #gv-network { left: 320px; } }
.gv-panel { position: fixed; background: rgba(255,255,255,0.94); border: 1px solid #cbd2d9;
  border-radius: 8px; box-shadow: 0 2px 10px rgba(31,41,51,0.12); font-size: 13px; z-index: 5; }
#gv-legend { top: 12px; left: 12px; width: 280px; max-height: calc(100% - 24px); overflow: auto;
  padding: 10px 14px; }
#gv-legend h1 { font-size: 17px; margin: 0 0 4px; line-height: 1.25; }
#gv-legend h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #52606d;
  margin: 12px 0 4px; }
#gv-legend p { margin: 2px 0; color: #3e4c59; }
#gv-legend ul { list-style: none; margin: 0; padding: 0; }
#gv-legend li { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
#gv-legend svg { flex: none; }
.gv-swatch { width: 14px; height: 14px; border-radius: 50%; flex: none;
  border: 1px solid rgba(0,0,0,0.25); }
.gv-note { font-size: 12px; color: #52606d; }
.gv-warn { color: #9b1c1c; font-weight: 600; }
#gv-legend select { width: 100%; font: inherit; padding: 3px; margin-top: 2px; }
#gv-banner { position: fixed; top: 12px; left: 50%; transform: translateX(-50%); z-index: 6;
  background: #fff3c4; color: #7c5e10; border: 1px solid #e9b949; border-radius: 6px;
  padding: 6px 14px; font-weight: 600; font-size: 14px; box-shadow: 0 2px 6px rgba(0,0,0,0.1); }
#gv-detail { right: 12px; bottom: 12px; width: 320px; max-height: 45%; overflow: auto;
  padding: 10px 14px; }
#gv-detail[hidden] { display: none; }
#gv-detail button { float: right; border: 0; background: none; font-size: 18px; cursor: pointer;
  line-height: 1; color: #52606d; }
div.vis-tooltip { white-space: normal; font-family: inherit; font-size: 12px; padding: 8px 10px;
  background: #ffffff; border: 1px solid #cbd2d9; border-radius: 6px; color: #1f2933;
  box-shadow: 0 2px 8px rgba(31,41,51,0.15); max-width: 360px; }
.gv-tip-title { font-weight: 600; font-size: 13px; margin-bottom: 4px; overflow-wrap: anywhere; }
.gv-tip table { border-collapse: collapse; }
.gv-tip th, .gv-tip td { text-align: left; vertical-align: top; padding: 1px 8px 1px 0;
  overflow-wrap: anywhere; }
.gv-tip th { font-weight: 500; color: #52606d; white-space: nowrap; }
.gv-tip th.gv-tip-section { padding-top: 5px; color: #1f2933; font-weight: 600; }
</style>
</head>
<body>
<div id="gv-network" data-nodes="{{ n_nodes }}" data-edges="{{ n_edges }}" data-ready="false"
  data-colour-by="{{ colour_by }}" role="img" aria-label="{{ title }}: network diagram"></div>
{% if illustrative %}<div id="gv-banner" role="note">{{ banner }}</div>{% endif %}
<aside id="gv-legend" class="gv-panel" aria-label="Legend">
  <h1>{{ title }}</h1>
  {% if illustrative %}<p class="gv-warn">{{ banner }}</p>{% endif %}
  <p><strong>Periods:</strong> {{ periods_label }}</p>
  <p><strong>Source:</strong> {{ source or "not stated" }}</p>
  <p class="gv-note">{{ legend.summary | join(" · ") }}</p>
  {% if suppress_small %}
  <p class="gv-note">Counts of 1–{{ threshold - 1 }} are shown as *.</p>
  {% else %}
  <p class="gv-note gv-warn">Small counts are NOT suppressed: do not publish.</p>
  {% endif %}
  <h2>Colour: {{ legend.colour_heading }}</h2>
  <ul>
  {% for item in legend.colours %}
    <li><span class="gv-swatch" style="background: {{ item.colour }}"></span>{{ item.label }}</li>
  {% endfor %}
  {% if legend.inactive %}
    <li><svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true"><circle cx="7" cy="7"
      r="6" fill="#eef0f2" stroke="#9aa5b1" stroke-width="1.5" stroke-dasharray="3 2"/></svg>
      Inactive service</li>
  {% endif %}
  </ul>
  <h2>Shape: type</h2>
  <ul>
  {% for item in legend.shapes %}
    <li><svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
    {%- if item.shape == "dot" %}<circle cx="7" cy="7" r="6" fill="#9aa5b1"/>
    {%- elif item.shape == "triangle" %}<polygon points="7,1 13,13 1,13" fill="#9aa5b1"/>
    {%- else %}<polygon points="7,0 14,7 7,14 0,7" fill="#9aa5b1"/>{% endif -%}
    </svg>{{ item.label }}</li>
  {% endfor %}
  </ul>
  <p class="gv-note">Size: referrals in + out.</p>
  {% if legend.edges %}
  <h2>Links</h2>
  <ul>
  {% if "referral" in legend.edges %}
    <li><svg width="34" height="10" viewBox="0 0 34 10" aria-hidden="true"><line x1="1" y1="5"
      x2="26" y2="5" stroke="{{ referral_colour }}" stroke-width="3"/><polygon
      points="24,0 33,5 24,10" fill="{{ referral_colour }}"/></svg>Referrals (width: volume)</li>
  {% endif %}
  {% if "peer" in legend.edges %}
    <li><svg width="34" height="10" viewBox="0 0 34 10" aria-hidden="true"><line x1="1" y1="5"
      x2="27" y2="5" stroke="{{ peer_colour }}" stroke-width="1.5" stroke-dasharray="5 3"/><polygon
      points="26,1 33,5 26,9" fill="{{ peer_colour }}"/></svg>Peer link (no referrals)</li>
  {% endif %}
  {% if "other" in legend.edges %}
    <li><svg width="34" height="10" viewBox="0 0 34 10" aria-hidden="true"><line x1="1" y1="5"
      x2="33" y2="5" stroke="{{ other_colour }}" stroke-width="1" stroke-dasharray="2 3"/></svg>
      Link without referrals</li>
  {% endif %}
  </ul>
  {% endif %}
  {% if legend.districts %}
  <h2><label for="gv-district">District</label></h2>
  <select id="gv-district">
    <option value="">All districts</option>
    {% for d in legend.districts %}<option value="{{ d.id }}">{{ d.name }}</option>
    {% endfor %}
  </select>
  {% endif %}
  <p class="gv-note">Hover for details, click to pin, scroll to zoom.</p>
</aside>
<aside id="gv-detail" class="gv-panel" aria-live="polite" hidden>
  <button type="button" id="gv-detail-close" aria-label="Close">×</button>
  <div id="gv-detail-body"></div>
</aside>
<script type="application/json" id="gv-data">{{ data_json }}</script>
<script>{{ vis_js }}</script>
<script>{{ app_js }}</script>
</body>
</html>
"""

# Static: never interpolated, so its CSP hash only changes when this text does.
_APP_JS = """
(function () {
  "use strict";
  var root = document.getElementById("gv-network");
  var raw = JSON.parse(document.getElementById("gv-data").textContent);

  // Tooltip text -> DOM. Every partner string goes through textContent, never innerHTML.
  function tooltip(text) {
    var lines = String(text).split("\\n");
    var box = document.createElement("div");
    box.className = "gv-tip";
    var head = document.createElement("div");
    head.className = "gv-tip-title";
    head.textContent = lines[0];
    box.appendChild(head);
    var table = document.createElement("table");
    for (var i = 1; i < lines.length; i++) {
      var line = lines[i];
      var cut = line.indexOf(": ");
      var row = document.createElement("tr");
      if (cut < 0) {
        var section = document.createElement("th");
        section.colSpan = 2;
        section.className = "gv-tip-section";
        section.textContent = line;
        row.appendChild(section);
      } else {
        var key = document.createElement("th");
        key.textContent = line.slice(0, cut);
        var value = document.createElement("td");
        value.textContent = line.slice(cut + 2);
        row.appendChild(key);
        row.appendChild(value);
      }
      table.appendChild(row);
    }
    box.appendChild(table);
    return box;
  }

  var texts = {nodes: {}, edges: {}};
  raw.nodes.forEach(function (n) { texts.nodes[n.id] = n.title; n.title = tooltip(n.title); });
  raw.edges.forEach(function (e) { texts.edges[e.id] = e.title; e.title = tooltip(e.title); });
  var nodes = new vis.DataSet(raw.nodes);
  var edges = new vis.DataSet(raw.edges);
  var network = new vis.Network(root, {nodes: nodes, edges: edges}, raw.options);
  window.network = network;
  window.gridVoices = {nodes: nodes, edges: edges, texts: texts};

  var settled = !(raw.options.physics && raw.options.physics.enabled);
  function markReady() {
    if (settled && root.getAttribute("data-ready") !== "true") {
      root.setAttribute("data-ready", "true");
    }
  }
  network.on("afterDrawing", markReady);
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: {enabled: false}});
    settled = true;
    network.fit({animation: false});
  });
  if (settled) {
    network.fit({animation: false});
  }

  var detail = document.getElementById("gv-detail");
  var detailBody = document.getElementById("gv-detail-body");
  function showDetail(text) {
    while (detailBody.firstChild) { detailBody.removeChild(detailBody.firstChild); }
    detailBody.appendChild(tooltip(text));
    detail.hidden = false;
  }
  network.on("click", function (params) {
    if (params.nodes.length) {
      showDetail(texts.nodes[params.nodes[0]]);
    } else if (params.edges.length) {
      showDetail(texts.edges[params.edges[0]]);
    } else {
      detail.hidden = true;
    }
  });
  document.getElementById("gv-detail-close").addEventListener("click", function () {
    detail.hidden = true;
    network.unselectAll();
  });

  var picker = document.getElementById("gv-district");
  if (picker) {
    picker.addEventListener("change", function () {
      var wanted = picker.value;
      var visible = {};
      var nodeUpdates = nodes.map(function (n) {
        var show = !wanted || (n.districts || []).indexOf(wanted) >= 0;
        visible[n.id] = show;
        return {id: n.id, hidden: !show};
      });
      nodes.update(nodeUpdates);
      edges.update(edges.map(function (e) {
        return {id: e.id, hidden: !(visible[e.from] && visible[e.to])};
      }));
      network.fit({animation: false});
    });
  }
})();
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def render_network_view(
    G: nx.DiGraph,
    *,
    title: str = DEFAULT_TITLE,
    colour_by: str = "kind",
    suppress_small: bool = True,
    illustrative: bool = False,
    source: str = "",
    periods_label: str = "",
) -> str:
    """The page :func:`write_network_view` writes, as a string."""
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by must be one of {COLOUR_BY}, not {colour_by!r}")
    nodes, edges, options_json, legend, periods = _build(G, colour_by, suppress_small)
    payload = {"nodes": nodes, "edges": edges, "options": json.loads(options_json)}
    data_json = json_for_script(payload)
    vis_js, vis_css = vis_assets()
    page = _ENV.from_string(_PAGE).render(
        csp=content_security_policy(vis_js, _APP_JS),
        title=_text(title) or DEFAULT_TITLE,
        banner=ILLUSTRATIVE_BANNER,
        illustrative=illustrative,
        periods_label=_text(periods_label) or _periods_label(periods),
        source=_text(source),
        suppress_small=suppress_small,
        threshold=SUPPRESSION_THRESHOLD,
        colour_by=colour_by,
        legend=legend,
        n_nodes=G.number_of_nodes(),
        n_edges=G.number_of_edges(),
        referral_colour=REFERRAL_COLOUR,
        peer_colour=PEER_COLOUR,
        other_colour=OTHER_EDGE_COLOUR,
        vis_css=Markup(vis_css),
        vis_js=Markup(vis_js),
        app_js=Markup(_APP_JS),
        data_json=Markup(data_json),
    )
    leaks = external_references(page)
    if leaks:  # pragma: no cover - guards the template against regressions
        raise RuntimeError(f"network view would fetch external resources: {leaks}")
    return page


def write_network_view(
    G: nx.DiGraph,
    path: str | Path,
    *,
    title: str = DEFAULT_TITLE,
    colour_by: str = "kind",
    suppress_small: bool = True,
    illustrative: bool = False,
    source: str = "",
    periods_label: str = "",
) -> Path:
    """Write an interactive, self-contained HTML view of the ecosystem graph.

    The file opens offline (vis-network is inlined; nothing is fetched) and
    is the same bytes for the same graph and arguments.

    Parameters
    ----------
    G : networkx.DiGraph
        Graph from :func:`queries.graph.build_graph`.
    path : str or Path
        File to write; parent folders are created.
    title : str
        Page and legend title.
    colour_by : {"kind", "domain"}
        Colour nodes by organisation kind (groups count as mutual aid) or by
        recovery domain.
    suppress_small : bool
        Show counts of 1-4 as ``*`` (the disclosure rule). Only turn off for
        internal checking; the legend then warns not to publish.
    illustrative : bool
        Show the "Illustrative data" banner.
    source : str
        Data source shown in the legend.
    periods_label : str
        Periods shown in the legend (default: from ``G.graph["periods"]``).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("s1", type="Service", name="Hub", active=True)
    >>> out = write_network_view(G, Path(tempfile.mkdtemp()) / "net.html")
    >>> 'data-nodes="1"' in out.read_text(encoding="utf-8")
    True
    """
    page = render_network_view(
        G,
        title=title,
        colour_by=colour_by,
        suppress_small=suppress_small,
        illustrative=illustrative,
        source=source,
        periods_label=periods_label,
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8", newline="\n")
    return out
