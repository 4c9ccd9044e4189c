"""Districts from coordinates: point-in-polygon against a boundary file the user gives.

Any GeoJSON ``FeatureCollection`` of (Multi)Polygons will do: council wards,
US counties, ONS local authority districts. Which property holds the district
code and which its name is the user's to say (``boundary_id`` /
``boundary_name`` in ``gridvoices-mapping.json``; defaults ``id`` / ``name``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gridvoices.ecosystem.issues import Issue

__all__ = ["Boundaries"]


@dataclass
class Boundaries:
    """District polygons, each with its code and name."""

    label: str = ""
    shapes: list = field(default_factory=list)  # (code, prepared geometry)
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(
        cls, path: Path, id_property: str = "id", name_property: str = "name"
    ) -> tuple[Boundaries, list[Issue]]:
        """Read a GeoJSON file; features without a polygon or a code are reported."""
        from shapely.geometry import shape
        from shapely.prepared import prep

        label = Path(path).name
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as e:
            return cls(label), [Issue(label, None, None, "bad-mapping", f"not readable: {e}")]
        feats = data.get("features") if isinstance(data, dict) else None
        if not isinstance(feats, list):
            msg = "not a GeoJSON FeatureCollection (no 'features' array)"
            return cls(label), [Issue(label, None, None, "bad-mapping", msg)]
        out, issues = cls(label), []
        for n, f in enumerate(feats):
            props = (f or {}).get("properties") or {}
            code = str(props.get(id_property) or (f or {}).get("id") or "").strip()
            geom = (f or {}).get("geometry") or {}
            if not code or geom.get("type") not in ("Polygon", "MultiPolygon"):
                msg = f"feature {n} has no {id_property!r} property or no polygon; ignored"
                issues.append(Issue(label, None, f"features[{n}]", "bad-mapping", msg, "warning"))
                continue
            try:
                out.shapes.append((code, prep(shape(geom))))
            except (ValueError, TypeError, AttributeError) as e:
                msg = f"feature {n} ({code}) is not a valid polygon: {e}; ignored"
                issues.append(Issue(label, None, f"features[{n}]", "bad-mapping", msg, "warning"))
                continue
            out.names.setdefault(code, str(props.get(name_property) or code))
        return out, issues

    def locate(self, lat: float, lon: float) -> str | None:
        """The code of the first district containing the point (GeoJSON is lon, lat).

        >>> b = Boundaries("t")
        >>> from shapely.geometry import box
        >>> from shapely.prepared import prep
        >>> b.shapes.append(("W1", prep(box(-1, 50, 0, 51))))
        >>> b.locate(50.5, -0.5), b.locate(52, 0)
        ('W1', None)
        """
        from shapely.geometry import Point

        p = Point(lon, lat)
        return next((code for code, g in self.shapes if g.covers(p)), None)
