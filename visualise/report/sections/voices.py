"""Report section: what people in recovery tell us, and where flows and feedback disagree."""

from __future__ import annotations

from collections import defaultdict

from gridvoices.ecosystem.vocab import FEEDBACK_BARRIERS
from gridvoices.visualise.report import charts
from gridvoices.visualise.report.context import (
    ReportContext,
    Section,
    headline,
    mean_rating,
    rated_rows,
)
from gridvoices.visualise.report.filters import labels

__all__ = ["LOW", "VOICES"]

LOW = 0.5  # a rating this far below the average disagrees with busy flows


def _disagreements(ctx: ReportContext, mean: float | None) -> list[dict]:
    """Where flows and feedback tell different stories (the rules are in the Method section)."""
    fb, out = ctx.r["feedback"], []

    def row(kind, where, flows, voices):
        out.append({"kind": kind, "where": where, "flows": flows, "voices": voices})

    def said(x, avg, of):
        named = labels(x["top_barriers"], FEEDBACK_BARRIERS) if x["top_barriers"] else None
        return f"mean rating {x['mean_rating']:.2f} from {x['responses']} responses ({of} " + (
            f"{avg:.2f}); barriers named most: {named}"
            if named
            else f"{avg:.2f}); no barrier named"
        )

    for x in (x for x in ctx.r["barriers"]["borders"] if x["felt"]):
        row(
            "Felt barrier",
            f"{x['a_name']} – {x['b_name']}",
            f"{x['observed']} referrals crossed the border; {x['expected']:.0f} expected if it "
            "made no difference",
            f"{x['reported']} responses about services on either side "
            "name 'too far' or 'referral refused'",
        )
    node: dict = defaultdict(int)
    for u, v, e in ctx.G.edges(data=True):
        node[u], node[v] = node[u] + e.get("referrals", 0), node[v] + e.get("referrals", 0)
    busy = sorted(node.values())[3 * len(node) // 4] if node else 0  # the top quarter
    area = {
        d["district"]: d["referrals_in"] + d["referrals_out"]
        for d in ctx.raw["summary"]["districts"]
    }
    checks = [
        ("Referrals flow, low ratings", fb["districts"], lambda x: area.get(x["district"], 0), 1),
        ("Busy service, low ratings", fb["services"], lambda x: node.get(x["id"], 0), busy),
    ]
    for kind, rows, volume, least in checks:
        for x in reversed(rated_rows(rows)):
            if mean is not None and x["mean_rating"] <= mean - LOW and volume(x) >= max(least, 1):
                row(
                    kind,
                    x["name"],
                    f"{ctx.count(volume(x))} referrals in and out",
                    said(x, mean, "county"),
                )
    link_mean = mean_rating(ctx.raw["feedback"]["links"])
    for x in reversed(rated_rows(fb["links"])):
        e = ctx.G.get_edge_data(x["source"], x["target"]) or {}
        if link_mean is not None and x["mean_rating"] <= link_mean - LOW and e.get("referrals"):
            row(
                "Handover rated low",
                f"{x['source_name']} → {x['target_name']}",
                f"{ctx.count(e['referrals'])} referrals along this link",
                said(x, link_mean, "all handovers"),
            )
    rated = {x["id"] for x in fb["services"]}
    for x in ctx.r["isolation"]:
        if x["flag"] == "no_flows" and x["id"] not in rated:
            row(
                "Unreached",
                x["name"] or x["id"],
                "no referrals in or out",
                "no feedback at all: nobody reports using it",
            )
    return out


def _voices(ctx: ReportContext) -> dict:
    fb = ctx.r.get("feedback") or {}
    if not any(fb.get(k) for k in ("services", "links", "districts")):
        return {"empty": True}
    mean = mean_rating(ctx.raw["feedback"]["districts"])
    services, links = rated_rows(fb["services"]), rated_rows(fb["links"])
    vol = {
        d["district"]: (d["referrals_in"], d["referrals_out"])
        for d in ctx.r["summary"]["districts"]
    }
    bars = [
        {**d, "volume": sum(v) if all(isinstance(n, int) for n in v) else None}
        for d in fb["districts"]
        for v in [vol.get(d["district"], ())]
    ]
    best, best_links = services[:5], links[:5]
    return {
        "empty": False,
        "districts": fb["districts"],
        "mean": mean,
        "chart": charts.flows_ratings_chart(bars, mean) if bars else None,
        "best": best,
        "worst": [x for x in reversed(services) if x not in best][:5],
        "best_links": best_links,
        "worst_links": [x for x in reversed(links) if x not in best_links][:5],
        "disagree": _disagreements(ctx, mean),
    }


def _voices_h(ctx: ReportContext) -> list[dict]:
    rated = rated_rows((ctx.r.get("feedback") or {}).get("districts", []))
    mean = mean_rating((ctx.raw.get("feedback") or {}).get("districts", []))
    if not rated or mean is None or rated[-1]["mean_rating"] > mean - LOW:
        return []
    x, barriers_ = rated[-1], labels(rated[-1]["top_barriers"], FEEDBACK_BARRIERS)
    text = f"People rate services in {x['name']} lowest: {x['mean_rating']:.1f} out of 5"
    detail = f"{x['responses']} responses, against {mean:.2f} for the county; barriers named most: "
    return [headline("What people tell us", text, detail + barriers_)]


VOICES = Section("voices", "What people in recovery tell us", _voices, _voices_h)
