"""``gridvoices neo4j ...``: thin commands around :mod:`gridvoices.stores.neo4j_server`.

Wired into the main CLI with ``app.add_typer(neo4j_app, name="neo4j")``.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from gridvoices.stores.neo4j_server import Neo4jServerError

__all__ = ["neo4j_app"]

neo4j_app = typer.Typer(
    help=(
        "Run a throw-away local Neo4j 5.26 Community server (jars from Maven Central, "
        "Java 17, no Docker), listening on 127.0.0.1 only."
    ),
    no_args_is_help=True,
)

HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Server folder [default: $GRIDVOICES_NEO4J_HOME or ~/.cache/gridvoices/neo4j].",
        show_default=False,
    ),
]


def _server() -> ModuleType:
    # Loaded by the neo4j commands only: every other command registers this group too.
    from gridvoices.stores import neo4j_server

    return neo4j_server


def _fail(exc: Neo4jServerError) -> NoReturn:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(1)


@neo4j_app.command()
def start(
    home: HomeOpt = None,
    port: Annotated[
        int | None,
        typer.Option(help="Bolt port on 127.0.0.1 [default: the previous one, or a free one]."),
    ] = None,
    heap: Annotated[str, typer.Option(help="JVM maximum heap, e.g. 1g.")] = "1g",
    pagecache: Annotated[
        str, typer.Option(help="Page cache for the store files, e.g. 2g for a national graph.")
    ] = "256m",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the server.")] = 90,
) -> None:
    """Start the server (fetching the jars with Maven the first time)."""
    server = _server()
    try:
        info = server.start(home, port=port, heap=heap, pagecache=pagecache, timeout=timeout)
    except server.Neo4jServerError as exc:
        _fail(exc)
    typer.echo(f"Neo4j {info.version} {info.edition} running at {info.uri} (pid {info.pid})")
    typer.echo(f"started in {info.startup_seconds:.1f} s; user {info.user}")
    if os.environ.get("NEO4J_PASSWORD"):
        typer.echo("password: taken from NEO4J_PASSWORD")
    else:
        typer.echo(
            f"password: in {info.home / 'state.json'} (gridvoices neo4j env --show-password)"
        )


@neo4j_app.command()
def stop(
    home: HomeOpt = None,
    timeout: Annotated[float, typer.Option(help="Seconds before SIGKILL.")] = 60,
) -> None:
    """Stop the server."""
    server = _server()
    try:
        stopped = server.stop(home, timeout=timeout)
    except server.Neo4jServerError as exc:
        _fail(exc)
    typer.echo("stopped" if stopped else "not running")


@neo4j_app.command()
def status(home: HomeOpt = None) -> None:
    """Show the running server; exit code 1 when it is not running."""
    server = _server()
    try:
        info = server.status(home)
    except server.Neo4jServerError as exc:
        _fail(exc)
    if info is None:
        typer.echo("not running")
        raise typer.Exit(1)
    typer.echo(f"Neo4j {info.version} {info.edition} running at {info.uri}")
    typer.echo(f"pid {info.pid}; home {info.home}; started in {info.startup_seconds:.1f} s")


@neo4j_app.command()
def env(
    home: HomeOpt = None,
    show_password: Annotated[
        bool, typer.Option("--show-password", help="Also print NEO4J_PASSWORD.")
    ] = False,
) -> None:
    """Print export lines: eval "$(gridvoices neo4j env --show-password)"."""
    server = _server()
    try:
        conn = server.local_connection(home)
    except server.Neo4jServerError as exc:
        _fail(exc)
    if conn is None:
        typer.echo("Error: the local Neo4j server is not running", err=True)
        raise typer.Exit(1)
    uri, user, password = conn
    typer.echo(f"export NEO4J_URI={shlex.quote(uri)}")
    typer.echo(f"export NEO4J_USERNAME={shlex.quote(user)}")
    if show_password:
        typer.echo(f"export NEO4J_PASSWORD={shlex.quote(password)}")


@neo4j_app.command()
def reset(
    home: HomeOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Stop the server and delete its database, logs and password (the jars stay)."""
    server = _server()
    target = server.server_home(home)
    if not yes:
        typer.confirm(f"Delete the local Neo4j data in {target}?", abort=True)
    try:
        server.reset(target)
    except server.Neo4jServerError as exc:
        _fail(exc)
    typer.echo(f"reset {target}")
