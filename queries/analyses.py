"""Run every analysis on one graph (the demo, the report, the benchmarks)."""

from __future__ import annotations

import time

import networkx as nx

from queries.barriers import barriers
from queries.contagion import default_seeds
from queries.contagion_report import contagion_report
from queries.coverage import coverage
from queries.feedback import feedback_summary
from queries.isolation import isolation
from queries.metrics import brokers, centrality
from queries.summary import summary

__all__ = ["run_all"]


def _metrics(G: nx.DiGraph) -> dict:
    m = centrality(G)
    return {
        "method": m.method,
        "notes": m.notes(),
        "brokers": brokers(m, top=10),
        "communities": m.communities[:10],
    }


def run_all(G: nx.DiGraph, *, timings: dict | None = None) -> dict:
    """Summary, barriers, isolation, coverage and contagion of ``G`` (seconds per step
    into ``timings``).

    Examples
    --------
    >>> G = nx.DiGraph(districts={}, borders=set(), organisations={}, periods=[])
    >>> sorted(run_all(G))
    ['barriers', 'contagion', 'coverage', 'feedback', 'isolation', 'metrics', 'summary']
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
    }
    out = {}
    for name, fn in steps.items():
        t = time.perf_counter()
        out[name] = fn(G)
        if timings is not None:
            timings[name] = time.perf_counter() - t
    return out
