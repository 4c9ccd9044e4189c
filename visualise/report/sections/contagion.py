"""Report section: how recovery could spread, and the link that would widen it most."""

from __future__ import annotations

from gridvoices.visualise.report import charts
from gridvoices.visualise.report.context import ReportContext, Section, headline

__all__ = ["CONTAGION"]


def _contagion(ctx: ReportContext) -> dict:
    c = ctx.r.get("contagion")
    if not c:
        return {"c": None}
    chart = charts.reach_chart(c["reach_by_district"]) if c["reach_by_district"] else None
    return {"c": c, "chart": chart, "stops": c["stops"][:3]}


def _contagion_h(ctx: ReportContext) -> list[dict]:
    c = ctx.r.get("contagion")
    if not c or not c["nodes_total"]:
        return []
    n, share = len(c["seeds"]), c["expected_reach"] / c["nodes_total"]
    start = (
        "lived-experience-led services, groups and navigators"
        if c["default_seeds"]
        else "chosen starting points"
    )
    text = f"Recovery could spread from the {n} {start} to about {share:.0%} of the network"
    out = [headline("Recovery contagion", text, c["why"])]
    for s in c["suggestions"][:1]:
        text = f"A new link from {s['source_name']} to {s['target_name']} would widen reach most"
        out.append(headline("Suggested link", text, s["why"]))
    return out


CONTAGION = Section("contagion", "How recovery could spread", _contagion, _contagion_h)
