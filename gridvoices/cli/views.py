"""``gridvoices view KIND``: write a view as one self-contained HTML file (and a PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import (
    DbOpt,
    PeriodOpt,
    ShowSmallOpt,
    StoreOpt,
    UriOpt,
    UserOpt,
    WorkspaceOpt,
    app,
    fail,
    graph_from_cli,
    out,
)

__all__ = ["view"]


@app.command()
def view(
    kind: Annotated[
        str, typer.Argument(help="network, barriers or isolation (or another installed view).")
    ] = "network",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="HTML file to write (default gridvoices-KIND.html)."),
    ] = None,
    colour_by: Annotated[
        str | None,
        typer.Option("--colour-by", help="network: kind or domain; isolation: also finding."),
    ] = None,
    size_by: Annotated[
        str | None,
        typer.Option(
            "--size-by", help="volume, degree, or a numeric node attribute (e.g. betweenness)."
        ),
    ] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="barriers: district or organisation.")
    ] = None,
    comments: Annotated[
        bool,
        typer.Option(
            "--comments",
            help="network: show a few feedback comments (as text) for services with 5 or more.",
        ),
    ] = False,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Also write the picture to this PNG file (headless chromium)."),
    ] = None,
    title: Annotated[str, typer.Option("--title", help="Title of the page and picture.")] = "",
    illustrative: Annotated[
        bool, typer.Option("--illustrative", help="Mark the view 'Illustrative data'.")
    ] = False,
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    period: PeriodOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    show_small_counts: ShowSmallOpt = False,
) -> None:
    """Write an interactive view (network, barriers, isolation) that opens offline."""
    from gridvoices.visualise import render
    from gridvoices.visualise.png import PngError
    from gridvoices.visualise.views import view_kinds, view_options, write_view

    if kind not in view_kinds():
        fail(f"unknown view {kind!r}; choose from {', '.join(view_kinds())}", 2)
    given = {"colour_by": colour_by, "size_by": size_by, "level": level}
    options = {k: v for k, v in given.items() if v is not None}
    if comments:
        if "show_comments" not in view_options(kind):
            fail(f"--comments does not apply to the {kind} view", 2)
        options["show_comments"] = True
    for name in options:
        if name not in view_options(kind):
            fail(f"--{name.replace('_', '-')} does not apply to the {kind} view", 2)
    G = graph_from_cli(store, workspace, period, neo4j_uri, neo4j_user, neo4j_database)
    path = output or Path(f"gridvoices-{kind}.html")
    try:
        written = write_view(
            kind,
            G,
            path,
            title=title,
            illustrative=illustrative,
            source=f"{store} store",
            periods_label=render.span(G),
            suppress_small=not show_small_counts,
            png=png,
            **options,
        )
    except ValueError as e:
        fail(str(e), 2)
    except PngError as e:
        fail(str(e), 1)
    out.print(f"Wrote {written}", highlight=False)
    if png is not None:
        out.print(f"Wrote {png}", highlight=False)
