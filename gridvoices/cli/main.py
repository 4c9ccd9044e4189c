"""The ``gridvoices`` command line: thin wrappers over the library functions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import (
    DbOpt,
    JsonOpt,
    QuietOpt,
    UriOpt,
    UserOpt,
    WorkspaceOpt,
    app,
    command,
    err,
    fail,
    open_ecosystem,
    out,
    print_json,
    print_table,
    progress_bar,
    say,
)
from gridvoices.cli.issue_lines import grouped_lines
from gridvoices.cli.reliability import WaitOpt, wait_seconds
from gridvoices.visualise import render

VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="List every problem (by default problems of one kind seen 4 or more times "
        "are one line with a count and the first locations).",
    ),
]


def _report_issues(report, as_json: bool, limit: int = 50, verbose: bool = False) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    lines = report.lines(None) if verbose else grouped_lines(report.issues, limit=limit)
    for line in lines:
        out.print(line, highlight=False, markup=False, emoji=False, soft_wrap=True)


@app.command()
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Partner files in any format gridvoices reads (see `import`)."),
    ],
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Check partner files without storing anything. Exit code 2 when there are errors."""
    from gridvoices.stores.store import validate_paths

    report, typed = validate_paths(paths)
    _report_issues(report, as_json, verbose=verbose)
    if not as_json:
        rows = ", ".join(f"{k} {len(v)}" for k, v in typed.items())
        msg = "valid" if report.valid else f"{len(report.errors)} errors"
        err.print(f"{msg}; {len(report.warnings)} warnings; rows: {rows}", highlight=False)
    raise typer.Exit(0 if report.valid else 2)


@command("import", periods=False, output=False, small_counts=False)
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Partner files: a folder of CSV files, a workbook (.xlsx), an Open Referral / "
            "HSDS directory (folder or JSON), or a Meeting Guide JSON list."
        ),
    ],
    eco,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Name this source (default: the path). Importing a source again replaces "
            "its records.",
        ),
    ] = None,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="Load the valid records and set each rejected one aside (with where and why) "
            "instead of loading nothing. Still one transaction.",
        ),
    ] = False,
    set_aside: Annotated[
        Path | None,
        typer.Option(
            "--set-aside",
            help="With --partial: CSV of the records left out (default: "
            "set-aside.csv beside the store).",
        ),
    ] = None,
    wait: WaitOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Validate partner files or a workbook and store them, all or nothing (or, with --partial,
    the valid records). Exit 2 on bad data."""
    from gridvoices.ecosystem.issues import ImportRejected, StoreError

    if set_aside is not None and not partial:
        fail("--set-aside goes with --partial", 2)
    from gridvoices.cli.bulk_memory import for_bulk_import

    for_bulk_import()  # fewer page faults for a process that imports, then exits
    seconds = wait_seconds(wait)
    bar, update = progress_bar(quiet)
    try:
        if bar:
            with bar:
                result = eco.import_files(
                    *paths, source=source, progress=update, partial=partial, wait=seconds
                )
        else:
            result = eco.import_files(*paths, source=source, partial=partial, wait=seconds)
    except ImportRejected as e:
        _report_issues(e.report, as_json, verbose=verbose)
        if not as_json:
            note = " (these errors concern whole files, not records)" if partial else ""
            err.print(f"Error: {e}{note}", highlight=False)
        raise typer.Exit(2) from None
    except StoreError as e:
        fail(str(e), 1)
    if as_json:
        print_json(
            {
                "store": eco.kind,
                "source": result.source.name if result.source else None,
                "rows": result.rows,
                "seconds": round(result.seconds, 3),
                "warnings": [i.as_dict() for i in result.report.warnings],
            }
        )
        return
    warnings = result.report.warnings
    for w in [str(i) for i in warnings] if verbose else grouped_lines(warnings, limit=20):
        err.print(w, highlight=False, markup=False, emoji=False, soft_wrap=True)
    if not quiet:
        rows = ", ".join(f"{k} {v}" for k, v in result.rows.items())
        where = f" ({eco.path})" if eco.path else ""
        say(f"Imported into the {eco.kind} store{where} in {result.seconds:.2f} s: {rows}")
    if partial:
        from gridvoices.cli.directories import report_set_aside

        report_set_aside(eco, result, set_aside)


@command()
def summary(eco, show, period=None) -> None:
    """Counts by type and by district, with referral volumes."""
    r = eco.summary(periods=period)

    def tables(data):
        say(f"Periods: {', '.join(data['periods']) or 'none'}")
        print_table("Totals", [data["totals"]])
        print_table("By district", data["districts"])

    show.result(r, tables)


@command()
def paths(
    source: Annotated[
        str, typer.Argument(help="Service or group referrals start from: an id or a name.")
    ],
    target: Annotated[str, typer.Argument(help="Service or group they should reach.")],
    eco,
    show,
    k: Annotated[
        int, typer.Option("--max-hops", "-k", help="All paths up to this many hops (1-8).")
    ] = 4,
    period=None,
) -> None:
    """Referral paths from SOURCE to TARGET: the shortest, and all up to k hops with their flows."""
    r = eco.paths(source, target, k=k, periods=period)

    def tables(data):
        s, t = data["source"], data["target"]
        if not data["up_to_k"] and not data["shortest"]:
            say(f"No referral path from {s} to {t}.")
            return
        say(f"Shortest ({len(data['shortest'])}):")
        for p in data["shortest"]:
            say("  " + render.path_line(p))
        say(f"All paths up to {data['max_hops']} hops ({len(data['up_to_k'])}):")
        for p in data["up_to_k"]:
            say("  " + render.path_line(p))

    show.result(r, tables)


@command()
def isolated(
    eco,
    show,
    k: Annotated[
        int, typer.Option("--peer-hops", "-k", help="Flag services with no peer link this near.")
    ] = 2,
    flag: Annotated[
        list[str] | None,
        typer.Option("--flag", help="Only these flags (no_flows, detached, dead_end, ...)."),
    ] = None,
    period=None,
) -> None:
    """Isolated services: no flows, detached, dead ends, single bridges, no peer support."""
    r = eco.isolated(k=k, flags=flag, periods=period)
    show.result(
        r,
        lambda rows: print_table(
            "Isolated services and groups", rows, ["flag", "id", "name", "district_name", "why"]
        ),
    )


@app.command()
def cypher(
    statement: Annotated[str, typer.Argument(help="A Cypher statement; use $name for values.")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="name=value (JSON values accepted); repeatable."),
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Allow the statement to write.")] = False,
    admin: Annotated[
        bool,
        typer.Option(
            "--admin",
            help="Also allow LOAD CSV, SHOW, TERMINATE and other administration (refused "
            "otherwise, even with --write).",
        ),
    ] = False,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run Cypher against Neo4j, read-only unless --write is given."""
    import neo4j.exceptions

    params = {}
    for p in param or []:
        name, sep, value = p.partition("=")
        if not sep:
            fail(f"--param {p!r} must look like name=value", 2)
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    eco = open_ecosystem("neo4j", None, neo4j_uri, neo4j_user, neo4j_database)
    try:
        rows = eco.cypher(statement, params, write=write, admin=admin).data
    except neo4j.exceptions.Neo4jError as e:
        msg = e.message or str(e)
        if "write" in msg.lower() and not write:
            msg += " (the statement writes: add --write if you mean it)"
        fail(msg, 2)
    finally:
        eco.close()
    if as_json:
        print_json(rows)
    else:
        print_table(f"{len(rows)} rows", rows)


