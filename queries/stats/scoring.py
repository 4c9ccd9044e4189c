"""Composite-index arithmetic: z-scores, weighted component scores, quintile bands, weight
sensitivity and the need-versus-strength quadrants (used by :mod:`gridvoices.queries.index.scores`).

All functions take plain dicts: ``values`` is ``{unit: {indicator: float or None}}``,
``spec`` is ``{indicator: (component, formula)}``, ``weights`` is
``{"components": {name: w}, "indicators": {name: w}}``.
"""

from __future__ import annotations

import numpy as np
from gridvoices.ecosystem.errors import QueryError

__all__ = ["QUINTILES", "bands", "bands_at", "score", "weight_sensitivity", "need_quadrants"]

QUINTILES = (0.2, 0.4, 0.6, 0.8)


def bands(scores: dict) -> tuple[dict, list]:
    """Band 1 (strongest) to 5 per unit: 5 minus the number of cut points its score is above.

    The cut points are the 20th, 40th, 60th and 80th percentiles of the scores
    (linear interpolation), so with many units about a fifth fall in each band,
    equal scores share a band, and a score on a cut point takes the weaker band.
    Units without a score get None.

    Examples
    --------
    >>> bands({"a": 3.0, "b": 2.0, "c": 1.0, "d": 0.0, "e": -1.0, "f": None})
    ({'a': 1, 'b': 2, 'c': 3, 'd': 4, 'e': 5, 'f': None}, [-0.2, 0.6, 1.4, 2.2])
    """
    keys = [k for k, v in scores.items() if v is not None]
    if not keys:
        return dict.fromkeys(scores), []
    x = np.round(np.array([scores[k] for k in keys], dtype=float), 9)
    cuts = np.round(np.quantile(x, QUINTILES), 9)
    return bands_at(scores, cuts.tolist()), [round(float(c), 4) for c in cuts]


def bands_at(scores: dict, cuts: list) -> dict:
    """Band 1 (strongest) to 5 per unit against given cut points (a baseline's), as
    :func:`bands` does against the scores' own quintiles.

    Examples
    --------
    >>> bands_at({"a": 3.0, "b": -0.5, "c": None}, [-0.2, 0.6, 1.4, 2.2])
    {'a': 1, 'b': 5, 'c': None}
    """
    out = dict.fromkeys(scores)
    c = np.round(np.asarray(cuts, dtype=float), 9)
    for k, v in scores.items():
        if v is not None:
            out[k] = int(5 - (round(float(v), 9) > c).sum())
    return out


def _mean(pairs) -> float | None:
    w = sum(p for p, _ in pairs)
    return round(sum(p * s for p, s in pairs) / w, 4) if w > 0 else None


def score(
    values: dict, spec: dict, weights: dict, components: tuple, *, scale: dict | None = None
) -> dict:
    """z-scores, component scores, overall scores and bands.

    An indicator's z-score is ``(x - mean) / sd`` over the units that have it
    (population sd). An indicator that does not vary (or is known for fewer
    than 2 units) or has weight 0 is not used. A component score is the
    weighted mean of the unit's z-scores in it, the overall score the weighted
    mean of its component scores: weights renormalised over what the unit has.

    ``scale`` (the ``scale`` of an earlier result, e.g. a baseline's) fixes the
    means, spreads, indicators used and band cut points instead of taking them
    from ``values``: a unit's score and band then move only when its own values
    do. The result's ``scale`` holds them unrounded.

    Examples
    --------
    >>> spec = {"x": ("c", "x"), "y": ("c", "y")}
    >>> w = {"components": {"c": 1.0}, "indicators": {"x": 1.0, "y": 1.0}}
    >>> s = score({"a": {"x": 1, "y": 5}, "b": {"x": 3, "y": 5}}, spec, w, ("c",))
    >>> s["z"]["a"], s["overall"]
    ({'x': -1.0, 'y': None}, {'a': -1.0, 'b': 1.0})
    >>> s["notes"]
    ['y does not vary (or is known for one unit only): not used']
    """
    wi, wc = weights["indicators"], weights["components"]
    used, notes, z = {}, [], {u: {} for u in values}
    fixed: dict = {}
    for ind, (comp, _) in spec.items():
        xs = {u: v[ind] for u, v in values.items() if v.get(ind) is not None}
        arr = np.array(list(xs.values()), dtype=float)
        sd = float(arr.std()) if arr.size > 1 else 0.0
        wanted = wi[ind] > 0 and wc[comp] > 0
        ok = wanted and sd > 1e-12
        mean = float(arr.mean()) if arr.size else None
        if scale is not None:
            mean, sd, ok = scale["indicators"][ind]
        fixed[ind] = (mean, sd, ok)
        used[ind] = {
            "mean": None if mean is None else round(mean, 4),
            "sd": round(sd, 4),
            "used": ok,
        }
        if wanted and not ok and arr.size and scale is None:
            notes.append(f"{ind} does not vary (or is known for one unit only): not used")
        for u, x in xs.items():
            z[u][ind] = round((x - mean) / sd, 4) if ok else None
    comp_scores, overall = {}, {}
    for u in values:
        cs = {
            c: _mean(
                [
                    (wi[i], z[u][i])
                    for i, (ci, _) in spec.items()
                    if ci == c and z[u].get(i) is not None
                ]
            )
            for c in components
        }
        comp_scores[u] = cs
        overall[u] = _mean([(wc[c], s) for c, s in cs.items() if s is not None and wc[c] > 0])
    if scale is None:
        b, cuts = bands(overall)
        keys = [round(float(v), 9) for v in overall.values() if v is not None]
        raw_cuts = np.round(np.quantile(keys, QUINTILES), 9).tolist() if keys else []
    else:
        raw_cuts = list(scale["cut_points"])
        b, cuts = bands_at(overall, raw_cuts), [round(float(c), 4) for c in raw_cuts]
    present = [c for c in components if any(comp_scores[u][c] is not None for u in values)]
    if dropped := [c for c in components if wc[c] > 0 and c not in present]:
        notes.append(
            "left out (no usable indicator), the other components' weights renormalised: "
            + ", ".join(dropped)
        )
    return {
        "z": z,
        "components": comp_scores,
        "overall": overall,
        "bands": b,
        "cut_points": cuts,
        "indicators": used,
        "present": present,
        "notes": notes,
        "scale": {"indicators": fixed, "cut_points": raw_cuts},
    }


