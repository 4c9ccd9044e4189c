"""``gridvoices check`` (over :func:`gridvoices.stores.check.check`) and ``--wait`` for import."""

from __future__ import annotations

from typing import Annotated

import typer

from gridvoices.cli.common import JsonOpt, command, err, print_json, say

__all__ = ["check", "WaitOpt", "wait_seconds"]

# For `import` (wired by main.py): queue behind another import instead of refusing.
WaitOpt = Annotated[
    str | None,
    typer.Option(
        "--wait",
        help="If another import is writing to the store, wait for it: seconds, or 'forever' "
        "(default: $GRIDVOICES_WAIT, else refuse at once, naming the other import).",
        show_default=False,
    ),
]


def wait_seconds(wait: str | None) -> float | None:
    """``--wait`` as seconds for :func:`gridvoices.stores.store.import_paths` (None: default)."""
    if wait is None:
        return None
    if wait.strip().lower() in ("forever", "inf"):
        return float("inf")
    try:
        return max(0.0, float(wait))
    except ValueError:
        raise typer.BadParameter(
            f"{wait!r}: give seconds, or 'forever'", param_hint="--wait"
        ) from None


@command("check", periods=False, output=False, small_counts=False)
def check(eco, as_json: JsonOpt = False) -> None:
    """Check the store is whole: every reference resolves, derived data matches the records,
    no import is half done. Exit code 2 when a problem is found."""
    from gridvoices.stores.check import check as check_store

    problems = check_store(eco.store())
    if as_json:
        print_json({"store": eco.kind, "ok": not problems, "problems": problems})
    else:
        for p in problems:
            say(p)
        err.print(
            f"the {eco.kind} store is whole" if not problems else f"{len(problems)} problems",
            highlight=False,
        )
    raise typer.Exit(0 if not problems else 2)
