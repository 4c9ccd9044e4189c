"""``gridvoices feedback | import-feedback``: what people in recovery tell us."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import (
    DbOpt,
    JsonOpt,
    PeriodOpt,
    ShowSmallOpt,
    StoreOpt,
    UriOpt,
    UserOpt,
    WorkspaceOpt,
    app,
    err,
    open_store_from_cli,
    out,
    print_json,
    print_table,
    run_named,
)

__all__ = ["feedback", "import_feedback"]


@app.command()
def feedback(
    by: Annotated[str, typer.Option(help="services, districts or links.")] = "districts",
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    period: PeriodOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    as_json: JsonOpt = False,
    show_small_counts: ShowSmallOpt = False,
) -> None:
    """Feedback per district, service or referral link: responses, rating, themes, barriers."""
    from gridvoices.cli.common import fail

    if by not in ("services", "districts", "links"):
        fail("--by must be services, districts or links", 2)
    r = run_named(
        "feedback",
        store,
        workspace,
        period,
        show_small_counts,
        neo4j_uri,
        neo4j_user,
        neo4j_database,
    )
    if as_json:
        print_json(r[by])
        return
    cols = {
        "districts": ["name"],
        "services": ["id", "name"],
        "links": ["source_name", "target_name"],
    }[by]
    rows = [
        {**x, "top_themes": _join(x["top_themes"]), "top_barriers": _join(x["top_barriers"])}
        for x in r[by]
    ]
    print_table(
        f"Feedback by {by[:-1]} (fewer than 5 responses shown as *)",
        rows,
        [*cols, "responses", "mean_rating", "trend", "top_themes", "top_barriers"],
    )


def _join(v):
    return v if isinstance(v, str) else ", ".join(v)


@app.command("import-feedback")
def import_feedback(
    survey: Annotated[Path, typer.Argument(help="A survey export (CSV) with its own columns.")],
    mapping: Annotated[
        Path, typer.Option("--mapping", "-m", help="TOML file mapping survey columns to fields.")
    ],
    source: Annotated[
        str | None, typer.Option("--source", help="Name this source (default: the path).")
    ] = None,
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a survey export as feedback through a column mapping. Exit 2 on bad data."""
    from gridvoices.ecosystem.issues import ImportRejected
    from gridvoices.stores.store import import_feedback as run

    db = open_store_from_cli(store, workspace, neo4j_uri, neo4j_user, neo4j_database)
    try:
        result = run(db, survey, mapping, source_name=source)
    except ImportRejected as e:
        if as_json:
            print_json(e.report.as_dict())
        else:
            for line in e.report.lines(50):
                out.print(line, highlight=False, markup=False, soft_wrap=True)
            err.print(f"Error: {e}", highlight=False)
        raise typer.Exit(2) from None
    finally:
        db.close()
    if as_json:
        print_json({"rows": result.rows, "warnings": [i.as_dict() for i in result.report.warnings]})
        return
    for w in result.report.lines(20):
        err.print(w, highlight=False, markup=False)
    out.print(
        f"Imported {result.rows.get('feedback', 0)} feedback responses into the {db.kind} store",
        highlight=False,
    )
