"""``gridvoices view KIND``: write a view as one self-contained HTML file (and a PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import command, fail, say

__all__ = ["view"]


@command(output=False)
def view(
    eco,
    kind: Annotated[
        str, typer.Argument(help="network, barriers, isolation or map (or another installed view).")
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
    boundaries: Annotated[
        Path | None,
        typer.Option(
            "--boundaries",
            help="map: GeoJSON of district shapes, matched to districts by code or name.",
        ),
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option("--layout", help="map: auto, geo (coordinates) or hex (schematic)."),
    ] = None,
    tiles: Annotated[
        str | None,
        typer.Option(
            "--tiles",
            help="map: https://…/{z}/{x}/{y}.png tile URL (the page then goes online for tiles).",
        ),
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Also write the picture to this PNG file (headless chromium)."),
    ] = None,
    title: Annotated[str, typer.Option("--title", help="Title of the page and picture.")] = "",
    illustrative: Annotated[
        bool, typer.Option("--illustrative", help="Mark the view 'Illustrative data'.")
    ] = False,
    period=None,
) -> None:
    """Write an interactive view (network, barriers, isolation, map) that opens offline."""
    from gridvoices.visualise.png import PngError

    given = {
        "colour_by": colour_by,
        "size_by": size_by,
        "level": level,
        "boundaries": boundaries,
        "layout": layout,
        "tiles": tiles,
    }
    options = {k: v for k, v in given.items() if v is not None}
    if comments:
        options["show_comments"] = True
    try:
        written = eco.view(kind, output, png=png, title=title, illustrative=illustrative,
                           periods=period, **options)  # fmt: skip
    except PngError as e:
        fail(str(e), 1)
    say(f"Wrote {written}")
    if png is not None:
        say(f"Wrote {png}")
