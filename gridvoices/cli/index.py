"""``gridvoices index | whatif | stats``: the district index, what-if scenarios, the statistics."""

from __future__ import annotations

from pathlib import Path
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
    graph_from_cli,
    out,
    print_json,
    print_table,
)

__all__ = ["index", "whatif", "stats"]

RunsOpt = Annotated[int, typer.Option("--runs", help="Monte Carlo runs per cascade.")]
SeedOpt = Annotated[
    int, typer.Option("--seed", help="Random seed; the same seed repeats the result.")
]
PopulationOpt = Annotated[
    Path | None,
    typer.Option(
        "--population",
        help="CSV of code,name,population (default: the shipped ONS mid-2022 estimates).",
    ),
]
WeightsOpt = Annotated[
    Path | None,
    typer.Option("--weights", help="TOML of component and indicator weights "
                 "(default: data/index-weights.toml)."),
]  # fmt: skip


def _run(fn, show_small_counts: bool):
    """``fn()`` with the small-count rule in force, query errors as exit code 2, shown as read."""
    from gridvoices.ecosystem.errors import QueryError
    from gridvoices.ecosystem.privacy import suppression
    from gridvoices.visualise.render import shown

    try:
        with suppression(not show_small_counts):
            return shown(fn(), suppress=not show_small_counts)
    except QueryError as e:
        fail(str(e), 2)


def _say(text: str) -> None:
    out.print(text, highlight=False, markup=False, soft_wrap=True)


def _fmt(x) -> str:
    return "" if x is None else f"{x:+.2f}" if isinstance(x, float) else str(x)


@app.command()
def index(
    population: PopulationOpt = None,
    weights: WeightsOpt = None,
    need: Annotated[
        Path | None,
        typer.Option(
            "--need",
            help="CSV of district,need (higher = more need): adds the "
            "need-versus-strength quadrants.",
        ),
    ] = None,  # fmt: skip
    runs: RunsOpt = 256,
    seed: SeedOpt = 42,
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    period: PeriodOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    as_json: JsonOpt = False,
    show_small_counts: ShowSmallOpt = False,
) -> None:
    """District recovery ecosystem index: bands 1 (strongest) to 5 from five network components."""
    from gridvoices.queries.index.scores import recovery_index

    G = graph_from_cli(store, workspace, period, neo4j_uri, neo4j_user, neo4j_database)
    r = _run(
        lambda: recovery_index(
            G, population=population, weights=weights, need=need, runs=runs, seed=seed
        ),
        show_small_counts,
    )
    if as_json:
        print_json(r)
        return
    comps = r["components"]
    rows = [
        {**d, **{c: _fmt(d[c]) for c in comps}, "score": _fmt(d["score"])} for d in r["districts"]
    ]
    print_table(
        "District recovery ecosystem index (band 1 = strongest; components: mean z-scores)",
        rows,
        ["rank", "name", "band", "score", *comps],
    )
    print_table(
        "Indicators (raw values; every indicator: higher is stronger)",
        [{"name": d["name"], **d["indicators"]} for d in r["districts"]],
    )
    _say(f"Band cut points on the overall score (20th-80th percentiles): {r['cut_points']}")
    for d in r["districts"]:
        _say(d["why"])
    _say(f"Sensitivity: {r['sensitivity']['why']}.")
    for n in r["notes"]:
        _say(f"Note: {n}.")
    if r["need"]:
        print_table(
            "Need versus strength (split at the medians)",
            r["need"]["points"],
            ["name", "score", "need", "quadrant"],
        )
        if r["need"]["missing"]:
            _say(f"Not in the need table: {', '.join(r['need']['missing'])}.")


