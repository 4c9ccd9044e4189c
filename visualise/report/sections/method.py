"""Report sections: the method (the rules behind each finding) and the data sources."""

from __future__ import annotations

import inspect

from gridvoices.queries.barriers.forms import barriers
from gridvoices.visualise.report.context import ReportContext, Section
from gridvoices.visualise.report.sections.voices import LOW

__all__ = ["METHOD", "SOURCES"]


def _method(ctx: ReportContext) -> dict:
    p = inspect.signature(barriers).parameters
    c = ctx.r.get("contagion")
    new_p = c["suggestions"][0]["p"] if c and c["suggestions"] else None
    return {
        "null_model": ctx.r["barriers"]["null_model"],
        "c": c,
        "new_p": new_p,
        "low": LOW,
        "min_perm": p["min_permeability"].default,
        "inward": p["inward_share"].default,
    }


def _sources(ctx: ReportContext) -> dict:
    fb = ctx.raw.get("feedback") or {}
    responses = sum(x["responses"] for k in ("services", "links") for x in fb.get(k, []))
    return {"all_periods": ctx.G.graph.get("all_periods", []), "responses": ctx.count(responses)}


METHOD = Section("method", "Method", _method)
SOURCES = Section("sources", "Data sources", _sources)
