"""``gridvoices contagion``: recovery spreading peer to peer, where it stops, what would help."""

from __future__ import annotations

from typing import Annotated

import typer

from gridvoices.cli.common import command, out, print_table

__all__ = ["contagion"]

MODELS = {"ic": "independent cascade", "lt": "linear threshold"}


def _print(r: dict, model: str) -> None:
    ps = r["periods"]
    span = "no periods" if not ps else ps[0] if len(ps) == 1 else f"{ps[0]} to {ps[-1]}"
    out.print(
        f"Contagion ({MODELS[model]}) over {span}: {r['runs']} runs, seed {r['seed']} "
        "(the same seed repeats this result).",
        highlight=False,
    )
    who = (
        "lived-experience-led services, mutual-aid groups and navigators"
        if r["default_seeds"]
        else ", ".join(map(str, r["seeds"]))
    )
    out.print(f"Seeds ({len(r['seeds'])}): {who}.", highlight=False, markup=False)
    p = r["parameters"]
    out.print(
        f"Edge probabilities (referral_scale={p['referral_scale']}, "
        f"peer_factor={p['peer_factor']}): {r['formula']}.",
        highlight=False,
        markup=False,
    )
    out.print(r["why"] + ".", highlight=False, markup=False)
    print_table(
        "Expected reach by district",
        r["reach_by_district"],
        ["district", "name", "nodes", "seeds", "expected", "share"],
    )
    cols = ["id", "name", "district", "probability", "why"]
    print_table("Most likely reached (not seeds)", r["most_reached"], cols)
    print_table("Least likely reached", r["least_reached"], cols)
    rows = [
        {**x, "path": " -> ".join(map(str, x["path"])) if x["path"] else "none"}
        for x in r["pathways"]
    ]
    print_table(
        "Likeliest pathway from the seeds into each organisation kind",
        rows,
        ["label", "target", "probability", "path", "why"],
    )
    for x in r["district_pathways"]:
        if x["path"] is None:
            out.print(f"[bold]Unreached:[/bold] {x['why']}", highlight=False)
    stops = [
        {
            "kind": s["kind"],
            "from": s.get("from_name") or s.get("source"),
            "to": s.get("to_name") or s.get("target"),
            "before": f"{s.get('share_from', s.get('p_source')):.0%}",
            "after": f"{s.get('share_to', s.get('p_target')):.0%}",
            "why": s["why"],
        }
        for s in r["stops"]
    ]
    print_table("Where cascades stop", stops, ["kind", "from", "to", "before", "after", "why"])
    if r["suggestions"]:
        print_table(
            "Suggested new links (greedy, each gain on top of the ones before)",
            r["suggestions"],
            ["rank", "source", "target", "gain", "reach_before", "reach_after", "why"],
        )


@command()
def contagion(
    eco,
    show,
    model: Annotated[
        str, typer.Option("--model", help="ic (independent cascade) or lt (linear threshold).")
    ] = "ic",
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs.")] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed repeats the result.")
    ] = 42,
    seed_node: Annotated[
        list[str] | None,
        typer.Option(
            "--seed-node",
            help="Start the cascade at this node (repeatable). Default: active lived-experience-"
            "led services, mutual-aid groups and navigators.",
        ),
    ] = None,
    suggest: Annotated[
        int,
        typer.Option("--suggest", help="Also suggest this many new links that most raise reach."),
    ] = 0,
    suggest_runs: Annotated[
        int, typer.Option("--suggest-runs", help="Monte Carlo runs for the suggestions.")
    ] = 200,
    new_link_p: Annotated[
        float, typer.Option("--new-link-p", help="Chance a suggested link passes recovery on.")
    ] = 0.3,
    top: Annotated[int, typer.Option("--top", help="How many nodes and stops to list.")] = 10,
    referral_scale: Annotated[
        float,
        typer.Option("--referral-scale", help="Referrals that give a 63% chance along a link."),
    ] = 10.0,
    peer_factor: Annotated[
        float, typer.Option("--peer-factor", help="Chance along a peer link of strength 1.")
    ] = 0.5,
    weight_by_feedback: Annotated[
        bool,
        typer.Option(help="Weight each referral link by how people rated it (>= 5 ratings)."),
    ] = False,
    period=None,
) -> None:
    """Recovery as a contagion: whom it reaches, by which pathways, where it stops, what helps."""
    r = eco.contagion(
        model, runs, seed, seed_node, suggest, suggest_runs, new_link_p, top,
        referral_scale, peer_factor, weight_by_feedback, periods=period,
    )  # fmt: skip
    show.result(r, lambda r: _print(r, model))
