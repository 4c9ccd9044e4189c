"""Run every analysis on one graph (the demo, the report, the benchmarks)."""

from __future__ import annotations

import time

import networkx as nx

from queries.barriers import barriers
from queries.coverage import coverage
from queries.isolation import isolation
from queries.summary import summary

__all__ = ["run_all"]


def run_all(G: nx.DiGraph, *, timings: dict | None = None) -> dict:
    """Summary, barriers, isolation and coverage of ``G``; seconds per step into ``timings``.

    Examples
    --------
    >>> G = nx.DiGraph(districts={}, borders=set(), organisations={}, periods=[])
    >>> sorted(run_all(G))
    ['barriers', 'coverage', 'isolation', 'summary']
    """
    steps = {"summary": summary, "barriers": barriers, "isolation": isolation, "coverage": coverage}
    out = {}
    for name, fn in steps.items():
        t = time.perf_counter()
        out[name] = fn(G)
        if timings is not None:
            timings[name] = time.perf_counter() - t
    return out
