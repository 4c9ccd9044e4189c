"""``gridvoices report``: the commissioners' report as one offline HTML file (and a PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import (
    DbOpt,
    PeriodOpt,
    QuietOpt,
    ShowSmallOpt,
    StoreOpt,
    UriOpt,
    UserOpt,
    WorkspaceOpt,
    app,
    fail,
    open_store_from_cli,
    out,
    periods_option,
)

__all__ = ["report"]


@app.command()
def report(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="HTML file to write (views are linked beside it)."),
    ] = Path("gridvoices-report.html"),
    pdf: Annotated[
        Path | None,
        typer.Option("--pdf", metavar="FILE", help="Also print the report to this PDF (chromium)."),
    ] = None,
    title: Annotated[str, typer.Option("--title", help="The report's title.")] = (
        "Recovery ecosystem report"
    ),
    illustrative: Annotated[
        bool | None,
        typer.Option(
            "--illustrative/--not-illustrative",
            help="Mark the report 'Illustrative data' (default: when a source is named "
            "'illustrative: …', as the demo's is).",
        ),
    ] = None,
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    period: PeriodOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    show_small_counts: ShowSmallOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write the report for commissioners: findings, coverage, barriers, isolation, voices."""
    from gridvoices.queries.run import load_graph
    from gridvoices.visualise.report.build import ReportError, write_pdf, write_report

    db = open_store_from_cli(store, workspace, neo4j_uri, neo4j_user, neo4j_database)
    try:
        G = load_graph(db, periods_option(db, period))
        sources = db.sources()
    finally:
        db.close()
    if illustrative is None:
        illustrative = any(str(s["source"]).lower().startswith("illustrative") for s in sources)
    named = "; ".join(
        f"{s['source']} ({s['format']}, imported {s['imported_at']})" for s in sources
    )
    try:
        path = write_report(
            G,
            output,
            illustrative=illustrative,
            source=f"{db.kind} store: {named or 'no sources recorded'}",
            suppress_small=not show_small_counts,
            title=title,
        )
        if pdf is not None:
            write_pdf(path, pdf)
    except ReportError as e:
        fail(str(e))
    except OSError as e:
        fail(f"cannot write the report: {e}")
    if not quiet:
        out.print(f"Wrote {path}", highlight=False)
        if pdf is not None:
            out.print(f"Wrote {pdf}", highlight=False)
