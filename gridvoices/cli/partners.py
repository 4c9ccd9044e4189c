"""``gridvoices export``: the network for Gephi and other tools (GraphML, GEXF, CSV, JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import QuietOpt, command, err, fail, say

__all__ = ["export"]


@command(output=False)
def export(
    eco,
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
    period=None,
    quiet: QuietOpt = False,
) -> None:
    """Export the network (all periods or --period) as GraphML, GEXF, CSV or node-link JSON."""
    try:
        r = eco.export(output, format, metrics=metrics, periods=period)
    except OSError as e:
        fail(f"cannot write {output}: {e}")
    if metrics and not r["centrality"]:
        err.print("Note: centrality is not available; exported referral volumes only.")
    if not quiet:
        small = "shown" if eco.show_small_counts else "suppressed (1-4 as *)"
        say(
            f"Wrote {r['path']} ({r['format']}: {r['nodes']} nodes, {r['edges']} edges; "
            f"small counts {small})"
        )
