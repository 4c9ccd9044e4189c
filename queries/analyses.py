"""Run every analysis on one graph (the demo, the report, the benchmarks)."""

from __future__ import annotations

import time

import networkx as nx
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.barriers.forms import barriers
from gridvoices.queries.contagion import default_seeds
from gridvoices.queries.contagion.report import contagion_report
from gridvoices.queries.coverage import coverage
from gridvoices.queries.feedback import feedback_summary
from gridvoices.queries.index.scores import recovery_index
from gridvoices.queries.isolation.flags import isolation
from gridvoices.queries.metrics import brokers, centrality
from gridvoices.queries.stats import barrier_test, rank_closures
from gridvoices.queries.summary import summary

__all__ = ["run_all"]

TOP_CLOSURES = 10  # rows kept by reach lost (and at most this many cut points by pairs lost)
# Closure ranking costs one dominator tree per random world, so its worlds are rationed:
# 256 up to 100,000 links, fewer above (never under 16); the result records how many and
# every row carries its standard error.
CLOSURE_RUNS, CLOSURE_LINKS, MIN_CLOSURE_RUNS = 256, 100_000, 16


def closure_runs(links: int) -> int:
    """Random worlds for the closure ranking of a graph with ``links`` edges.

    >>> closure_runs(20_000), closure_runs(1_000_000)
    (256, 25)
    """
    return max(MIN_CLOSURE_RUNS, min(CLOSURE_RUNS, CLOSURE_RUNS * CLOSURE_LINKS // max(links, 1)))


SEED = 42  # the report's analyses repeat exactly


def _metrics(G: nx.DiGraph) -> dict:
    m = centrality(G)
    return {
        "method": m.method,
        "notes": m.notes(),
        "brokers": brokers(m, top=10),
        "communities": m.communities[:10],
    }


def _index(G: nx.DiGraph) -> dict | None:
    if not G.graph.get("districts"):
        return None
    try:
        return recovery_index(G, seed=SEED)
    except QueryError:
        return None


def _closures(G: nx.DiGraph) -> dict | None:
    """The closures that would hurt most: top rows by reach lost, plus ``by_pairs``, the
    cut points whose closure splits most connected pairs (None without districts or seeds)."""
    if not G.graph.get("districts") or not default_seeds(G):
        return None
    try:
        r = rank_closures(G, runs=closure_runs(G.number_of_edges()), seed=SEED)
    except QueryError:
        return None
    cuts = sorted((x for x in r["rows"] if x["articulation"]), key=lambda x: x["rank_pairs"])
    return {**r, "rows": r["rows"][:TOP_CLOSURES], "by_pairs": cuts[:TOP_CLOSURES]}


def _barrier_tests(G: nx.DiGraph) -> dict | None:
    if not G.graph.get("borders"):
        return None
    try:
        return barrier_test(G, permutations=1000, seed=SEED)
    except QueryError:
        return None


def run_all(G: nx.DiGraph, *, timings: dict | None = None) -> dict:
    """Summary, barriers, isolation, coverage, contagion, the district index, the closures
    that would hurt most and the barrier permutation tests of ``G`` (seconds per step into
    ``timings``). The random parts use seed 42; a part with nothing to work on is None.

    Examples
    --------
    >>> G = nx.DiGraph(districts={}, borders=set(), organisations={}, periods=[])
    >>> sorted(run_all(G))  # doctest: +NORMALIZE_WHITESPACE
    ['barrier_tests', 'barriers', 'closures', 'contagion', 'coverage', 'feedback', 'index',
     'isolation', 'metrics', 'summary']
    >>> run_all(G)["index"], run_all(G)["closures"], run_all(G)["barrier_tests"]
    (None, None, None)
    """
    steps = {
        "summary": summary,
        "barriers": barriers,
        "isolation": isolation,
        "coverage": coverage,
        "feedback": feedback_summary,
        "metrics": _metrics,
        # Without seeds there is nothing to spread from: None, not an error.
        "contagion": lambda G: contagion_report(G, suggest=3) if default_seeds(G) else None,
        "index": _index,
        "closures": _closures,
        "barrier_tests": _barrier_tests,
    }
    out = {}
    for name, fn in steps.items():
        t = time.perf_counter()
        out[name] = fn(G)
        if timings is not None:
            timings[name] = time.perf_counter() - t
    return out
