"""District shapes for the map view: a boundary file, hulls of services, or a hex schematic.

Three honest sources, in the order the map view prefers them:

* **boundaries**: a GeoJSON file the user gives (e.g. the ONS local-authority district
  boundaries), each feature matched to a district by code or by name, simplified with
  shapely so the page stays small;
* **hulls**: when services carry coordinates but no boundary file is given, each district is
  the buffered convex hull of its own services and groups — a schematic, labelled so;
* **hexes**: no coordinates at all (or ``layout="hex"``): one hex per district in the ODI
  HexJSON format (a shipped layout matched by code, or rows in name order), on a plain
  plane, not the Earth.

Coordinates go to the page in Leaflet's ``[lat, lng]`` order (``[y, x]`` on the plane).
Shapes are shapely geometries; nothing here projects coordinates (Leaflet does that).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "HEX_LAYOUTS",
    "HULL_BUFFER",
    "SIMPLIFY",
    "load_boundaries",
    "load_hexjson",
    "hex_layout",
    "hex_polygon",
    "hulls",
    "rings",
    "outside",
]

HEX_LAYOUTS = ("odd-r", "even-r", "odd-q", "even-q")
HULL_BUFFER = 0.03  # degrees (about 2-3 km): a hull round one town is still an area
SIMPLIFY = 0.002  # degrees (about 150-200 m): a county's districts stay recognisable
_ROUND = 5


def _norm(value) -> str:
    return " ".join(str(value).split()).casefold()


def load_boundaries(
    path: str | Path, districts: dict, *, tolerance: float = SIMPLIFY
) -> tuple[dict[str, BaseGeometry], list[str]]:
    """District code -> shape from a GeoJSON FeatureCollection, and the districts not found.

    A feature matches a district when one of its property values equals the district's
    code or name (case and spacing ignored), so ONS files (``LAD23CD``/``LAD23NM``) and
    US county files (``GEOID``/``NAME``) work without naming the fields.

    Raises
    ------
    ValueError
        When the file is not GeoJSON or has no polygon that matches any district.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "b.geojson"
    >>> sq = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]
    >>> _ = f.write_text(json.dumps({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"LAD23CD": "E1", "LAD23NM": "Here"},
    ...      "geometry": {"type": "Polygon", "coordinates": sq}}]}))
    >>> shapes, missing = load_boundaries(f, {"E1": {"name": "Here"}, "E2": {"name": "There"}})
    >>> shapes["E1"].area, missing
    (1.0, ['E2'])
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        features = doc["features"] if doc.get("type") == "FeatureCollection" else [doc]
    except (OSError, ValueError, KeyError, AttributeError) as e:
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection ({e})") from e
    keys: dict[str, str] = {}
    for code, d in districts.items():
        keys[_norm(code)] = code
        if (d or {}).get("name"):
            keys.setdefault(_norm(d["name"]), code)
    parts: dict[str, list[BaseGeometry]] = {}
    for f in features:
        geom = (f or {}).get("geometry")
        if not geom or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        props = f.get("properties") or {}
        code = next((keys[_norm(v)] for v in props.values() if _norm(v) in keys), None)
        if code is None and f.get("id") is not None:
            code = keys.get(_norm(f["id"]))
        if code is not None:
            parts.setdefault(code, []).append(shape(geom).buffer(0))
    if not parts:
        raise ValueError(f"{path}: no polygon matches a district by code or name")
    shapes = {
        c: shapely.union_all(gs).simplify(tolerance, preserve_topology=True)
        for c, gs in parts.items()
    }
    return shapes, sorted(c for c in districts if c not in shapes)


def load_hexjson(path: str | Path) -> dict:
    """An ODI HexJSON file: ``{"layout": ..., "hexes": {code: {"q", "r", ...}}}``."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if doc.get("layout") not in HEX_LAYOUTS or not isinstance(doc.get("hexes"), dict):
        raise ValueError(f"{path}: not HexJSON (layout one of {', '.join(HEX_LAYOUTS)})")
    return doc


def hex_layout(codes: list[str], names: dict, hexjson: dict | None = None) -> dict:
    """A HexJSON layout covering ``codes``: ``hexjson``'s when it has every code, else rows.

    Examples
    --------
    >>> sorted(hex_layout(["a", "b", "c"], {})["hexes"]["c"].items())
    [('n', 'c'), ('q', 0), ('r', -1)]
    """
    if hexjson and all(c in hexjson["hexes"] for c in codes):
        return {"layout": hexjson["layout"], "hexes": {c: hexjson["hexes"][c] for c in codes}}
    width = max(1, math.ceil(math.sqrt(len(codes))))
    ordered = sorted(codes, key=lambda c: (_norm(names.get(c, c)), c))
    return {
        "layout": "odd-r",
        "hexes": {
            c: {"q": i % width, "r": -(i // width), "n": names.get(c, c)}
            for i, c in enumerate(ordered)
        },
    }


def hex_polygon(q: int, r: int, layout: str, size: float = 1.0) -> shapely.Polygon:
    """The hex at column ``q``, row ``r`` (rows grow northwards, as HexJSON draws them)."""
    w = math.sqrt(3) * size
    if layout.endswith("-r"):  # pointy-top, alternate rows shifted half a hex
        shift = (r % 2 == 1) == (layout == "odd-r")
        cx, cy, start = w * (q + (0.5 if shift else 0)), 1.5 * size * r, 30
    else:  # flat-top, alternate columns shifted
        shift = (q % 2 == 1) == (layout == "odd-q")
        cx, cy, start = 1.5 * size * q, w * (r - (0.5 if shift else 0)), 0
    corners = [
        (
            cx + size * math.cos(math.radians(start + 60 * k)),
            cy + size * math.sin(math.radians(start + 60 * k)),
        )
        for k in range(6)
    ]
    return shapely.Polygon(corners)


def hulls(points: dict[str, list[tuple[float, float]]], buffer: float = HULL_BUFFER) -> dict:
    """District -> buffered convex hull of its ``(lon, lat)`` points (districts with points)."""
    return {
        d: MultiPoint(pts).convex_hull.buffer(buffer, quad_segs=6)
        for d, pts in points.items()
        if pts
    }


def rings(geom: BaseGeometry) -> list[list[list[list[float]]]]:
    """A polygon or multipolygon as Leaflet wants it: polygons of rings of ``[lat, lng]``."""
    polys = list(getattr(geom, "geoms", [geom]))
    out = []
    for p in polys:
        if p.is_empty or p.geom_type != "Polygon":
            continue
        out.append(
            [
                [[round(y, _ROUND), round(x, _ROUND)] for x, y in ring.coords]
                for ring in (p.exterior, *p.interiors)
            ]
        )
    return out


def outside(shapes: dict, where: dict[str, str], xy: dict[str, tuple[float, float]]) -> list:
    """Points (``id -> (lon, lat)``) that fall outside their own district's shape."""
    by_district: dict = {}
    for n, d in where.items():
        if d in shapes and n in xy:
            by_district.setdefault(d, []).append(n)
    out = []
    for d, ids in by_district.items():
        geom = shapes[d]
        shapely.prepare(geom)
        x = [xy[n][0] for n in ids]
        y = [xy[n][1] for n in ids]
        inside = shapely.contains_xy(geom, x, y)
        out.extend(n for n, ok in zip(ids, inside, strict=True) if not ok)
    return sorted(out, key=str)
