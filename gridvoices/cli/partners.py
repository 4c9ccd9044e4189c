"""``gridvoices export``: the network for Gephi and other tools (GraphML, GEXF, CSV, JSON)."""

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
    err,
    fail,
    graph_from_cli,
    out,
)

__all__ = ["export"]


@app.command()
def export(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="File to write: .graphml, .gexf, .json, or for CSV a folder or a .zip.",
        ),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="graphml, gexf, csv or json (default: from the --output name).",
        ),
    ] = None,
    metrics: Annotated[
        bool,
        typer.Option(
            "--metrics/--no-metrics",
            help="Add referral volumes and, where available, betweenness, PageRank and "
            "communities as node attributes.",
        ),
    ] = True,
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    period: PeriodOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    show_small_counts: ShowSmallOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Export the network (all periods or --period) as GraphML, GEXF, CSV or node-link JSON."""
    from gridvoices.visualise.export import FORMATS, export_graph, guess_format, node_metrics

    fmt = (format or guess_format(output) or "").lower()
    if fmt not in FORMATS:
        hint = f"--format {format!r}" if format else f"cannot tell the format of {output}"
        fail(f"{hint}: use --format with one of {', '.join(FORMATS)}", 2)
    G = graph_from_cli(store, workspace, period, neo4j_uri, neo4j_user, neo4j_database)
    values = node_metrics(G) if metrics else None
    try:
        path = export_graph(G, output, fmt, suppress_small=not show_small_counts, metrics=values)
    except (OSError, ValueError) as e:
        fail(f"cannot write {output}: {e}")
    if not G.number_of_nodes():
        err.print("Note: the store holds no services, groups or navigators; import data first.")
    elif metrics and not any("pagerank" in v for v in values.values()):
        err.print("Note: centrality is not available; exported referral volumes only.")
    if not quiet:
        small = "shown" if show_small_counts else "suppressed (1-4 as *)"
        out.print(
            f"Wrote {path} ({fmt}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges; "
            f"small counts {small})",
            highlight=False,
            markup=False,
        )
