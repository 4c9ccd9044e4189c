"""What the district index is made of and what it reads: its indicators and components, and the
weights, population and need files (:mod:`gridvoices.queries.index.scores` computes it).
"""

from __future__ import annotations

import csv
import math
import tomllib
from pathlib import Path

from gridvoices.ecosystem.errors import QueryError
from gridvoices.ecosystem.shipped import INDEX_WEIGHTS, POPULATION

__all__ = [
    "INDICATORS",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "DEFAULT_POPULATION",
    "TWELVE_STEP",
    "load_weights",
    "load_population",
    "load_need",
]

DEFAULT_WEIGHTS = INDEX_WEIGHTS
DEFAULT_POPULATION = POPULATION
TWELVE_STEP = ("AA", "NA", "CA")
COMPONENTS = ("coverage", "capacity", "connectedness", "reach", "voice")
#: indicator -> (component, formula); every indicator is "higher is stronger"
INDICATORS: dict[str, tuple[str, str]] = {
    "domains_covered": ("coverage", "community domains with >= 1 active service or group (0-7)"),
    "services_per_100k": (
        "capacity",
        "active services x 100,000 / residents (a service in k districts counts 1/k in each)",
    ),
    "twelve_step_groups_per_100k": ("capacity", "AA, NA and CA groups x 100,000 / residents"),
    "other_mutual_aid_per_100k": ("capacity", "SMART, Al-Anon, other groups x 100,000 / residents"),
    "navigators_per_100k": ("capacity", "active navigators based there x 100,000 / residents"),
    "main_component_share": (
        "connectedness",
        "share of its active services and groups in the largest referral component",
    ),
    "peer_links_per_service": (
        "connectedness",
        "peer links touching the district / its active services and groups",
    ),
    "border_permeability": (
        "connectedness",
        "referrals across its borders (both ways) / expected if borders were invisible",
    ),
    "reach_from_seeds": (
        "reach",
        "expected nodes a cascade from the district's own seeds activates (whole network)",
    ),
    "share_reached": ("reach", "expected share of its nodes active, cascade from all seeds"),
    "mean_rating": ("voice", "mean feedback rating (1-5) about its services and groups"),
    "responses_per_100k": ("voice", "feedback responses x 100,000 / residents"),
}


def load_weights(source=None) -> dict:
    """Component and indicator weights from a TOML file (default :data:`DEFAULT_WEIGHTS`) or a
    dict of the same shape; a weight not given is 1.

    Examples
    --------
    >>> w = load_weights({"components": {"voice": 0}})
    >>> w["components"]["voice"], w["components"]["reach"], load_weights()["components"]["voice"]
    (0.0, 1.0, 1.0)
    """
    if source is None or isinstance(source, str | Path):
        path = Path(source or DEFAULT_WEIGHTS)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise QueryError(f"cannot read the weights file {path}: {e}") from None
    elif isinstance(source, dict):
        raw = source
    else:
        raise QueryError("weights must be a TOML file path or a dict")
    out = {
        "components": dict.fromkeys(COMPONENTS, 1.0),
        "indicators": dict.fromkeys(INDICATORS, 1.0),
    }
    for part, known in (("components", COMPONENTS), ("indicators", INDICATORS)):
        for k, v in (raw.get(part) or {}).items():
            if k not in known:
                raise QueryError(f"weights: unknown {part[:-1]} {k!r}; known: {', '.join(known)}")
            if isinstance(v, bool) or not isinstance(v, int | float) or not v >= 0:
                raise QueryError(f"weights: {part}.{k} must be a number >= 0, not {v!r}")
            out[part][k] = float(v)
    if not any(out["components"].values()):
        raise QueryError("weights: every component weight is 0")
    return out


def _csv(path, column: str, positive: bool) -> dict:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = [
                {(k or "").strip().lower(): (v or "").strip() for k, v in r.items()}
                for r in csv.DictReader(f)
            ]
    except (OSError, UnicodeDecodeError) as e:
        raise QueryError(f"cannot read {path}: {e}") from None
    out = {}
    for i, r in enumerate(rows, start=2):
        d = r.get("code") or r.get("district") or r.get("name")
        try:
            v = float(r.get(column) or "nan")
        except ValueError:
            v = math.nan
        if not d or not math.isfinite(v) or (positive and v <= 0):
            raise QueryError(
                f"{path}:{i}: needs a district (code, district or name column) and a "
                f"{'positive ' if positive else ''}number in {column!r}, not {r.get(column)!r}"
            )
        out[d] = v
        for alias in (d.lower(), r.get("name", "").lower()):
            if alias:
                out.setdefault(alias, v)
    return out


def load_population(source=None) -> dict:
    """District -> residents from a CSV (``code,name,population``; default the shipped ONS
    mid-2022 estimates for Derbyshire) or a dict. Keys: codes and lower-case names.

    Examples
    --------
    >>> int(load_population()["E07000037"]), int(load_population()["high peak"])
    (91210, 91210)
    """
    if isinstance(source, dict):
        return _keyed(source)
    return _csv(source or DEFAULT_POPULATION, "population", True)


def load_need(source) -> dict:
    """District -> need (higher means more need) from a ``district,need`` CSV or a dict."""
    if isinstance(source, dict):
        return _keyed(source)
    return _csv(source, "need", False)


def _keyed(d: dict) -> dict:
    out = {str(k).lower(): float(v) for k, v in d.items()}
    out.update({str(k): float(v) for k, v in d.items()})
    return out
