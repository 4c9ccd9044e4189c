"""``gridvoices index | whatif | stats``: the district index, what-if scenarios, the statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import command, fail, print_table, say

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


def _fmt(x) -> str:
    return "" if x is None else f"{x:+.2f}" if isinstance(x, float) else str(x)


@command()
def index(
    eco,
    show,
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
    period=None,
) -> None:
    """District recovery ecosystem index: bands 1 (strongest) to 5 from five network components."""
    r = eco.index(population=population, weights=weights, need=need, runs=runs, seed=seed,
                  periods=period)  # fmt: skip
    show.result(r, _print_index)


def _print_index(r: dict) -> None:
    if not r["districts"]:
        say("No districts in the store: nothing to score.")
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
    say(f"Band cut points on the overall score (20th-80th percentiles): {r['cut_points']}")
    for d in r["districts"]:
        say(d["why"])
    say(f"Sensitivity: {r['sensitivity']['why']}.")
    for n in r["notes"]:
        say(f"Note: {n}.")
    if r["need"]:
        print_table(
            "Need versus strength (split at the medians)",
            r["need"]["points"],
            ["name", "score", "need", "quadrant"],
        )
        if r["need"]["missing"]:
            say(f"Not in the need table: {', '.join(r['need']['missing'])}.")


@command()
def whatif(
    eco,
    show,
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
    period=None,
) -> None:
    """What if services closed, links or navigators were added: before -> after, and which
    single closure would hurt most."""
    if top < 0:
        fail("--top must be 0 or more", 2)
    r = eco.whatif(
        close or (), tuple(add_link) if add_link else None, count, add_navigator, at,
        scenario, rank, with_index, population, weights, runs, seed, periods=period,
    )  # fmt: skip
    show.result(r, lambda r: _print_whatif(r, top, eco.show_small_counts))


def _print_whatif(r: dict, top: int, show_small_counts: bool) -> None:
    from gridvoices.ecosystem.privacy import suppress

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
                    row[s["name"]] = _with_change(x["value"], x["change"])
            if k == "cross_border_referrals" and not show_small_counts:
                row = {kk: suppress(v) if isinstance(v, int) else v for kk, v in row.items()}
            table.append(row)
        print_table(
            f"What if (runs {c['runs']}, seed {c['seed']}): baseline -> each scenario", table
        )
        for s in c["scenarios"]:
            say(s["why"] + ".")
            if s["bands"]:
                rows = [{**b, "score_change": _fmt(b["score_change"]),
                         "band_moves": "yes" if b["band"] != b["band_base"] else ""}
                        for b in s["bands"]]  # fmt: skip
                print_table(
                    f"Index on the baseline's scale (same means, spreads and cut points): "
                    f"{s['name']}",
                    rows,
                    ["name", "band_base", "band", "band_moves", "score_base", "score",
                     "score_change"],
                )  # fmt: skip
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
        say(cl["why"] + ".")


@command()
def stats(
    eco,
    show,
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
    period=None,
) -> None:
    """Signal or chance: barrier permutation tests, diffusion statistics, navigator placement."""
    r = eco.stats(what, level, permutations, correction, k, runs, seed, periods=period)
    show.result(r, lambda r: _print_stats(r, top))


def _print_stats(r: dict, top: int) -> None:
    for lv, b in (r.get("barriers") or {}).items():
        print_table(
            f"Barriers between {lv}s: permutation test ({b['permutations']} shuffles, seed "
            f"{b['seed']}; {b['correction']} over {b['tested']} pairs)",
            b["pairs"][:top],
            ["a_name", "b_name", "observed", "expected", "permeability", "null_mean",
             "p_value", "p_adjusted", "significant"],
        )  # fmt: skip
        say(f"Null model: {b['null_model']}. {b['why']}.")
    if d := r.get("contagion"):
        print_table("Hazard of adoption per step (pooled over runs)", d["hazard"])
        nodes = sorted((x for x in d["nodes"] if not x["seed"]), key=lambda x: x["adoption"])
        print_table(
            "Least reached (not seeds): exposure, threshold, susceptibility, infectiousness",
            nodes[:top],
            ["id", "name", "adoption", "exposure", "threshold", "susceptibility", "infectiousness"],
        )
        say(d["why"] + ".")
    if nv := r.get("navigators"):
        print_table(
            "Navigator positions (greedy, each gain on top of the ones before)",
            nv["greedy"]["positions"],
            ["rank", "id", "name", "district", "gain"],
        )
        say(nv["why"] + ".")
    for n in r["notes"]:
        say(f"Note: {n}.")


def _with_change(value, change):
    """``value (+change)``; a change the disclosure layer hid reads ``(change *)``."""
    if not change:
        return value
    if isinstance(change, int | float):
        return f"{value} ({change:+g})"
    return f"{value} (change {change})"
