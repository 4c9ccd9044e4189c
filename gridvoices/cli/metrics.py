"""``gridvoices metrics``: centrality, brokers and communities of the referral network."""

from __future__ import annotations

from typing import Annotated

import typer

from gridvoices.cli.common import command, out, print_table, say


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


@command()
def metrics(
    eco,
    show,
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
    period=None,
) -> None:
    """Brokers, centrality and communities of the referral network in the chosen periods."""
    r = eco.metrics(top, seed, exact_max_nodes, pivots, write_neo4j, periods=period)

    def tables(data):
        _print(data, top)
        if data.get("written_to_neo4j") is not None:
            say(
                f"Wrote betweenness, pagerank, constraint, community and volumes to "
                f"{data['written_to_neo4j']} nodes in Neo4j."
            )

    show.result(r, tables)
