"""``gridvoices barriers | coverage | compare``: the boundary and coverage analyses."""

from __future__ import annotations

from typing import Annotated

import typer

from gridvoices.cli.common import (
    DbOpt,
    JsonOpt,
    PeriodOpt,
    ShowSmallOpt,
    StoreOpt,
    UriOpt,
    UserOpt,
    WorkspaceOpt,
    app,
    fail,
    open_store_from_cli,
    out,
    periods_option,
    print_json,
    print_table,
    run_named,
)

__all__ = ["barriers", "coverage", "compare"]


@app.command()
def barriers(
    min_permeability: Annotated[
        float, typer.Option(help="Bordering pairs below this observed/expected ratio are barriers.")
    ] = 0.1,
    top: Annotated[int, typer.Option(help="How many boundary spanners to list.")] = 10,
    weight_by_feedback: Annotated[
        bool,
        typer.Option(help="Weight each referral link by how people rated it (>= 5 ratings)."),
    ] = False,
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    period: PeriodOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    as_json: JsonOpt = False,
    show_small_counts: ShowSmallOpt = False,
) -> None:
    """Borders and organisational boundaries that referrals do not cross, and who spans them."""
    r = run_named(
        "barriers",
        store,
        workspace,
        period,
        show_small_counts,
        neo4j_uri,
        neo4j_user,
        neo4j_database,
        min_permeability=min_permeability,
        weight_by_feedback=weight_by_feedback,
    )
    if as_json:
        print_json(r)
        return
    out.print(f"Null model: {r['null_model']}", highlight=False)
    print_table(
        "Bordering districts (barriers first)",
        r["borders"],
        ["a_name", "b_name", "observed", "expected", "permeability", "barrier"],
    )
    for b in r["borders"]:
        if b["barrier"]:
            out.print(f"[bold]Barrier:[/bold] {b['why']}", highlight=False)
    print_table(
        "Districts looking inward",
        [x for x in r["inward"] if x["inward_looking"]],
        ["name", "internal", "sent", "internal_share", "expected_share", "why"],
    )
    print_table(
        "Organisations referring to themselves",
        r["silos"],
        ["name", "kind", "internal", "sent", "silo_share"],
    )
    print_table(
        "Organisation kinds that never refer to each other",
        r["kinds_never"],
        ["a", "b", "expected", "why"],
    )
    print_table(
        "Boundary spanners", r["spanners"][:top], ["id", "name", "cross_referrals", "share", "why"]
    )


@app.command()
def coverage(
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The seven community recovery domains in each district: how many, and which are missing."""
    r = run_named("coverage", store, workspace, None, False, neo4j_uri, neo4j_user, neo4j_database)
    if as_json:
        print_json(r)
        return
    print_table(
        "Active services and groups per community domain",
        r["districts"],
        ["name", *r["domains"], "covered"],
    )
    for row in r["districts"]:
        if row["missing"]:
            out.print(f"[bold]Missing:[/bold] {row['why']}", highlight=False)
    print_table("County", r["county"], ["label", "districts_covering", "services_and_groups"])


@app.command()
def compare(
    before: Annotated[
        str, typer.Argument(help="Period or range, e.g. 2024-Q1 or 2024-Q1..2024-Q2.")
    ],
    after: Annotated[str, typer.Argument(help="Period or range to compare with.")],
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    as_json: JsonOpt = False,
    show_small_counts: ShowSmallOpt = False,
) -> None:
    """What changed from BEFORE to AFTER: barriers, isolation, coverage."""
    from gridvoices.ecosystem.privacy import suppression
    from gridvoices.queries.compare import compare as compare_graphs
    from gridvoices.queries.graph import build_graph
    from gridvoices.visualise.render import shown

    db = open_store_from_cli(store, workspace, neo4j_uri, neo4j_user, neo4j_database)
    try:
        p1, p2 = periods_option(db, [before]), periods_option(db, [after])
        if not p1 or not p2:
            fail(
                f"no data for {before if not p1 else after}; periods held: "
                f"{', '.join(db.periods())}",
                2,
            )
        tables = db.read()
    finally:
        db.close()
    with suppression(not show_small_counts):
        r = compare_graphs(build_graph(tables, p1), build_graph(tables, p2))
    r = shown(r, suppress=not show_small_counts)
    if as_json:
        print_json(r)
        return
    out.print(f"{', '.join(r['before'])} -> {', '.join(r['after'])}", highlight=False)
    print_table("Borders that opened or closed", r["borders"], ["change", "why"])
    print_table("Isolation", r["isolation"], ["change", "flag", "id", "why"])
    print_table("Coverage gained or lost", r["coverage"], ["change", "why"])
