"""``gridvoices metrics``: centrality, brokers and communities of the referral network."""

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
    out,
    print_json,
    print_table,
)
from gridvoices.cli.common import open_store_from_cli as _open
from gridvoices.cli.common import periods_option as _periods
from gridvoices.ecosystem.privacy import suppress
from gridvoices.visualise import render

# Referral counts in the output: 1-4 are shown as '*' unless --show-small-counts.
_COUNT_COLUMNS = ("in_volume", "out_volume", "weighted_degree")
_COUNT_KEYS = ("internal_weight", "weight_out", "weight_in")


def _shown(result, top: int, hide_small: bool) -> dict:
    from gridvoices.queries.metrics.centrality import brokers

    data = result.as_dict()
    if result.weight == "referrals":
        for row in data["nodes"]:
            for c in _COUNT_COLUMNS:
                row[c] = suppress(row[c], enabled=hide_small)
        for row in data["communities"]:
            for c in _COUNT_KEYS:
                row[c] = suppress(int(row[c]), enabled=hide_small)
    data["brokers"] = brokers(result, top)
    return data


def _pct(x) -> str:
    return "" if x is None else f"{x:.0%}"


def _top_items(items: list[dict], key: str, label: str, limit: int = 3) -> str:
    shown = [f"{i[label]} {i[key]}" for i in items[:limit]]
    if len(items) > limit:
        shown.append(f"+{len(items) - limit} more")
    return ", ".join(shown)


def _print(data: dict, top: int) -> None:
    m = data["method"]
    out.print(f"Periods: {', '.join(data['periods']) or 'none'}", highlight=False)
    for note in data["notes"]:
        out.print(note, highlight=False, markup=False, soft_wrap=True)
    rows = [
        {
            "rank": b["rank"],
            "id": b["id"],
            "name": b["name"],
            "district": b["district_name"],
            "betweenness": f"{b['betweenness']:.3f}",
            "route share": _pct(b["route_share"]),
            "constraint": "" if b["constraint"] is None else f"{b['constraint']:.2f}",
            "community": b["community"],
            "why": b["why"],
        }
        for b in data["brokers"]
    ]
    est = f", sampled k={m['k']}, seed {m['seed']}" if m["betweenness_method"] == "sampled" else ""
    print_table(f"Top {top} brokers (hop betweenness{est})", rows)
    many = [c for c in data["communities"] if c["size"] > 1]
    singles = len(data["communities"]) - len(many)
    crows = [
        {
            "community": c["community"],
            "size": c["size"],
            "services": c["services"],
            "groups": c["groups"],
            "districts": _top_items(c["districts"], "nodes", "name"),
            "org kinds": _top_items(c["org_kinds"], "nodes", "kind"),
            "kept inside": _pct(c["internal_share"]),
            "hub (top PageRank)": c["hub_name"],
        }
        for c in many[: max(top, 10)]
    ]
    title = f"Communities (Leiden, seed {m['community_seed']}): {len(many)} with 2 or more"
    print_table(title, crows)
    if len(many) > len(crows):
        out.print(f"... and {len(many) - len(crows)} smaller communities (see --json).")
    if singles:
        out.print(
            f"{singles} service(s) or group(s) with no referral partner form communities "
            "of their own.",
            highlight=False,
        )


@app.command()
def metrics(
    top: Annotated[int, typer.Option("--top", "-n", help="How many brokers to list.")] = 10,
    write_neo4j: Annotated[
        bool,
        typer.Option(
            "--write-neo4j",
            help="Also store the measures as node properties in Neo4j (needs --store neo4j).",
        ),
    ] = False,
    seed: Annotated[
        int, typer.Option("--seed", help="Seeds the betweenness pivots and Leiden.")
    ] = 0,
    exact_max_nodes: Annotated[
        int,
        typer.Option(
            "--exact-max-nodes", help="Exact betweenness up to this many services and groups."
        ),
    ] = 2000,
    pivots: Annotated[
        int | None,
        typer.Option(
            "--pivots",
            "-k",
            help="Estimate betweenness from this many pivot searches (default: exact up to "
            "--exact-max-nodes, then max(256, n/25) up to 1000).",
        ),
    ] = None,
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    period: PeriodOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    as_json: JsonOpt = False,
    show_small_counts: ShowSmallOpt = False,
) -> None:
    """Brokers, centrality and communities of the referral network in the chosen periods."""
    from gridvoices.ecosystem.errors import QueryError
    from gridvoices.queries.metrics.centrality import centrality, write_metrics_neo4j
    from gridvoices.queries.run import load_graph

    if top < 0:
        fail("--top must be 0 or more", 2)
    if write_neo4j and store != "neo4j":
        fail("--write-neo4j needs --store neo4j (measures go to the nodes they came from)", 2)
    db = _open(store, workspace, neo4j_uri, neo4j_user, neo4j_database)
    written = None
    try:
        G = load_graph(db, _periods(db, period))
        result = centrality(G, exact_max_nodes=exact_max_nodes, k=pivots, seed=seed)
        if write_neo4j:
            written = write_metrics_neo4j(db, result)
    except QueryError as e:
        fail(str(e), 2)
    finally:
        db.close()
    data = _shown(result, top, not show_small_counts)
    data["span"] = render.span(G)
    if written is not None:
        data["written_to_neo4j"] = written
    if as_json:
        print_json(data)
        return
    _print(data, top)
    if written is not None:
        out.print(
            f"Wrote betweenness, pagerank, constraint, community and volumes to {written} "
            "nodes in Neo4j.",
            highlight=False,
        )
