"""Contagion models: independent cascade and linear threshold, and what they return.

The public entry point is :mod:`gridvoices.queries.contagion`, which re-exports these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion.edges import (
    check_edges,
    check_prob,
    check_runs,
    check_seeds,
    districts_of,
    edge_probabilities,
    normalised_arrays,
    span,
)
from gridvoices.queries.contagion.sim import Network, resolve_seed, simulate_ic, simulate_lt

__all__ = ["CascadeResult", "independent_cascade", "linear_threshold", "reach_by_district"]


@dataclass
class CascadeResult:
    """What a contagion simulation found, with the numbers to explain it.

    Attributes
    ----------
    model : str
        ``"independent_cascade"`` or ``"linear_threshold"``.
    seeds : list
        The nodes active at the start.
    runs, seed : int
        Monte Carlo runs, and the seed that repeats them exactly.
    probability : dict
        node -> share of runs in which it ended active (seeds: 1.0).
    expected_reach, reach_sd : float
        Mean and standard deviation over runs of the number of active nodes.
    reach_by_district : dict
        district id -> ``name``, ``nodes``, ``expected`` (active nodes),
        ``share`` (expected / nodes), ``why``. A service listing several
        districts counts in each, so the totals can exceed ``expected_reach``.
    steps : list of float
        Mean number of newly active nodes per step; step 0 is the seeds.
    edge_p : dict
        ``(u, v) ->`` probability (IC) or normalised weight (LT) used.
    periods : list of str
        The graph's periods.
    why : str
        One sentence with the headline numbers.
    net : Network
        The spread network simulated (arrays, node indices in graph order).
    """

    model: str
    seeds: list
    runs: int
    seed: int
    probability: dict
    expected_reach: float
    reach_sd: float
    reach_by_district: dict
    steps: list
    edge_p: dict = field(repr=False)
    periods: list
    why: str
    net: Network | None = field(repr=False, compare=False, default=None)
    _bits: np.ndarray | None = field(repr=False, compare=False, default=None)
    _index: dict = field(repr=False, compare=False, default_factory=dict)

    def __post_init__(self):
        self._index = self.net.index if self.net is not None else {}

    def stderr(self, node) -> float:
        """Monte Carlo standard error of ``probability[node]``."""
        p = self.probability[node]
        return math.sqrt(p * (1 - p) / self.runs)

    def active_runs(self, node) -> np.ndarray:
        """Boolean vector over runs: was ``node`` active at the end of each run?"""
        row = self._bits[self._index[node]]
        return np.unpackbits(row, count=self.runs, bitorder="little").astype(bool)

    def matrix(self) -> np.ndarray:
        """The final active sets, ``runs x nodes`` (nodes in graph order)."""
        return np.unpackbits(self._bits, axis=1, count=self.runs, bitorder="little").astype(bool).T

    def bits(self) -> tuple[dict, np.ndarray]:
        """Node index and the ``nodes x ceil(runs / 8)`` packed bits of the final active sets."""
        return self._index, self._bits

    def p_array(self) -> np.ndarray:
        """``probability`` as an array in graph node order."""
        return np.fromiter(self.probability.values(), dtype=np.float64, count=len(self.probability))

    def as_dict(self) -> dict:
        """Plain data for JSON (no edges, no run matrix)."""
        return {
            "model": self.model,
            "periods": self.periods,
            "runs": self.runs,
            "seed": self.seed,
            "seeds": self.seeds,
            "expected_reach": round(self.expected_reach, 3),
            "reach_sd": round(self.reach_sd, 3),
            "nodes": len(self.probability),
            "steps": [round(s, 3) for s in self.steps],
            "reach_by_district": self.reach_by_district,
            "probability": {str(k): round(v, 4) for k, v in self.probability.items()},
            "why": self.why,
        }


def reach_by_district(G: nx.DiGraph, seeds, runs: int, count) -> dict:
    """:attr:`CascadeResult.reach_by_district` from each node's count of active runs
    (``count``, graph node order) out of ``runs``.

    >>> G = nx.DiGraph(districts={"A": {"name": "Ay"}})
    >>> G.add_nodes_from([("a", {"districts": ["A"]}), ("b", {"districts": ["A"]})])
    >>> reach_by_district(G, ["a"], 4, [4, 1])["A"]["share"]
    0.625
    """
    prob = {n: int(c) / runs for n, c in zip(list(G), count, strict=True)}
    return _by_district(G, seeds, prob)


def _by_district(G, seeds, prob: dict) -> dict:
    nodes = list(G)
    names = G.graph.get("districts", {})
    members: dict = {}
    for n in nodes:
        for d in districts_of(G, n):
            members.setdefault(d, []).append(n)
    by_district = {}
    seedset = set(seeds)
    for d in sorted(members, key=str):
        ns = members[d]
        exp = sum(prob[n] for n in ns)
        k = sum(1 for n in ns if n in seedset)
        name = names.get(d, {}).get("name", d)
        by_district[d] = {
            "name": name,
            "nodes": len(ns),
            "seeds": k,
            "expected": round(exp, 3),
            "share": round(exp / len(ns), 4),
            "why": f"{name}: on average {exp:.1f} of its {len(ns)} nodes end active "
            f"({exp / len(ns):.0%}); {k} of them are seeds",
        }
    return by_district


def _result(G, model, seeds, runs, seed_value, sim, edge_p, net) -> CascadeResult:
    nodes = list(G)
    prob = {n: int(c) / runs for n, c in zip(nodes, sim["count"], strict=True)}
    reach = sim["reach"].astype(np.float64)
    by_district = _by_district(G, seeds, prob)
    mean = float(reach.mean())
    label = model.replace("_", " ")
    return CascadeResult(
        model=model,
        seeds=list(seeds),
        runs=runs,
        seed=seed_value,
        probability=prob,
        expected_reach=mean,
        reach_sd=float(reach.std()),
        reach_by_district=by_district,
        steps=sim["steps"],
        edge_p=edge_p,
        periods=list(G.graph.get("periods", [])),
        why=f"{label} from {len(seeds)} seeds over {span(G)}, {runs} runs (seed {seed_value}): "
        f"on average {mean:.1f} of {len(nodes)} nodes end active ({mean / max(len(nodes), 1):.0%}, "
        f"sd {reach.std():.1f}) after {max(len(sim['steps']) - 1, 0)} steps at most",
        net=net,
        _bits=sim["bits"],
    )


def independent_cascade(
    G: nx.DiGraph,
    seeds: Iterable,
    *,
    probabilities: dict | None = None,
    runs: int = 1000,
    seed=None,
) -> CascadeResult:
    """Monte Carlo independent cascade from ``seeds``.

    Each newly active node gets one chance to activate each out-neighbour
    ``v``, succeeding with ``p(u, v)``; a cascade stops when a step activates
    nobody. All runs advance together as a ``runs x nodes`` boolean matrix.

    Parameters
    ----------
    seeds : iterable of node ids
        Active at the start (see :func:`default_seeds`).
    probabilities : dict, optional
        ``(u, v) -> p``; default :func:`edge_probabilities` of ``G``.
    runs : int
        Monte Carlo runs (standard error of a probability <= 0.5 / sqrt(runs)).
    seed : None, int, numpy Generator or random.Random
        ``result.seed`` repeats the runs exactly.

    Examples
    --------
    >>> G = nx.path_graph(4, create_using=nx.DiGraph)
    >>> r = independent_cascade(G, [0], probabilities={e: 0.5 for e in G.edges}, seed=1)
    >>> r.probability[0], round(r.probability[1], 1), round(r.expected_reach, 1)
    (1.0, 0.5, 1.8)
    """
    seeds = check_seeds(G, seeds)
    runs = check_runs(runs)
    probs = (
        edge_probabilities(G)
        if probabilities is None
        else check_edges(G, probabilities, "probabilities")
    )
    value, key = resolve_seed(seed)
    net = Network.build(list(G), probs)
    idx = np.array([net.index[s] for s in seeds], dtype=np.int64)
    sim = simulate_ic(net, idx, runs, key)
    return _result(G, "independent_cascade", seeds, runs, value, sim, probs, net)


def linear_threshold(
    G: nx.DiGraph,
    seeds: Iterable,
    *,
    weights: dict | None = None,
    thresholds: float | dict | None = None,
    runs: int = 1000,
    seed=None,
) -> CascadeResult:
    """Monte Carlo linear-threshold cascade from ``seeds``.

    A node activates once the summed weight of its active in-neighbours
    reaches its threshold. Weights default to the edge probabilities of
    :func:`edge_probabilities`; each node's incoming weights are scaled down
    to sum to 1 when they sum to more.

    Parameters
    ----------
    weights : dict, optional
        ``(u, v) -> w`` in [0, 1] before normalisation.
    thresholds : None, float or dict
        None (the default): drawn per node and run uniformly from (0, 1]; the
        runs then use the model's live-edge form (each node listens to one
        in-neighbour ``u`` with chance ``w(u, v)``, or to none), which has the
        same distribution of active sets at every step and runs as fast as
        an independent cascade. A float in (0, 1]: every node's threshold; a
        dict: node -> threshold, the others drawn per run. Given thresholds
        run the threshold dynamics themselves (a sparse product per step).
    runs, seed
        As :func:`independent_cascade`.

    Examples
    --------
    >>> G = nx.path_graph(3, create_using=nx.DiGraph)
    >>> r = linear_threshold(G, [0], weights={e: 0.6 for e in G.edges}, thresholds=0.5)
    >>> r.probability
    {0: 1.0, 1: 1.0, 2: 1.0}
    """
    seeds = check_seeds(G, seeds)
    runs = check_runs(runs)
    raw = edge_probabilities(G) if weights is None else check_edges(G, weights, "weights")
    nodes = list(G)
    w = normalised_arrays(nodes, raw)
    fixed = np.full(len(nodes), np.nan)
    if isinstance(thresholds, dict):
        ix = {n: i for i, n in enumerate(nodes)}
        for n, t in thresholds.items():
            if n not in ix:
                raise QueryError(f"thresholds: {n!r} is not a node of the graph")
            fixed[ix[n]] = _threshold(t)
    elif thresholds is not None:
        fixed[:] = _threshold(thresholds)
    value, key = resolve_seed(seed)
    if thresholds is None:
        net = Network.live_edge(nodes, w)
        idx = np.array([net.index[s] for s in seeds], dtype=np.int64)
        sim = simulate_ic(net, idx, runs, key)
    else:
        net = Network.build(nodes, w)
        idx = np.array([net.index[s] for s in seeds], dtype=np.int64)
        sim = simulate_lt(net, idx, runs, key, fixed)
    return _result(G, "linear_threshold", seeds, runs, value, sim, w, net)


def _threshold(t) -> float:
    t = check_prob(t, "a threshold")
    if t == 0:
        raise QueryError("a threshold must be above 0 (0 would activate a node with no influence)")
    return t
