"""One call for the whole contagion analysis (the CLI, the demo and the report use it)."""

from __future__ import annotations

import networkx as nx
from gridvoices.queries import contagion as c
from gridvoices.queries.feedback import weight_by_link_ratings

__all__ = ["contagion_report"]


def contagion_report(
    G: nx.DiGraph,
    *,
    model: str = "ic",
    runs: int = 1000,
    seed: int | None = 42,
    seed_nodes: list | None = None,
    suggest: int = 0,
    suggest_runs: int = 200,
    top: int = 10,
    referral_scale: float = 10.0,
    peer_factor: float = 0.5,
    new_link_p: float = 0.3,
    weight_by_feedback: bool = False,
) -> dict:
    """Everything the contagion analysis says about ``G``, as plain data.

    Runs the model (``"ic"`` or ``"lt"``) from ``seed_nodes`` (default
    :func:`~gridvoices.queries.contagion.default_seeds`), then tabulates activation, reach
    by district, the likeliest pathways into each organisation kind and
    district, where cascades stop and, with ``suggest`` > 0, the new links
    that most raise reach.

    Examples
    --------
    >>> G = nx.DiGraph(periods=["2024-Q1"], districts={})
    >>> G.add_node("a", type="Group", name="a", active=True, lived_experience_led=True)
    >>> G.add_node("b", type="Service", name="b", active=True, org_kind="housing")
    >>> G.add_edge("a", "b", referrals=50)
    >>> round(contagion_report(G, runs=200)["expected_reach"])
    2
    """
    if weight_by_feedback:
        # Rated links carry referrals x mean rating / 5 (gridvoices.queries.feedback).
        G = weight_by_link_ratings(G)
    params = {"referral_scale": referral_scale, "peer_factor": peer_factor}

    seeds = list(seed_nodes) if seed_nodes else c.default_seeds(G)
    probs = c.edge_probabilities(G, **params)
    if model == "ic":
        result = c.independent_cascade(G, seeds, probabilities=probs, runs=runs, seed=seed)
    else:
        result = c.linear_threshold(G, seeds, weights=probs, runs=runs, seed=seed)
    table = c.activation_table(G, result)
    others = [r for r in table if not r["seed"]]
    return {
        "model": result.model,
        "periods": result.periods,
        "runs": runs,
        "seed": result.seed,
        "seeds": result.seeds,
        "default_seeds": not seed_nodes,
        "formula": c.FORMULA,
        "parameters": params,
        "expected_reach": round(result.expected_reach, 3),
        "reach_sd": round(result.reach_sd, 3),
        "nodes_total": len(table),
        "steps": [round(s, 3) for s in result.steps],
        "why": result.why,
        "reach_by_district": [{"district": d, **v} for d, v in result.reach_by_district.items()],
        "most_reached": others[:top],
        "least_reached": sorted(others, key=lambda r: (r["probability"], str(r["id"])))[:top],
        "nodes": table,
        "pathways": [{"kind": k, **v} for k, v in c.most_probable_paths(G, seeds, probs).items()],
        "district_pathways": [
            {"district": k, **v}
            for k, v in c.most_probable_paths(G, seeds, probs, by="district").items()
        ],
        "stops": c.cascade_stops(G, result, limit=top),
        "suggestions": (
            c.suggest_links(
                G,
                seeds,
                suggest,
                probabilities=probs,
                new_link_p=new_link_p,
                runs=suggest_runs,
                seed=seed,
            )
            if suggest
            else []
        ),
    }
