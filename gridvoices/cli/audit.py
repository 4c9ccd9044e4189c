"""``gridvoices audit``: check that no hidden count can be worked out from what a run publishes."""

from __future__ import annotations

from typing import Annotated

import typer

from gridvoices.api.results import Result
from gridvoices.cli.common import command, fail, print_json, say, write_csv

__all__ = ["audit"]


@command(periods=False, small_counts=False)
def audit(
    eco,
    show,
    period: Annotated[
        list[str] | None,
        typer.Option(
            "--period",
            help="Also audit a run for this period or range (repeat: e.g. the two sides of "
            "`compare`, whose answer is audited too). The all-periods run is always included.",
        ),
    ] = None,
) -> None:
    """Audit the exports, summary and barriers answers and the views' pages together: exit 1
    if any hidden count of 1-4 is determined exactly by the numbers shown. --csv writes one
    row per run and output."""
    from gridvoices.ecosystem.periods import PeriodError, choose_periods
    from gridvoices.visualise.disclosure_audit import audit as run_audit

    store = eco.store()
    try:
        runs = [None] + [choose_periods(store.periods(), [p]) for p in period or []]
    except PeriodError as e:
        fail(str(e), 2)
    # Two or more --period: also `compare` of each one with the next.
    pairs = list(zip(runs[1:], runs[2:], strict=False))
    result = run_audit(store.read(), runs, comparisons=pairs)
    if show.as_json:
        print_json(result.as_dict())
    elif show.csv is not None:
        # One row per run and output: numbers shown, hidden (1-4 among them), exposed.
        write_csv(Result("disclosure audit", {"outputs": list(result.outputs)}), show.csv)
    else:
        say(
            f"{result.published:,} numbers shown, {result.hidden:,} hidden "
            f"({result.sensitive:,} of them 1-4): {len(result.exposed)} can be worked out."
        )
        for k in result.exposed[:20]:
            say(f"  exposed: {k!r}")
    if result.exposed:
        raise typer.Exit(1)
