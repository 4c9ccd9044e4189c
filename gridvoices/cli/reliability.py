"""``gridvoices check`` (over :func:`gridvoices.stores.check.check`), ``gridvoices relink``
(over :meth:`gridvoices.stores.neo4j_store.Neo4jStore.link_periods`) and ``--wait`` for import."""

from __future__ import annotations

from typing import Annotated

import typer

from gridvoices.cli.common import JsonOpt, command, err, fail, print_json, say

__all__ = ["check", "relink", "WaitOpt", "wait_seconds"]

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


@command("relink", periods=False, output=False, small_counts=False)
def relink(
    eco,
    batch: Annotated[
        int, typer.Option("--batch", min=100, help="REFERS relationships per transaction.")
    ] = 10_000,
) -> None:
    """Neo4j: give a database written before the per-period links its links, in batches, so
    paths over some periods search them (an import links a small database by itself)."""
    from gridvoices.ecosystem.issues import StoreError

    store = eco.store()
    if store.kind != "neo4j":
        fail("relink is for a Neo4j store (--store neo4j): the embedded store has no links", 2)
    try:
        periods = store.link_periods(batch)
    except StoreError as e:
        fail(str(e))
    err.print(
        f"every REFERS is linked for {len(periods)} periods: {', '.join(periods) or 'none'}",
        highlight=False,
    )
