"""A directory without referral flows: say what it allows, leave out what needs flows.

A service directory gives services and places but no referral counts. Coverage
and the index still mean something; barriers, isolation, closures and
contagion would only report "none". The first finding says so and how to add
referrals (the referrals template); the flow sections are left out.
"""

from __future__ import annotations

from dataclasses import replace

from gridvoices.visualise.report.context import ReportContext, Section, headline

__all__ = ["directory_only", "directory_headlines", "needs_flows"]


def directory_only(ctx: ReportContext) -> bool:
    """Services (a directory) but no referral flows at all."""
    flows = any(d.get("referrals", 0) > 0 for _, _, d in ctx.G.edges(data=True))
    return ctx.G.number_of_nodes() > 0 and not flows


def directory_headlines(ctx: ReportContext) -> list[dict]:
    """The finding that opens a report on a directory alone."""
    if not directory_only(ctx):
        return []
    text = "This is a directory without referral flows: coverage and the index are shown"
    detail = (
        "Barriers between districts, isolated services, closures, referral paths, brokers "
        "and recovery contagion need referral counts. Write the referrals template with "
        "`gridvoices template FOLDER` (referrals.csv: from, to, period, count), fill it "
        "from case-management or referral records, and import it beside this directory."
    )
    return [headline("Data", text, detail)]


def needs_flows(section: Section) -> Section:
    """``section`` left out (no data, no headlines) when the store holds no referral flows."""

    def build(ctx: ReportContext):
        return None if directory_only(ctx) else section.build(ctx)

    def headlines(ctx: ReportContext) -> list[dict]:
        if directory_only(ctx) or section.headlines is None:
            return []
        return section.headlines(ctx)

    return replace(section, build=build, headlines=headlines)
