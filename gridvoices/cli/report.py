"""``gridvoices report``: the commissioners' report as one offline HTML file (and a PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import QuietOpt, command, fail, say

__all__ = ["report"]


@command(output=False)
def report(
    eco,
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
    period=None,
    quiet: QuietOpt = False,
) -> None:
    """Write the report for commissioners: findings, coverage, barriers, isolation, voices."""
    report_error: tuple[type[Exception], ...] = ()
    if pdf is not None:  # only the PDF raises it, and its module loads Chromium's asyncio
        from gridvoices.visualise.report import ReportError

        report_error = (ReportError,)
    try:
        path = eco.report(output, pdf=pdf, title=title, illustrative=illustrative, periods=period)
    except report_error as e:
        fail(str(e))
    except OSError as e:
        fail(f"cannot write the report: {e}")
    if not quiet:
        say(f"Wrote {path}")
        if pdf is not None:
            say(f"Wrote {pdf}")