def _scenarios(close, add_link, count, add_navigator, at, scenario) -> dict:
    from gridvoices.ecosystem.errors import QueryError
    from gridvoices.queries.index.whatif import parse_change

    direct = [{"close": c.strip()} for x in close or [] for c in x.split(",") if c.strip()]
    if add_link:
        direct.append({"add_link": list(add_link), "count": count})
    if add_navigator:
        direct.append({"add_navigator": add_navigator, **({"at": at} if at else {})})
    elif at:
        fail("--at goes with --add-navigator DISTRICT", 2)
    out_ = {"this change": direct} if direct else {}
    for i, text in enumerate(scenario or [], start=1):
        name, _, body = text.partition(":") if ":" in text else ("", "", text)
        try:
            out_[name.strip() or f"scenario {i}"] = [
                parse_change(c) for c in body.split(";") if c.strip()
            ]
        except QueryError as e:
            fail(str(e), 2)
    return out_


@app.command()
def whatif(
    close: Annotated[
        list[str] | None,
        typer.Option("--close", help="Close this service or group (repeatable, or a,b,c)."),
    ] = None,
    add_link: Annotated[
        tuple[str, str] | None,
        typer.Option("--add-link", help="Add referrals from A to B.", metavar="A B"),
    ] = None,
    count: Annotated[int, typer.Option("--count", help="Referrals on the added link.")] = 5,
    add_navigator: Annotated[
        str | None, typer.Option("--add-navigator", help="Add a navigator in this district.")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Base the new navigator at this service (default: the district's busiest)."
        ),
    ] = None,  # fmt: skip
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            help="A named scenario, e.g. 'bridge: add-link a b 10; "
            "close c; add-navigator E07000037 at s' (repeatable: compared side by side).",
        ),
    ] = None,  # fmt: skip
    rank: Annotated[
        bool | None,
        typer.Option(
            "--rank/--no-rank", help="Rank every closure (default: when no change is given)."
        ),
    ] = None,  # fmt: skip
    top: Annotated[int, typer.Option("--top", help="Closures to list.")] = 10,
    with_index: Annotated[
        bool, typer.Option("--index/--no-index", help="Recompute the index bands too.")
    ] = True,
    population: PopulationOpt = None,
    weights: WeightsOpt = None,
    runs: RunsOpt = 256,
    seed: SeedOpt = 42,
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    period: PeriodOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    as_json: JsonOpt = False,
    show_small_counts: ShowSmallOpt = False,
) -> None:
    """What if services closed, links or navigators were added: before -> after, and which
    single closure would hurt most."""
    from gridvoices.ecosystem.privacy import suppress
    from gridvoices.queries.index.whatif import compare_scenarios, rank_closures

    if count < 1 or top < 0:
        fail("--count must be 1 or more and --top 0 or more", 2)
    scen = _scenarios(close, add_link, count, add_navigator, at, scenario)
    rank = not scen if rank is None else rank
    G = graph_from_cli(store, workspace, period, neo4j_uri, neo4j_user, neo4j_database)
    kw = {"runs": runs, "seed": seed}
    r = _run(
        lambda: {
            "comparison": compare_scenarios(
                G, scen, index=with_index, population=population, weights=weights, **kw
            )
            if scen
            else None,
            "closures": rank_closures(G, **kw) if rank else None,
        },
        show_small_counts,
    )
    if as_json:
        print_json(r)
        return
    if c := r["comparison"]:
        table = []
        for m in c["metrics"]:
            if m["metric"] not in c["baseline"]:
                continue
            k = m["metric"]
            row = {"measure": m["label"], "baseline": c["baseline"][k]}
            for s in c["scenarios"]:
                x = next((x for x in s["rows"] if x["metric"] == k), None)
                if x is not None:
                    row[s["name"]] = (
                        f"{x['value']} ({x['change']:+g})" if x["change"] else x["value"]
                    )
            if k == "cross_border_referrals" and not show_small_counts:
                row = {kk: suppress(v) if isinstance(v, int) else v for kk, v in row.items()}
            table.append(row)
        print_table(
            f"What if (runs {c['runs']}, seed {c['seed']}): baseline -> each scenario", table
        )
        for s in c["scenarios"]:
            _say(s["why"] + ".")
            moved = [b for b in s["bands"] if b["band"] != b["band_base"]]
            if moved:
                print_table(f"Index bands that move: {s['name']}", moved,
                            ["name", "band_base", "band", "score_base", "score"])  # fmt: skip
    if cl := r["closures"]:
        print_table(
            f"Which single closure hurts most (expected reach {cl['expected_reach']:.1f}, "
            f"{cl['connected_pairs']} connected pairs; runs {cl['runs']}, seed {cl['seed']})",
            cl["rows"][:top],
            ["rank_reach", "id", "name", "reach_lost", "reach_lost_se", "pairs_lost",
             "rank_pairs", "articulation"],
        )  # fmt: skip
        by_pairs = sorted(cl["rows"], key=lambda x: x["rank_pairs"])[:top]
        print_table("By connectivity lost", by_pairs,
                    ["rank_pairs", "id", "name", "pairs_lost", "cut_off", "pieces"])  # fmt: skip
        _say(cl["why"] + ".")


