"""What every ``gridvoices`` command shares: the app, its consoles, and :func:`command`, which
declares the store, period and output options once and hands the command an open
:class:`~gridvoices.api.Ecosystem`."""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from gridvoices.cli.coercion import install

# Plain option values skip Pydantic (see gridvoices/cli/coercion.py): ~0.1 s of every start.
install()

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
        "--period", "-p", help="Period or range, e.g. 2024-Q1 or 2024-Q1..Q4; repeatable."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
CsvOpt = Annotated[
    Path | None,
    typer.Option(
        "--csv",
        help="Write the tables as CSV: to this file ('-' for standard output) when there is "
        "one, else into this folder, a file per table.",
    ),
]
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

_STORE_PARAMS = {
    "store": (StoreOpt, "embedded"),
    "workspace": (WorkspaceOpt, None),
    "neo4j_uri": (UriOpt, None),
    "neo4j_user": (UserOpt, None),
    "neo4j_database": (DbOpt, None),
}


def fail(message: str, code: int = 1):
    err.print(f"[red]Error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def say(text: str) -> None:
    """A plain line: partner strings are never read as markup."""
    out.print(text, highlight=False, markup=False)


@dataclass
class Show:
    """How a command prints its result: JSON, CSV or tables."""

    as_json: bool = False
    csv: Path | None = None

    def result(self, result, tables: Callable[[Any], None]) -> None:
        """Print ``result`` as JSON or CSV when asked, else through ``tables(data)``."""
        if self.as_json:
            print_json(result.data)
        elif self.csv is not None:
            write_csv(result, self.csv)
        else:
            tables(result.data)


def write_csv(result, target: Path) -> None:
    names = result.tables
    if not names:
        fail(f"{result.question} has no table to write as CSV; use --json", 2)
    if str(target) == "-":
        if len(names) > 1:
            fail(f"{result.question} has {len(names)} tables; give --csv a folder", 2)
        result.to_csv(sys.stdout, names[0])
        return
    if len(names) == 1 and target.suffix.lower() == ".csv":
        result.to_csv(target, names[0])
        err.print(f"Wrote {target}", highlight=False)
        return
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        result.to_csv(target / f"{name}.csv", name)
    err.print(f"Wrote {len(names)} tables to {target}/", highlight=False)


def open_ecosystem(
    store: str, workspace, uri=None, user=None, database=None, *, show_small_counts: bool = False
):
    """The :class:`~gridvoices.api.Ecosystem` the store options name; Neo4j connects now, so
    a wrong address or password is reported before any work."""
    import gridvoices

    if store not in ("embedded", "neo4j"):
        fail(f"--store must be 'embedded' or 'neo4j', not {store!r}", 2)
    if store == "embedded":
        return gridvoices.open(workspace, show_small_counts=show_small_counts)
    from gridvoices.stores.neo4j_store import Neo4jConnectionError

    password = None
    if uri and not os.environ.get("NEO4J_PASSWORD") and sys.stdin.isatty():
        password = typer.prompt("Neo4j password", hide_input=True)
    eco = gridvoices.connect(
        uri, user=user, password=password, database=database, show_small_counts=show_small_counts
    )
    try:
        eco.store()
    except Neo4jConnectionError as e:
        fail(str(e))
    return eco


def command(
    name: str | None = None, *, periods: bool = True, output: bool = True, small_counts: bool = True
):
    """Register a command that takes ``eco`` (an open Ecosystem) and, with ``output``, ``show``.

    The store options (--store, --workspace, --neo4j-*) and, as asked, --period, --json,
    --csv and --show-small-counts are added here, once for every command; the chosen
    periods reach the command as ``period``. A QueryError (a bad option, an unknown id, an
    empty workspace) ends the command with its message and exit code 2.
    """

    def register(fn: Callable) -> Callable:
        own = [
            p
            for p in inspect.signature(fn, eval_str=True).parameters.values()
            if p.name not in ("eco", "show")
        ]
        extra = dict(_STORE_PARAMS)
        if periods:
            extra["period"] = (PeriodOpt, None)
        if output:
            extra["as_json"] = (JsonOpt, False)
            extra["csv"] = (CsvOpt, None)
        if small_counts:
            extra["show_small_counts"] = (ShowSmallOpt, False)
        own = [p for p in own if p.name not in extra]
        params = own + [
            inspect.Parameter(k, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=d, annotation=a)
            for k, (a, d) in extra.items()
        ]

        @functools.wraps(fn)
        def run(**kw):
            from gridvoices.ecosystem.errors import OptionError, QueryError

            conn = [kw.pop(k) for k in _STORE_PARAMS]
            show = Show(kw.pop("as_json", False), kw.pop("csv", None))
            if show.as_json and show.csv is not None:
                fail("give --json or --csv, not both", 2)
            eco = open_ecosystem(*conn, show_small_counts=kw.pop("show_small_counts", False))
            try:
                return fn(eco=eco, **({"show": show} if output else {}), **kw)
            except OptionError as e:
                fail(e.flag(), 2)
            except QueryError as e:
                fail(str(e), 2)
            finally:
                eco.close()

        run.__signature__ = inspect.Signature(params)
        run.__annotations__ = {p.name: p.annotation for p in params}
        return app.command(name)(run)

    return register


def progress_bar(quiet: bool):
    if quiet or not err.is_terminal:
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn  # only an import shows a bar

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


# A column whose every cell is one short token (an id, a flag, a number) is never wrapped:
# at 80 columns rich would otherwise fold "no_peer_support" inside the word.
_TOKEN = 28


def print_table(title: str, rows: list[dict], columns: list[str] | None = None) -> None:
    if not rows:
        out.print(f"{title}: none", highlight=False, markup=False)
        return
    columns = columns or list(rows[0])
    if len(rows) == 1 and len(columns) > 4:
        # One wide record reads better down the page than squeezed across it.
        rows = [{"": c.replace("_", " "), " ": rows[0].get(c)} for c in columns]
        columns = ["", " "]
    cells = [["" if r.get(c) is None else str(r.get(c)) for c in columns] for r in rows]
    widths = [_min_width(c, [row[i] for row in cells]) for i, c in enumerate(columns)]
    if sum(widths) + 2 * len(widths) > out.width:
        _print_records(title, columns, cells)
        return
    # Light rules and one space between columns: at 80 columns every character counts.
    t = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        collapse_padding=True,
        show_edge=False,
    )
    for i, (c, width) in enumerate(zip(columns, widths, strict=True)):
        values = [row[i] for row in cells]
        fixed = all(" " not in v for v in values)  # tokens: exactly as wide as they need
        t.add_column(
            c.replace("_", " "),
            min_width=width,
            max_width=width if fixed else None,
            overflow="fold",
        )
    for row in cells:
        t.add_row(*(Text(v) for v in row))  # partner text is never read as markup
    out.print(t)


def _min_width(column: str, values: list[str]) -> int:
    """Short tokens (ids, flags, numbers) whole; text wide enough to wrap between words."""
    head_word = max(len(w) for w in column.replace("_", " ").split() or [""])
    if all(" " not in v for v in values) and max(map(len, values)) <= _TOKEN:
        return max(head_word, *map(len, values))
    return min(max(head_word, *(len(w) for v in values for w in v.split())), 14)


def _print_records(title: str, columns: list[str], cells: list[list[str]]) -> None:
    """A table too wide for the terminal, one record after another."""
    out.print(title, highlight=False, markup=False)
    for row in cells:
        out.print("", highlight=False)
        for c, v in zip(columns, row, strict=True):
            if v:
                label = Text(f"  {c.replace('_', ' ')}: ", style="bold")
                out.print(label + Text(v), highlight=False, soft_wrap=False)
