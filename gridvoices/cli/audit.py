"""``gridvoices audit``: check that no hidden count can be worked out from what a run publishes."""

from __future__ import annotations

from typing import Annotated

import typer

from gridvoices.cli.common import (
    JsonOpt,
    StoreOpt,
    WorkspaceOpt,
    app,
    open_store_from_cli,
    out,
    periods_option,
    print_json,
)

__all__ = ["audit"]


@app.command()
def audit(
    period: Annotated[
        list[str] | None,
        typer.Option(
            "--period",
            help="Also audit a run for this period or range (repeat: e.g. the two sides of "
            "`compare`). The all-periods run is always included.",
        ),
    ] = None,
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Audit the exports, summary and barriers answers together: exit 1 if any hidden count
    of 1-4 is determined exactly by the numbers shown."""
    from gridvoices.visualise.disclosure_audit import audit as run_audit

    db = open_store_from_cli(store, workspace)
    try:
        runs = [None] + [periods_option(db, [p]) for p in period or []]
        tables = db.read()
    finally:
        db.close()
    result = run_audit(tables, runs)
    if as_json:
        print_json(result.as_dict())
    else:
        out.print(
            f"{result.published:,} numbers shown, {result.hidden:,} hidden "
            f"({result.sensitive:,} of them 1-4): {len(result.exposed)} can be worked out.",
            highlight=False,
        )
        for k in result.exposed[:20]:
            out.print(f"  exposed: {k!r}", highlight=False, markup=False)
    if result.exposed:
        raise typer.Exit(1)
