"""The map view: services and groups where they are, districts, referral flows and barriers.

``gridvoices view map`` writes one self-contained page (Leaflet, vendored, inlined; no tile
server unless ``tiles`` names one). Layers, each switchable in the page:

* **districts**, shaded by recovery index band, coverage gaps or feedback
  (:mod:`gridvoices.visualise.map_layers`), drawn from a boundary file, or as a labelled
  schematic (hulls of their services, or ODI HexJSON hexes: :mod:`gridvoices.visualise.map_geo`);
* **services and groups** as points coloured by domain and sized by referral volume
  (per period, counts of 1-4 hidden as in every view), drawn on one canvas and binned into
  clusters when many are in sight, so 50,000 points stay fast;
* **referral flows** between districts as curved arcs, width by volume, coloured by
  permeability, with missing links between bordering districts dashed — the barriers view's
  links (:func:`gridvoices.visualise.barriers_view.build`), so counts and flags agree; a pinned
  service shows its own referral arcs;
* **navigators and peer links** (off at first).

Without coordinates (or with ``layout="hex"``) districts are hexes on a plane and each
district's services are placed inside its hex: the page says the map is schematic.
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
from gridvoices.ecosystem.shipped import DERBYSHIRE
from gridvoices.ecosystem.vocab import DOMAINS, ORG_KINDS
from gridvoices.visualise import map_geo
from gridvoices.visualise.common import (
    DOMAIN_COLOURS,
    KIND_COLOURS,
    UNKNOWN_COLOUR,
    flows_notice,
    plural,
    text,
)
from gridvoices.visualise.counts import (
    HIDDEN,
    Mask,
    edge_cells,
    period_columns,
)
from gridvoices.visualise.map_layers import district_flows, district_shades
from gridvoices.visualise.page import ViewData

__all__ = ["build", "LAYOUTS", "SHIPPED_HEXJSON", "POINT_TYPES"]

LAYOUTS = ("auto", "geo", "hex")
SHIPPED_HEXJSON = (DERBYSHIRE / "districts.hexjson",)
POINT_TYPES = ("Service", "Group")
_SPREAD = 0.22  # hex radius share between members placed inside a hex (schematic layout)


def _shipped_hexjson(codes: list) -> dict | None:
    for path in SHIPPED_HEXJSON:
        doc = map_geo.load_hexjson(path)
        if all(c in doc["hexes"] for c in codes):
            return doc
    return None


def _tiles(url: str | None) -> str | None:
    if url is None:
        return None
    if not url.startswith("https://") or not all(k in url for k in ("{z}", "{x}", "{y}")):
        raise ValueError("tiles must be an https:// URL template with {z}, {x} and {y}")
    return url


def build(
    G: nx.DiGraph,
    *,
    suppress_small: bool = True,
    boundaries: str | Path | None = None,
    layout: str = "auto",
    hexjson: str | Path | None = None,
    tiles: str | None = None,
    index_bands: dict | None = None,
) -> ViewData:
    """The map view's data.

    Parameters
    ----------
    G : networkx.DiGraph
        Graph from :func:`gridvoices.queries.graph.build_graph`; services and groups with
        ``latitude``/``longitude`` are drawn where they are.
    suppress_small : bool
        Counts of 1-4 as ``*`` (:mod:`gridvoices.visualise.counts`).
    boundaries : path, optional
        GeoJSON of district shapes, matched by code or name (:func:`map_geo.load_boundaries`).
    layout : {"auto", "geo", "hex"}
        ``auto``: geographic when any service or group has coordinates or ``boundaries``
        is given, otherwise the hex schematic.
    hexjson : path, optional
        An ODI HexJSON layout of the districts (default: the shipped one when it has every
        district, else rows in name order).
    tiles : str, optional
        An ``https://…/{z}/{x}/{y}.png`` tile URL: the page then fetches map tiles from it
        (the only time a view goes online).
    index_bands : dict, optional
        District -> recovery index band (1-5), for the "index band" shading.

    Examples
    --------
    >>> G = nx.DiGraph(districts={"D": {"name": "Dale", "borders": []}}, periods=[])
    >>> G.add_node("s", type="Service", name="S", district="D", domain="activities",
    ...            latitude=53.1, longitude=-1.5)
    >>> v = build(G)
    >>> v.data["geo"], v.data["schematic"], v.n_nodes
    (True, 'hull', 1)
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    tiles = _tiles(tiles)
    districts = G.graph.get("districts") or {}
    names = {d: text((districts.get(d) or {}).get("name")) or text(d) for d in districts}
    members = [n for n, a in G.nodes(data=True) if a.get("type") in POINT_TYPES]
    has_xy = {n for n in members if _xy(G.nodes[n]) is not None}
    geo = layout == "geo" or (layout == "auto" and (bool(has_xy) or boundaries is not None))
    codes = sorted(districts, key=lambda d: (names[d].casefold(), str(d)))
    notes: list[str] = []
    if geo:
        shapes, schematic, centres, xy = _geo_places(G, codes, members, has_xy, boundaries, notes)
    else:
        shapes, schematic, centres, xy = _hex_places(G, codes, names, members, hexjson)
    if tiles and not geo:
        raise ValueError("tiles need a geographic map (coordinates or --boundaries)")
    placed = [n for n in members if n in xy]
    if len(placed) < len(members):
        notes.append(
            f"{_members(len(members) - len(placed))} without coordinates "
            "(and no district shape to place them in) are not on the map. Give their places "
            "with a district lookup, coordinates and a boundary file, or a postcode / town "
            "lookup (docs/partner-formats.md) and import again."
        )
    columns = period_columns(G)
    mask = Mask(G, suppress_small)
    rows = _cells(G, columns, mask)
    points = _points(G, placed, xy, codes, columns, rows)
    edges = _edges(points["index"], rows)
    modes, district_rows = district_shades(G, codes, index_bands, suppress_small)
    flows = district_flows(G, codes, names, columns, mask)
    notice = flows_notice(G)
    if notice:
        # A directory has no referrals: every border would be drawn "missing", which says
        # nothing about the services; the notice says what the flow layer needs instead.
        flows["links"] = []
    navigators = _navigators(G, points["index"], xy)
    data = {
        "mode": "map",
        "geo": geo,
        "schematic": schematic,
        "tiles": tiles,
        "periods": columns,
        "lookup": _lookup(),
        "districts": [
            {
                "code": text(c),
                "name": names[c],
                "shape": map_geo.rings(shapes[c]) if c in shapes else [],
                "centre": centres.get(c),
                "rows": district_rows[i],
            }
            for i, c in enumerate(codes)
        ],
        "shades": modes,
        "points": {k: v for k, v in points.items() if k != "index"},
        "edges": edges,
        "flows": flows,
        "navigators": navigators,
    }
    summary = [
        plural(sum(1 for n in placed if G.nodes[n]["type"] == "Service"), "service"),
        plural(sum(1 for n in placed if G.nodes[n]["type"] == "Group"), "group"),
        plural(len(codes), "district"),
    ]
    if not notice:
        summary.append(
            plural(sum(1 for f in flows["links"] if f["cat"] == "missing"), "missing link")
        )
    return ViewData(
        kind="map",
        data=data,
        n_nodes=len(placed),
        n_edges=len(edges["src"]),
        summary=summary,
        controls=_controls(codes, names, columns),
        periods=columns,
        notes=notes,
        flows_notice=notice,
        render=_render,
    )