@app.command()
def demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the results.")] = Path(
        "gridvoices-out"
    ),
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Import the shipped illustrative Derbyshire data into the embedded store and write results."""
    from gridvoices.demo import run_demo

    result = run_demo(output, workspace=workspace)
    if not quiet:
        out.print(
            f"Imported the illustrative Derbyshire data ({result['rows']} rows) into "
            f"{result['store']}",
            highlight=False,
        )
        out.print("Findings:", highlight=False)
        for line in result["findings"]:
            out.print(f"  - {line}", highlight=False, markup=False)
        out.print("Wrote:", highlight=False)
        for name, path in result["files"].items():
            out.print(f"  {name}: {path}", highlight=False)
    out.print(f"Open {result['files']['view']} in a browser.", highlight=False)
    if not quiet:
        ws = "" if workspace is None else f" --workspace {workspace}"
        say(
            f"The data is in {result['store']}; ask it more, e.g.\n"
            f"  gridvoices summary{ws}\n"
            f"  gridvoices paths 'Lantern Recovery Hub' svc-housing-av -k 3{ws}"
        )


@command(periods=False, small_counts=False)
def sources(eco, show) -> None:
    """The sources loaded: name, format, when imported and how many records each holds."""
    r = eco.sources()

    def tables(rows):
        flat = [
            {
                **{k: v for k, v in x.items() if k != "rows"},
                "records": ", ".join(f"{k} {v}" for k, v in x["rows"].items()),
            }
            for x in rows
        ]
        print_table("Sources", flat, ["source", "format", "imported_at", "records"])

    show.result(r, tables)


def _register() -> None:
    # Command modules add themselves to `app` when imported.
    import gridvoices.cli.analyses  # noqa: F401
    import gridvoices.cli.audit  # noqa: F401
    import gridvoices.cli.contagion  # noqa: F401
    import gridvoices.cli.directories  # noqa: F401
    import gridvoices.cli.index  # noqa: F401
    import gridvoices.cli.metrics  # noqa: F401
    import gridvoices.cli.partners  # noqa: F401
    import gridvoices.cli.reliability  # noqa: F401
    import gridvoices.cli.report  # noqa: F401
    import gridvoices.cli.views  # noqa: F401
    import gridvoices.cli.voices  # noqa: F401
    from gridvoices.cli.neo4j import neo4j_app

    app.add_typer(
        neo4j_app, name="neo4j", help="Start, stop or check a local Neo4j for development."
    )


_register()


if __name__ == "__main__":
    app()
