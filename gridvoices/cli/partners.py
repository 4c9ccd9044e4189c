"""Partner files: ``template`` (empty files to fill), ``generate`` (a seeded synthetic ecosystem)
and ``export`` (the network for Gephi and other tools: GraphML, GEXF, CSV, JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import QuietOpt, app, command, err, fail, out, say

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


@app.command()
def template(
    directory: Annotated[
        Path | None,
        typer.Argument(help="Folder to write the empty partner CSV files and README to."),
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option(
            "--xlsx",
            help="Write the partner workbook (.xlsx) here: instructions, a sheet per entity, "
            "drop-down lists. With DIRECTORY too, both are written.",
        ),
    ] = None,
) -> None:
    """Write empty partner files: CSVs (headers only) and a README, and/or an Excel workbook."""
    from gridvoices.loaders.csvfiles import write_template
    from gridvoices.loaders.excel import write_workbook

    if directory is not None and xlsx is None and directory.suffix.lower() == ".xlsx":
        directory, xlsx = None, directory  # `template partners.xlsx` asks for the workbook
    if directory is None and xlsx is None:
        fail("give a folder for the CSV files, --xlsx FILE for a workbook, or both", 2)
    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        fail(f"--xlsx {xlsx} must name a .xlsx file", 2)
    if directory is not None and directory.exists() and not directory.is_dir():
        fail(f"{directory} is a file, not a folder", 2)
    written: list[Path] = []
    try:
        if directory is not None:
            written += write_template(directory)
        if xlsx is not None:
            written.append(write_workbook(xlsx))
    except OSError as e:
        fail(f"cannot write the template: {e}")
    for f in written:
        out.print(str(f), highlight=False)


@app.command()
def generate(
    directory: Annotated[Path, typer.Argument(help="Folder to write the partner CSV files to.")],
    services: Annotated[int, typer.Option(help="Number of services.")] = 1000,
    flows: Annotated[int, typer.Option(help="Number of referral-flow rows.")] = 10_000,
    districts: Annotated[int | None, typer.Option(help="Number of districts.")] = None,
    periods: Annotated[int, typer.Option(help="Number of quarters.")] = 4,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same files.")] = 0,
    plant: Annotated[
        bool, typer.Option(help="Plant a closed border, an isolated service, a bridge, a gap.")
    ] = True,
) -> None:
    """Write a seeded synthetic ecosystem in the partner format (tests, benchmarks, demos)."""
    from gridvoices.loaders.generate import write_ecosystem

    if services < 10 or flows < 0 or periods < 1:
        fail("--services must be at least 10, --flows 0 or more, --periods 1 or more", 2)
    d = write_ecosystem(
        directory,
        services,
        flows,
        n_districts=districts,
        n_periods=periods,
        seed=seed,
        planted=plant,
    )
    out.print(
        f"Wrote a synthetic ecosystem to {d}"
        + (" (planted.json lists what was planted)" if plant else ""),
        highlight=False,
    )