def _members(n: int) -> str:
    return f"{n:,} service or group" if n == 1 else f"{n:,} services or groups"


def _render(view, meta) -> str:
    from gridvoices.visualise.map_page import render_map_page

    return render_map_page(view, meta)


def _xy(a: dict) -> tuple[float, float] | None:
    lat, lon = a.get("latitude"), a.get("longitude")
    if lat is None or lon is None:
        return None
    return float(lon), float(lat)


def _geo_places(G, codes, members, has_xy, boundaries, notes):
    xy = {n: _xy(G.nodes[n]) for n in has_xy}
    where = {n: G.nodes[n].get("district") for n in members}
    if boundaries is not None:
        shapes, missing = map_geo.load_boundaries(boundaries, G.graph.get("districts") or {})
        schematic = None
        if missing:
            notes.append(f"No shape in the boundary file for: {', '.join(map(text, missing))}.")
        away = map_geo.outside(shapes, where, xy)
        if away:
            notes.append(
                f"{_members(len(away))} lie outside their district's boundary "
                "(check their coordinates or districts)."
            )
        # Without coordinates, a member stands at a point inside its district (said so).
        for n in members:
            if n not in xy and where[n] in shapes:
                p = shapes[where[n]].representative_point()
                xy[n] = (p.x, p.y)
    else:
        pts: dict = {}
        for n, (x, y) in xy.items():
            pts.setdefault(where[n], []).append((x, y))
        shapes = map_geo.hulls({d: pts.get(d, []) for d in codes})
        schematic = "hull"
    centres = {}
    for c in codes:
        if c in shapes:
            p = shapes[c].representative_point()
            centres[c] = [round(p.y, 5), round(p.x, 5)]
    return shapes, schematic, centres, xy


def _hex_places(G, codes, names, members, hexjson):
    given = map_geo.load_hexjson(hexjson) if hexjson is not None else _shipped_hexjson(codes)
    layout = map_geo.hex_layout(codes, names, given)
    shapes, centres, xy = {}, {}, {}
    for c, h in layout["hexes"].items():
        poly = map_geo.hex_polygon(int(h["q"]), int(h["r"]), layout["layout"])
        shapes[c] = poly
        centres[c] = [round(poly.centroid.y, 5), round(poly.centroid.x, 5)]
    by_district: dict = {}
    for n in members:
        by_district.setdefault(G.nodes[n].get("district"), []).append(n)
    for d, ns in by_district.items():
        if d not in shapes:
            continue
        cx, cy = centres[d][1], centres[d][0]
        step = _SPREAD / max(1.0, len(ns) ** 0.5) * 2.2
        for k, n in enumerate(sorted(ns, key=str)):
            r, t = step * (k + 0.5) ** 0.5, k * 2.399963
            xy[n] = (cx + r * math.cos(t), cy + r * math.sin(t))
    return shapes, "hex", centres, xy