@app.command()
def stats(
    what: Annotated[str, typer.Argument(help="barriers, contagion, navigators or all.")] = "all",
    level: Annotated[
        str, typer.Option("--level", help="Barriers between district, organisation or both.")
    ] = "both",
    permutations: Annotated[
        int, typer.Option("--permutations", help="Shuffles for each permutation test.")
    ] = 1000,
    correction: Annotated[
        str, typer.Option("--correction", help="bh (Benjamini-Hochberg) or holm.")
    ] = "bh",
    k: Annotated[int, typer.Option("--k", help="Navigators to place.")] = 3,
    top: Annotated[int, typer.Option("--top", help="Rows to list.")] = 10,
    runs: RunsOpt = 1000,
    seed: SeedOpt = 42,
    store: StoreOpt = "embedded",
    workspace: WorkspaceOpt = None,
    period: PeriodOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    as_json: JsonOpt = False,
    show_small_counts: ShowSmallOpt = False,
) -> None:
    """Signal or chance: barrier permutation tests, diffusion statistics, navigator placement."""
    from gridvoices.queries.stats import PARTS, statistics

    parts = list(PARTS) if what == "all" else [what]
    if what != "all" and what not in PARTS:
        fail(f"WHAT must be one of {', '.join(PARTS)} or all, not {what!r}", 2)
    levels = ["district", "organisation"] if level == "both" else [level]
    if level not in ("district", "organisation", "both"):
        fail(f"--level must be district, organisation or both, not {level!r}", 2)
    G = graph_from_cli(store, workspace, period, neo4j_uri, neo4j_user, neo4j_database)
    r = _run(
        lambda: statistics(G, parts, levels=levels, permutations=permutations,
                           correction=correction, runs=runs, k=k, seed=seed),
        show_small_counts,
    )  # fmt: skip
    if as_json:
        print_json(r)
        return
    for lv, b in (r.get("barriers") or {}).items():
        print_table(
            f"Barriers between {lv}s: permutation test ({b['permutations']} shuffles, seed "
            f"{b['seed']}; {b['correction']} over {b['tested']} pairs)",
            b["pairs"][:top],
            ["a_name", "b_name", "observed", "expected", "permeability", "null_mean",
             "p_value", "p_adjusted", "significant"],
        )  # fmt: skip
        _say(f"Null model: {b['null_model']}. {b['why']}.")
    if d := r.get("contagion"):
        print_table("Hazard of adoption per step (pooled over runs)", d["hazard"])
        nodes = sorted((x for x in d["nodes"] if not x["seed"]), key=lambda x: x["adoption"])
        print_table(
            "Least reached (not seeds): exposure, threshold, susceptibility, infectiousness",
            nodes[:top],
            ["id", "name", "adoption", "exposure", "threshold", "susceptibility", "infectiousness"],
        )
        _say(d["why"] + ".")
    if nv := r.get("navigators"):
        print_table(
            "Navigator positions (greedy, each gain on top of the ones before)",
            nv["greedy"]["positions"],
            ["rank", "id", "name", "district", "gain"],
        )
        _say(nv["why"] + ".")
    for n in r["notes"]:
        _say(f"Note: {n}.")
