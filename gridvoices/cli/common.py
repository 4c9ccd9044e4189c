"""Options and helpers shared by every ``gridvoices`` command (declared once, reused)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from gridvoices.ecosystem.periods import PeriodError, choose_periods

app = typer.Typer(
    help="GRID Voices: model a recovery ecosystem as a network — import partner data, "
    "find barriers and isolated services, draw the network.",
    no_args_is_help=True,
    add_completion=False,
    # Locals in a traceback could include a password or partner data.
    pretty_exceptions_show_locals=False,
)
out = Console()
err = Console(stderr=True)

# Options that mean the same thing everywhere are declared once.
StoreOpt = Annotated[
    str,
    typer.Option(
        "--store",
        help="embedded (SQLite file, no server) or neo4j (NEO4J_URI/USERNAME/PASSWORD/DATABASE).",
        envvar="GRIDVOICES_STORE",
    ),
]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Folder of the embedded store (default: $GRIDVOICES_WORKSPACE or the current one).",
        envvar="GRIDVOICES_WORKSPACE",
    ),
]
PeriodOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--period", "-p", help="Period or range, e.g. 2024-Q1 or 2024-Q1..2024-Q4; repeatable."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or chatter.")]
ShowSmallOpt = Annotated[
    bool,
    typer.Option(
        "--show-small-counts",
        help="Show referral counts of 1-4 instead of '*'. Only for data you may disclose.",
    ),
]
UriOpt = Annotated[
    str | None, typer.Option("--neo4j-uri", help="bolt://, neo4j:// or neo4j+s:// (or NEO4J_URI).")
]
UserOpt = Annotated[
    str | None, typer.Option("--neo4j-user", help="Neo4j user (or NEO4J_USERNAME).")
]
DbOpt = Annotated[
    str | None, typer.Option("--neo4j-database", help="Database (or NEO4J_DATABASE).")
]


def fail(message: str, code: int = 1):
    err.print(f"[red]Error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def open_store_from_cli(store: str, workspace, uri=None, user=None, database=None):
    from gridvoices.stores.store import open_store

    if store not in ("embedded", "neo4j"):
        fail(f"--store must be 'embedded' or 'neo4j', not {store!r}")
    if store == "embedded":
        return open_store("embedded", workspace=workspace)
    # Imported only for Neo4j: the driver module also loads pandas, which a question
    # answered from the embedded store does not need.
    from gridvoices.stores.neo4j_store import Neo4jConnectionError

    password = None
    if uri and not _env_password() and sys.stdin.isatty():
        password = typer.prompt("Neo4j password", hide_input=True)
    try:
        return open_store("neo4j", uri=uri, user=user, password=password, database=database)
    except Neo4jConnectionError as e:
        fail(str(e))


def _env_password():
    import os

    return os.environ.get("NEO4J_PASSWORD")


def periods_option(store, specs):
    try:
        return choose_periods(store.periods(), specs)
    except PeriodError as e:
        fail(str(e), 2)


def progress_bar(quiet: bool):
    if quiet or not err.is_terminal:
        return None, None
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}"),
        console=err,
        transient=True,
    )
    tasks: dict[str, int] = {}

    def update(name, done, total):
        if name not in tasks:
            tasks[name] = bar.add_task(f"importing {name}", total=total)
        bar.update(tasks[name], completed=done)

    return bar, update


def print_json(data) -> None:
    if not out.is_terminal:
        # The text rich would print without colour, written directly: highlighting
        # thousands of rows that go to a pipe or file took most of a second.
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    out.print_json(json.dumps(data, default=str))


def print_table(title: str, rows: list[dict], columns: list[str] | None = None) -> None:
    if not rows:
        out.print(f"{title}: none")
        return
    columns = columns or list(rows[0])
    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c.replace("_", " "), overflow="fold")
    for r in rows:
        t.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in columns))
    out.print(t)


def run_named(
    name: str,
    store: str,
    workspace,
    period,
    show_small_counts: bool,
    uri=None,
    user=None,
    database=None,
    *,
    args: tuple = (),
    **kwargs,
):
    """Open the store, answer named query ``name`` for the chosen periods, return it as shown.

    Query errors become ``Error: …`` with exit code 2; small counts are suppressed
    (in numbers and in the ``why`` sentences) unless ``show_small_counts``.
    """
    from gridvoices.ecosystem.errors import QueryError
    from gridvoices.ecosystem.privacy import suppression
    from gridvoices.queries.run import answer
    from gridvoices.visualise.render import shown

    db = open_store_from_cli(store, workspace, uri, user, database)
    try:
        with suppression(not show_small_counts):
            result = answer(db, name, *args, periods=periods_option(db, period), **kwargs)
    except QueryError as e:
        fail(str(e), 2)
    finally:
        db.close()
    return shown(result, suppress=not show_small_counts)


def graph_from_cli(store: str, workspace, period, uri=None, user=None, database=None):
    """Open the store, build the NetworkX projection for ``--period``, close the store."""
    from gridvoices.queries.run import load_graph

    db = open_store_from_cli(store, workspace, uri, user, database)
    try:
        return load_graph(db, periods_option(db, period))
    finally:
        db.close()
