"""The vectorised simulation engine behind :mod:`queries.contagion`.

All Monte Carlo runs of a batch advance together: the state is a boolean
matrix ``runs x nodes``, and each step touches only the edges out of the
nodes that became active in the step before.

Random numbers are *counter-based*: the uniform draw for edge ``e`` in run
``r`` is SplitMix64 of ``key + (e << 20 | r) * golden_gamma``, a pure function
of (key, edge id, run). So a run's outcome does not depend on how runs are
batched, on the order edges are visited, or on which other edges exist; a
plain Python loop with the same draws gives exactly the same cascades (the
tests check this), and two networks that differ by one link are simulated on
the same random worlds (common random numbers), which makes the gains in
:func:`queries.contagion_suggest.suggest_links` paired differences.

Edge ids are ``u * n + v`` for the graph's own edges (node indices in graph
order), ``n * n + u * n + v`` for added links, and ``2 * n * n + v`` draws a
node's linear-threshold threshold.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from queries.errors import QueryError

__all__ = ["resolve_seed", "uniforms", "Network", "simulate_ic", "simulate_lt", "MAX_RUNS"]

MAX_RUNS = 1 << 20  # runs share the low 20 bits of the counter
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S20, _S11 = (np.uint64(s) for s in (30, 27, 31, 20, 11))
_BUDGET = 1 << 23  # (run, edge) trials held in memory at once, roughly


def resolve_seed(seed) -> tuple[int, np.uint64]:
    """The int that reproduces a simulation, and the 64-bit key drawn from it.

    ``seed`` may be None (fresh entropy), a non-negative int, a
    ``numpy.random.Generator`` or a ``random.Random``; a generator gives one
    draw. The returned int, passed again as ``seed``, repeats the simulation.

    Examples
    --------
    >>> resolve_seed(42) == resolve_seed(42)
    True
    """
    if isinstance(seed, bool):
        raise QueryError(f"seed must be None, an int or a random generator, not {seed!r}")
    if seed is None:
        value = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    elif isinstance(seed, int | np.integer):
        value = int(seed)
        if value < 0:
            raise QueryError(f"seed must be a non-negative int, not {seed!r}")
    elif isinstance(seed, np.random.Generator):
        value = int(seed.integers(0, 2**63))
    elif isinstance(seed, random.Random):
        value = seed.getrandbits(63)
    else:
        raise QueryError(
            f"seed must be None, an int, a numpy Generator or a random.Random, not {seed!r}"
        )
    key = np.random.SeedSequence(value).generate_state(1, np.uint64)[0]
    return value, np.uint64(key)


def uniforms(key: np.uint64, runs: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Uniform draws in [0, 1), one per (run, id) pair, a pure function of key, run and id.

    Examples
    --------
    >>> k = resolve_seed(1)[1]
    >>> a = uniforms(k, np.array([0, 1]), np.array([5, 5]))
    >>> bool(((a >= 0) & (a < 1)).all()), a[0] == uniforms(k, np.array([0]), np.array([5]))[0]
    (True, np.True_)
    """
    ctr = (np.asarray(ids, dtype=np.uint64) << _S20) | np.asarray(runs, dtype=np.uint64)
    z = key + ctr * _GAMMA
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return (z >> _S11).astype(np.float64) * (1.0 / (1 << 53))


@dataclass
class Network:
    """Directed spread channels in compressed rows by source, ready to simulate.

    ``nodes`` are the graph's nodes in order; ``src``, ``dst`` index them;
    ``value`` is the per-edge probability (or weight); ``eid`` the edge's
    random-number id. Only edges with value > 0 are kept.
    """

    nodes: list
    index: dict
    indptr: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    value: np.ndarray
    eid: np.ndarray

    @classmethod
    def build(cls, nodes: list, edges: dict, extra: dict | None = None) -> Network:
        """From ``{(u, v): p}`` (graph channels) and ``extra`` ``{(u, v): p}`` (added links)."""
        index = {v: i for i, v in enumerate(nodes)}
        n = len(nodes)
        rows = [(index[u], index[v], p, 0) for (u, v), p in edges.items() if p > 0]
        rows += [(index[u], index[v], p, 1) for (u, v), p in (extra or {}).items() if p > 0]
        arr = np.array(rows, dtype=np.float64).reshape(-1, 4)
        s = arr[:, 0].astype(np.int64)
        d = arr[:, 1].astype(np.int64)
        order = np.lexsort((arr[:, 3], d, s))
        s, d, arr = s[order], d[order], arr[order]
        nn = np.uint64(n) * np.uint64(n)
        eid = s.astype(np.uint64) * np.uint64(n) + d.astype(np.uint64)
        eid = eid + arr[:, 3].astype(np.uint64) * nn
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.add.at(indptr, s + 1, 1)
        return cls(nodes, index, np.cumsum(indptr), s, d, arr[:, 2].copy(), eid)

    @property
    def n(self) -> int:
        return len(self.nodes)

    def threshold_ids(self) -> np.ndarray:
        n = np.uint64(self.n)
        return np.uint64(2) * n * n + np.arange(self.n, dtype=np.uint64)


