"""``gridvoices barriers | coverage | compare``: the boundary and coverage analyses."""

from __future__ import annotations

from typing import Annotated

import typer

from gridvoices.cli.common import command, print_table, say

__all__ = ["barriers", "coverage", "compare"]


@command()
def barriers(
    eco,
    show,
    min_permeability: Annotated[
        float, typer.Option(help="Bordering pairs below this observed/expected ratio are barriers.")
    ] = 0.1,
    top: Annotated[int, typer.Option(help="How many boundary spanners to list.")] = 10,
    weight_by_feedback: Annotated[
        bool,
        typer.Option(help="Weight each referral link by how people rated it (>= 5 ratings)."),
    ] = False,
    period=None,
) -> None:
    """Borders and organisational boundaries that referrals do not cross, and who spans them."""
    r = eco.barriers(min_permeability, weight_by_feedback, periods=period)

    def tables(r):
        say(f"Null model: {r['null_model']}")
        print_table(
            "Bordering districts (barriers first)",
            r["borders"],
            ["a_name", "b_name", "observed", "expected", "permeability", "barrier"],
        )
        for b in r["borders"]:
            if b["barrier"]:
                say(f"Barrier: {b['why']}")
        print_table(
            "Districts looking inward",
            [x for x in r["inward"] if x["inward_looking"]],
            ["name", "internal", "sent", "internal_share", "expected_share", "why"],
        )
        print_table(
            "Organisations referring to themselves",
            r["silos"],
            ["name", "kind", "internal", "sent", "silo_share"],
        )
        print_table(
            "Organisation kinds that never refer to each other",
            r["kinds_never"],
            ["a", "b", "expected", "why"],
        )
        print_table(
            "Boundary spanners",
            r["spanners"][:top],
            ["id", "name", "cross_referrals", "share", "why"],
        )

    show.result(r, tables)


@command(periods=False, small_counts=False)
def coverage(eco, show) -> None:
    """The seven community recovery domains in each district: how many, and which are missing."""
    r = eco.coverage()

    def tables(r):
        print_table(
            "Active services and groups per community domain",
            r["districts"],
            ["name", *r["domains"], "covered"],
        )
        for row in r["districts"]:
            if row["missing"]:
                say(f"Missing: {row['why']}")
        county = ["label", "districts_covering", "services_and_groups"]
        unplaced = sum(c["unplaced"] for c in r["county"])
        print_table("County", r["county"], county + (["unplaced"] if unplaced else []))
        if unplaced:
            say(
                f"{unplaced} active services and groups are placed in no district: coverage "
                "per district needs their places (a district lookup, coordinates with a "
                "boundary file, or a postcode/town lookup; see docs/partner-formats.md)."
            )

    show.result(r, tables)


@command(periods=False)
def compare(
    before: Annotated[
        str, typer.Argument(help="Period or range, e.g. 2024-Q1 or 2024-Q1..2024-Q2.")
    ],
    after: Annotated[str, typer.Argument(help="Period or range to compare with.")],
    eco,
    show,
) -> None:
    """What changed from BEFORE to AFTER (barriers, isolation, coverage), each named better,
    worse, new, gone or not comparable, with its state before and after."""
    r = eco.compare(before, after)

    def tables(r):
        say(f"{', '.join(r['before'])} -> {', '.join(r['after'])}")
        say("Each change: better, worse, new, gone, or not comparable (both sides hidden).")
        print_table("Borders: barrier or open, before -> after", r["borders"], ["change", "why"])
        print_table("Isolation flags, before -> after", r["isolation"], ["change", "why"])
        print_table("Coverage, before -> after", r["coverage"], ["change", "why"])

    show.result(r, tables)
