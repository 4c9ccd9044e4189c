"""Report section: the seven community recovery domains, district by district."""

from __future__ import annotations

from gridvoices.ecosystem.vocab import COMMUNITY_DOMAINS
from gridvoices.visualise.report.context import ReportContext, Section, headline, join_words

__all__ = ["COVERAGE"]


def _coverage(ctx: ReportContext) -> dict:
    c = ctx.r["coverage"]
    domains = [(d, COMMUNITY_DOMAINS.get(d, d)) for d in c["domains"]]
    return {"domains": domains, "rows": c["districts"], "county": c["county"]}


def _coverage_h(ctx: ReportContext) -> list[dict]:
    gaps = [x for x in ctx.r["coverage"]["districts"] if x["missing"]]
    lower = [join_words([COMMUNITY_DOMAINS.get(m, m).lower() for m in x["missing"]]) for x in gaps]
    return [
        headline("Coverage gap", f"{x['name']} has no active provision for {what}", x["why"])
        for x, what in zip(gaps, lower, strict=True)
    ]


COVERAGE = Section("coverage", "The seven community recovery domains", _coverage, _coverage_h)
