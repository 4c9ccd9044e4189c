"""Report sections for the district recovery ecosystem index and the closures that would hurt
most (:func:`gridvoices.queries.index.scores.recovery_index`,
:func:`gridvoices.queries.stats.closures.rank_closures`).

They read ``results["index"]`` and ``results["closures"]`` (as from
:func:`gridvoices.queries.analyses.run_all`); a section whose result is missing or None is
left out.
"""

from __future__ import annotations

from gridvoices.visualise.report import index_charts
from gridvoices.visualise.report.context import ReportContext, Section, headline, join_words
from gridvoices.visualise.report.index_charts import BAND_LABELS

__all__ = ["BAND_LABELS", "CLOSURES", "INDEX"]

_COMPONENTS = {
    "coverage": "Coverage",
    "capacity": "Capacity",
    "connectedness": "Connectedness",
    "reach": "Reach",
    "voice": "Voice",
}


def _sensitivity(s: dict | None) -> str | None:
    """The weight sensitivity result as one plain sentence."""
    if not s or not s.get("rows"):
        return None
    n = len(s["rows"])
    if not s["max_changed"]:
        return (
            f"The bands do not depend on the exact weights: none of the {n} changes of a single "
            "weight by 20% either way moves any district to another band"
        )
    worst = max(s["rows"], key=lambda r: r["changed"])
    moved = sum(1 for r in s["rows"] if r["changed"])
    return (
        f"The bands depend somewhat on the weights: {moved} of the {n} changes of a single weight "
        f"by 20% either way move a district to another band; the largest ({worst['weight']} "
        f"x{worst['factor']}) moves {join_words(worst['districts'], 'and')}"
    )


def _index(ctx: ReportContext) -> dict | None:
    idx = ctx.r.get("index")
    if not idx or not idx.get("districts"):
        return None
    comps = [(c, _COMPONENTS.get(c, c)) for c in idx["components"]]
    rows = [{**x, "label": BAND_LABELS.get(x["band"], "not banded")} for x in idx["districts"]]
    scored = [x for x in rows if isinstance(x["score"], int | float)]
    need = idx.get("need")
    points = (need or {}).get("points") or []
    return {
        "rows": rows,
        "components": comps,
        "chart": index_charts.index_chart(scored) if scored else None,
        "sensitivity": _sensitivity(idx.get("sensitivity")),
        "need": need if points else None,
        "need_chart": (
            index_charts.need_chart(points, need["median_score"], need["median_need"])
            if points
            else None
        ),
        "notes": idx.get("notes") or [],
        "runs": idx.get("runs"),
        "seed": idx.get("seed"),
    }


def _index_h(ctx: ReportContext) -> list[dict]:
    idx = ctx.r.get("index")
    rows = (idx or {}).get("districts") or []
    weakest = [x for x in rows if x["band"] == 5]
    if not weakest:
        return []
    names = join_words([x["name"] for x in weakest], "and")
    verb = "has" if len(weakest) == 1 else "have"
    text = f"{names} {verb} the weakest recovery ecosystem in the county (band 5 of 5)"
    return [headline("Ecosystem index", text, "; ".join(x["why"] for x in weakest))]


def _tie(rows: list[dict]) -> str | None:
    """The tie note when the top two closures are within Monte Carlo error (2 SE)."""
    if len(rows) < 2 or rows[0].get("ahead_se") is None:
        return None
    a, b = rows[0], rows[1]
    if a["ahead_of_next"] > 2 * a["ahead_se"]:
        return None
    return (
        f"{a['name'] or a['id']} and {b['name'] or b['id']} are too close to call: the first is "
        f"ahead by {a['ahead_of_next']:.2f} ± {a['ahead_se']:.2f} expected nodes, within the "
        "Monte Carlo error (less than two standard errors), so treat them as a tie"
    )


def _closures(ctx: ReportContext) -> dict | None:
    c = ctx.r.get("closures")
    if not c or not c.get("rows"):
        return None
    rows = [{**x, "where": ctx.district(x["district"])} for x in c["rows"]]
    cuts = [{**x, "where": ctx.district(x["district"])} for x in c.get("by_pairs") or []]
    return {
        "rows": rows,
        "by_pairs": cuts,
        "tie": _tie(c["rows"]),
        "chart": index_charts.closures_chart(rows),
        "expected_reach": c["expected_reach"],
        "connected_pairs": c["connected_pairs"],
        "runs": c["runs"],
        "seed": c["seed"],
    }


def _closures_h(ctx: ReportContext) -> list[dict]:
    c = ctx.r.get("closures")
    if not c or not c.get("rows"):
        return []
    top, out = c["rows"][0], []
    text = f"Closing {top['name'] or top['id']} would cut the reach of recovery contagion most"
    if tie := _tie(c["rows"]):
        text += f", with {c['rows'][1]['name'] or c['rows'][1]['id']} a close second"
    out.append(headline("Closure risk", text, tie or top["why"]))
    for x in (c.get("by_pairs") or [])[:1]:
        text = (
            f"Closing {x['name'] or x['id']} would split the referral network: "
            f"{x['pairs_lost']} of {c['connected_pairs']} connected pairs lost"
        )
        out.append(headline("Closure risk", text, x["why"]))
    return out


INDEX = Section("index", "District recovery ecosystem index", _index, _index_h)
CLOSURES = Section("closures", "Which closure would hurt most", _closures, _closures_h)
