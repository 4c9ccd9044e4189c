"""Statistics that separate signal from chance: the entry point.

* Barriers: :func:`barrier_test` (permutation p-value of each boundary's flow,
  labels shuffled within size, Benjamini-Hochberg or Holm over the pairs;
  :mod:`gridvoices.queries.stats.barriers`).
* Contagion: :func:`diffusion_stats` (exposure, thresholds, susceptibility,
  infectiousness, hazard, Moran's I with its permutation p-value and the
  structural test) and :func:`morans_i` (:mod:`gridvoices.queries.stats.diffusion`).
* Navigators: :func:`place_navigators` (greedy CELF placement against degree
  and random; :mod:`gridvoices.queries.stats.navigators`).
* What closing each service would cost: :func:`rank_closures`
  (:mod:`gridvoices.queries.stats.closures`, also :mod:`gridvoices.queries.index.whatif`).
* The index's arithmetic: :mod:`gridvoices.queries.stats.scoring`; the random worlds
  behind the contagion statistics: :mod:`gridvoices.queries.stats.worlds`.

:func:`statistics` runs the chosen parts with one seed and returns plain data.
"""

from __future__ import annotations

import networkx as nx
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion import default_seeds
from gridvoices.queries.contagion.sim import resolve_seed
from gridvoices.queries.stats.barriers import NULL_MODEL, adjust_pvalues, barrier_test
from gridvoices.queries.stats.closures import rank_closures
from gridvoices.queries.stats.diffusion import diffusion_stats, morans_i
from gridvoices.queries.stats.navigators import place_navigators

__all__ = [
    "NULL_MODEL",
    "PARTS",
    "adjust_pvalues",
    "barrier_test",
    "diffusion_stats",
    "morans_i",
    "place_navigators",
    "rank_closures",
    "statistics",
]

PARTS = ("barriers", "contagion", "navigators")


def statistics(
    G: nx.DiGraph,
    parts=PARTS,
    *,
    levels=("district", "organisation"),
    permutations: int = 1000,
    correction: str = "bh",
    runs: int = 1000,
    k: int = 3,
    seed=None,
) -> dict:
    """The chosen statistics of ``G`` as one dict: ``barriers`` (level -> :func:`barrier_test`),
    ``contagion`` (:func:`diffusion_stats`), ``navigators`` (:func:`place_navigators`).

    A part that cannot be computed (no seeds to spread from) is None, with the
    reason in ``notes``.

    Examples
    --------
    >>> G = nx.DiGraph(districts={}, borders=set())
    >>> r = statistics(G, ["barriers"], levels=["district"], permutations=10, seed=1)
    >>> r["barriers"]["district"]["tested"], r["seed"]
    (0, 1)
    """
    parts = [parts] if isinstance(parts, str) else list(parts)
    if bad := [p for p in parts if p not in PARTS]:
        raise QueryError(f"unknown statistics {bad[0]!r}: choose from {', '.join(PARTS)}")
    value, _ = resolve_seed(seed)
    out: dict = {"seed": value, "periods": list(G.graph.get("periods", [])), "notes": []}
    if "barriers" in parts:
        out["barriers"] = {
            lv: barrier_test(
                G, level=lv, permutations=permutations, correction=correction, seed=value
            )
            for lv in levels
        }
    seeds = default_seeds(G)
    if ("contagion" in parts or "navigators" in parts) and not seeds:
        out["notes"].append("no seeds (lived-experience-led services, groups, navigators)")
    if "contagion" in parts:
        out["contagion"] = (
            diffusion_stats(G, seeds, runs=runs, permutations=permutations, seed=value)
            if seeds
            else None
        )
    if "navigators" in parts:
        out["navigators"] = place_navigators(G, k, runs=runs, seed=value) if seeds else None
    return out