def _out_edges(net: Network, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of ``nodes``, the indices of its out-edges, and which entry they belong to."""
    start = net.indptr[nodes]
    deg = net.indptr[nodes + 1] - start
    total = int(deg.sum())
    owner = np.repeat(np.arange(nodes.size), deg)
    offs = np.arange(total) - np.repeat(np.cumsum(deg) - deg, deg)
    return np.repeat(start, deg) + offs, owner


def spread_ic(
    net: Network,
    key: np.uint64,
    run_ids: np.ndarray,
    active: np.ndarray,
    new_r: np.ndarray,
    new_n: np.ndarray,
) -> list[int]:
    """Advance independent cascades in place until they stop; newly active counts per step.

    ``active`` is ``len(run_ids) x n`` and already marks ``(new_r, new_n)``;
    only those pairs transmit in the first step. Each edge is tried at most
    once per run, when its source has just become active.
    """
    n = net.n
    counts = []
    while new_r.size:
        e, owner = _out_edges(net, new_n)
        if e.size == 0:
            break
        rr = new_r[owner]
        hit = uniforms(key, run_ids[rr], net.eid[e]) < net.value[e]
        tr, tn = rr[hit], net.dst[e[hit]]
        fresh = ~active[tr, tn]
        lin = np.unique(tr[fresh] * n + tn[fresh])
        new_r, new_n = lin // n, lin % n
        active[new_r, new_n] = True
        if lin.size:
            counts.append(int(lin.size))
    return counts


def _batches(runs: int, per_run: int):
    size = max(1, min(runs, _BUDGET // max(per_run, 1)))
    for r0 in range(0, runs, size):
        yield np.arange(r0, min(runs, r0 + size))


def _finish(n, runs, packed, totals, reach, step_sums) -> dict:
    steps = np.zeros(max((len(s) for s in step_sums), default=0))
    for s in step_sums:
        steps[: len(s)] += s
    return {
        "packed": np.concatenate(packed) if packed else np.zeros((0, (n + 7) // 8), np.uint8),
        "count": totals,
        "reach": np.concatenate(reach) if reach else np.zeros(0),
        "steps": (steps / runs).tolist(),
    }


def simulate_ic(net: Network, seeds: np.ndarray, runs: int, key: np.uint64) -> dict:
    """All runs of an independent cascade from node indices ``seeds``.

    Returns ``packed`` (runs x ceil(n/8) bits of the final active sets),
    ``count`` (runs each node ended active), ``reach`` (active nodes per run)
    and ``steps`` (mean newly active per step; step 0 is the seeds).
    """
    n = net.n
    packed, reach, step_sums = [], [], []
    totals = np.zeros(n, dtype=np.int64)
    for run_ids in _batches(runs, max(net.src.size, n)):
        R = run_ids.size
        active = np.zeros((R, n), dtype=bool)
        active[:, seeds] = True
        new_r = np.repeat(np.arange(R), seeds.size)
        new_n = np.tile(seeds, R)
        counts = spread_ic(net, key, run_ids, active, new_r, new_n)
        step_sums.append(np.array([seeds.size * R] + counts, dtype=np.float64))
        totals += active.sum(axis=0)
        reach.append(active.sum(axis=1))
        packed.append(np.packbits(active, axis=1))
    return _finish(n, runs, packed, totals, reach, step_sums)


def simulate_lt(
    net: Network, seeds: np.ndarray, runs: int, key: np.uint64, fixed: np.ndarray
) -> dict:
    """All runs of a linear-threshold cascade; ``net.value`` are normalised weights.

    ``fixed`` holds each node's threshold, or NaN where it is drawn per run
    uniformly from (0, 1]. A node activates once the summed weight of its
    active in-neighbours reaches its threshold. Returns as :func:`simulate_ic`.
    """
    n = net.n
    W = sp.csr_matrix((net.value, (net.src, net.dst)), shape=(n, n))
    tids = net.threshold_ids()
    packed, reach, step_sums = [], [], []
    totals = np.zeros(n, dtype=np.int64)
    for run_ids in _batches(runs, max(net.src.size, 8 * n)):
        R = run_ids.size
        active = np.zeros((R, n), dtype=bool)
        active[:, seeds] = True
        infl = np.zeros((R, n))
        new_r = np.repeat(np.arange(R), seeds.size)
        new_n = np.tile(seeds, R)
        counts = [seeds.size * R]
        while new_r.size:
            S = sp.csr_matrix((np.ones(new_r.size), (new_r, new_n)), shape=(R, n))
            inc = (S @ W).tocoo()
            rr, nn = inc.row.astype(np.int64), inc.col.astype(np.int64)
            infl[rr, nn] += inc.data
            keep = ~active[rr, nn]
            rr, nn = rr[keep], nn[keep]
            theta = fixed[nn]
            draw = np.isnan(theta)
            theta[draw] = 1.0 - uniforms(key, run_ids[rr[draw]], tids[nn[draw]])
            on = infl[rr, nn] >= theta
            new_r, new_n = rr[on], nn[on]
            active[new_r, new_n] = True
            if new_r.size:
                counts.append(int(new_r.size))
        step_sums.append(np.array(counts, dtype=np.float64))
        totals += active.sum(axis=0)
        reach.append(active.sum(axis=1))
        packed.append(np.packbits(active, axis=1))
    return _finish(n, runs, packed, totals, reach, step_sums)
