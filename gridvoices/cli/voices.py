"""``gridvoices feedback | import-feedback``: what people in recovery tell us."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import JsonOpt, command, err, print_json, print_table, say

__all__ = ["feedback", "import_feedback"]


@command()
def feedback(
    eco,
    show,
    by: Annotated[str, typer.Option(help="services, districts or links.")] = "districts",
    period=None,
) -> None:
    """Feedback per district, service or referral link: responses, rating, themes, barriers."""
    r = eco.feedback(by, periods=period)
    cols = {
        "districts": ["name"],
        "services": ["id", "name"],
        "links": ["source_name", "target_name"],
    }[by]

    def tables(rows):
        rows = [
            {**x, "top_themes": _join(x["top_themes"]), "top_barriers": _join(x["top_barriers"])}
            for x in rows
        ]
        print_table(
            f"Feedback by {by[:-1]} (fewer than 5 responses shown as *)",
            rows,
            [*cols, "responses", "mean_rating", "trend", "top_themes", "top_barriers"],
        )

    show.result(r, tables)


def _join(v):
    return v if isinstance(v, str) else ", ".join(v)


@command("import-feedback", periods=False, output=False, small_counts=False)
def import_feedback(
    eco,
    survey: Annotated[Path, typer.Argument(help="A survey export (CSV) with its own columns.")],
    mapping: Annotated[
        Path, typer.Option("--mapping", "-m", help="TOML file mapping survey columns to fields.")
    ],
    source: Annotated[
        str | None, typer.Option("--source", help="Name this source (default: the path).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a survey export as feedback through a column mapping. Exit 2 on bad data."""
    from gridvoices.ecosystem.issues import ImportRejected

    try:
        result = eco.import_feedback(survey, mapping, source=source)
    except ImportRejected as e:
        if as_json:
            print_json(e.report.as_dict())
        else:
            for line in e.report.lines(50):
                say(line)
            err.print(f"Error: {e}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        print_json({"rows": result.rows, "warnings": [i.as_dict() for i in result.report.warnings]})
        return
    for w in result.report.lines(20):
        err.print(w, highlight=False, markup=False)
    say(f"Imported {result.rows.get('feedback', 0)} feedback responses into the {eco.kind} store")