def _cells(G, columns, mask: Mask) -> list[tuple]:
    """``(u, v, cells)`` of every link that carried referrals, hidden ones as :data:`HIDDEN`."""
    return [
        (u, v, mask.row(u, v, edge_cells(d, columns), columns))
        for u, v, d in G.edges(data=True)
        if int(d.get("referrals") or 0) > 0
    ]


def _points(G, placed, xy, codes, columns, rows) -> dict:
    """Columns for the page: one entry per point (volumes per period, then all, as [v, s])."""
    index = {n: i for i, n in enumerate(placed)}
    dindex = {c: i for i, c in enumerate(codes)}
    domains, kinds = list(DOMAINS), list(ORG_KINDS)
    width = len(columns) + 1
    vol = [0] * (2 * width * len(placed))
    for u, v, row in rows:
        for end in (u, v):
            i = index.get(end)
            if i is None:
                continue
            base = 2 * width * i
            for p, c in enumerate(row):
                if c == HIDDEN:
                    vol[base + 2 * p + 1] += 1
                    vol[base + 2 * width - 1] += 1
                elif c:
                    vol[base + 2 * p] += c
                    vol[base + 2 * width - 2] += c
    out = {
        "index": index,
        "id": [],
        "name": [],
        "type": [],
        "lat": [],
        "lng": [],
        "domain": [],
        "kind": [],
        "district": [],
        "active": [],
        "vol": vol,
    }
    for n in placed:
        a = G.nodes[n]
        x, y = xy[n]
        out["id"].append(text(n))
        out["name"].append(text(a.get("name")) or text(n))
        out["type"].append(POINT_TYPES.index(a["type"]))
        out["lat"].append(round(y, 5))
        out["lng"].append(round(x, 5))
        out["domain"].append(domains.index(a["domain"]) if a.get("domain") in domains else -1)
        out["kind"].append(kinds.index(a["org_kind"]) if a.get("org_kind") in kinds else -1)
        out["district"].append(dindex.get(a.get("district"), -1))
        out["active"].append(1 if a.get("active", True) else 0)
    return out


def _edges(index, rows) -> dict:
    """Referral links between points and their cells per period: a pinned point's arcs."""
    src, dst, cells = [], [], []
    for u, v, row in rows:
        if u == v or u not in index or v not in index:
            continue
        src.append(index[u])
        dst.append(index[v])
        cells.extend(row)
    return {"src": src, "dst": dst, "cells": cells}


def _navigators(G, index, xy) -> dict:
    """Navigators at the point they are based at, and peer links between mapped points."""
    at, peers = [], []
    for n, a in G.nodes(data=True):
        if a.get("type") == "Navigator" and a.get("based_at") in index:
            at.append([index[a["based_at"]], text(n), text(a.get("role"))])
    for u, v, d in G.edges(data=True):
        if d.get("peer_kind") and u in index and v in index:
            peers.append([index[u], index[v], text(d["peer_kind"])])
    return {"at": at, "peers": peers}


def _lookup() -> dict:
    return {
        "types": ["Service", "Mutual-aid group"],
        "domains": [DOMAINS[d] for d in DOMAINS],
        "domain_colours": [DOMAIN_COLOURS.get(d, UNKNOWN_COLOUR) for d in DOMAINS],
        "kinds": [ORG_KINDS[k] for k in ORG_KINDS],
        "kind_colours": [KIND_COLOURS.get(k, UNKNOWN_COLOUR) for k in ORG_KINDS],
        "unknown": UNKNOWN_COLOUR,
    }


def _controls(codes, names, columns) -> list[dict]:
    return [
        {
            "id": "gv-district",
            "label": "District",
            "value": "",
            "options": [["", "All districts"], *([str(i), names[c]] for i, c in enumerate(codes))],
        },
        {
            "id": "gv-domain",
            "label": "Recovery domain",
            "value": "",
            "options": [
                ["", "All domains"],
                *([str(i), DOMAINS[d]] for i, d in enumerate(DOMAINS)),
            ],
        },
        {
            "id": "gv-kind",
            "label": "Organisation kind",
            "value": "",
            "options": [
                ["", "All kinds"],
                *([str(i), ORG_KINDS[k]] for i, k in enumerate(ORG_KINDS)),
            ],
        },
        {
            "id": "gv-period",
            "label": "Period",
            "value": "",
            "options": [["", "All periods"], *([str(i), p] for i, p in enumerate(columns))],
        },
    ]