def weight_sensitivity(
    values: dict, spec: dict, weights: dict, components: tuple, *, change: float = 0.2
) -> list[dict]:
    """For every weight in use, the units whose band changes when it moves by -/+ ``change``.

    Each move rescales one weight (the others renormalise around it) and
    recomputes the scores and the cut points.

    Examples
    --------
    >>> spec = {"x": ("c", "x"), "y": ("d", "y")}
    >>> w = {"components": {"c": 1.0, "d": 1.0}, "indicators": {"x": 1.0, "y": 1.0}}
    >>> v = {"a": {"x": 2, "y": 0}, "b": {"x": 0, "y": 2.2}, "c": {"x": 1, "y": 1}}
    >>> rows = weight_sensitivity(v, spec, w, ("c", "d"))
    >>> [(r["weight"], r["factor"], r["changed"]) for r in rows][2:5]
    [('components.d', 0.8, 2), ('components.d', 1.2, 3), ('indicators.x', 0.8, 0)]
    """
    base = score(values, spec, weights, components)["bands"]
    rows = []
    for part in ("components", "indicators"):
        for k, w in weights[part].items():
            if w <= 0:
                continue
            for f in (1 - change, 1 + change):
                moved = {**weights, part: {**weights[part], k: w * f}}
                b = score(values, spec, moved, components)["bands"]
                ch = sorted(u for u in base if b[u] != base[u])
                rows.append(
                    {
                        "weight": f"{part}.{k}",
                        "factor": round(f, 3),
                        "changed": len(ch),
                        "units": ch,
                    }
                )
    return rows


def need_quadrants(scores: dict, need: dict, names: dict | None = None) -> dict:
    """Strong/weak (score vs its median) x high/low need (vs its median), per unit.

    ``need`` is looked up by unit id, then by lower-case name. A value equal to
    its median counts as strong / high need. Returns the points for a scatter
    chart (``score`` on one axis, ``need`` on the other) and the units left out.

    Examples
    --------
    >>> q = need_quadrants({"a": 1.0, "b": -1.0}, {"a": 10, "b": 50})
    >>> [(p["unit"], p["quadrant"]) for p in q["points"]]
    [('a', 'strong, low need'), ('b', 'weak, high need')]
    """
    names = names or {}

    def look(u):
        return need.get(u, need.get(str(names.get(u, u)).lower()))

    units = [u for u in scores if scores[u] is not None and look(u) is not None]
    if not units:
        raise QueryError("the need table matches none of the districts (use codes or names)")
    nv = {u: float(look(u)) for u in units}
    ms, mn = float(np.median([scores[u] for u in units])), float(np.median(list(nv.values())))
    points = []
    for u in units:
        q = f"{'strong' if scores[u] >= ms else 'weak'}, {'high' if nv[u] >= mn else 'low'} need"
        name = names.get(u, u)
        points.append(
            {
                "unit": u,
                "name": name,
                "score": scores[u],
                "need": nv[u],
                "quadrant": q,
                "why": f"{name}: score {scores[u]:+.2f} (median {ms:+.2f}), need {nv[u]:g} "
                f"(median {mn:g}): {q}",
            }
        )
    counts = {
        q: sum(p["quadrant"] == q for p in points)
        for q in ("strong, high need", "weak, high need", "strong, low need", "weak, low need")
    }
    return {
        "median_score": round(ms, 4),
        "median_need": mn,
        "points": points,
        "counts": counts,
        "missing": sorted(str(names.get(u, u)) for u in scores if u not in units),
    }
