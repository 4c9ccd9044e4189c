"""The vectorised simulation engine behind :mod:`gridvoices.queries.contagion`.

All Monte Carlo runs advance together, 64 runs to a machine word: the state
is a bit matrix ``nodes x ceil(runs / 64)`` (bit ``r % 64`` of word ``r // 64``
is run ``r``). Each step takes the out-edges of the nodes that became active
in some run in the step before, finds with one word-wide AND-NOT per edge the
(edge, run) pairs whose source has just become active and whose target is
not active yet, and draws random numbers for those pairs only.

Random numbers are *counter-based*: the uniform draw for edge ``e`` in run
``r`` is SplitMix64 of ``key + (e << 20 | r) * golden_gamma``, a pure function
of (key, edge id, run). So a run's outcome does not depend on how runs are
batched, on the order edges are visited, or on which other edges exist; a
plain Python loop with the same draws gives exactly the same cascades (the
tests check this), and two networks that differ by one link are simulated on
the same random worlds (common random numbers), which makes the gains in
:func:`gridvoices.queries.contagion.suggest.suggest_links` paired differences.

Draw ids are ``u * n + v`` for the graph's own edges (node indices in graph
order), ``n * n + u * n + v`` for added links, and ``2 * n * n + v`` for node
``v``'s linear-threshold draw (its threshold, or in the live-edge form which
in-neighbour it listens to).

Independent cascades, and linear-threshold cascades with random thresholds in
their live-edge form, run 64 runs per machine word (:func:`spread_ic`); the
exact threshold dynamics with given thresholds use a sparse product per step
(:func:`simulate_lt`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion.bits import (
    _popcount,
    bool_to_words,
    run_words,
    words_to_bool,
)

__all__ = [
    "edge_arrays",
    "resolve_seed",
    "uniforms",
    "Network",
    "spread_ic",
    "simulate_ic",
    "simulate_lt",
    "run_words",
    "bool_to_words",
    "words_to_bool",
    "MAX_RUNS",
]

MAX_RUNS = 1 << 20  # runs share the low 20 bits of the counter
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S20, _S11 = (np.uint64(s) for s in (30, 27, 31, 20, 11))
_BUDGET = 1 << 20  # words (or run x node cells) held per chunk, to bound memory
_WORDS = 1 << 14  # 64-run words drawn for at once
_J = np.arange(64, dtype=np.uint64) * _GAMMA
_GAMMA64 = np.uint64((0x9E3779B97F4A7C15 * 64) % (1 << 64))


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


def edge_arrays(edges: dict, nodes: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(src, dst, value)`` arrays (node indices in ``nodes`` order) of ``{(u, v): value}``.

    Uses the arrays an :class:`~queries.contagion.edges.EdgeProbabilities` keeps, if valid.
    """
    fast = getattr(edges, "arrays_for", None)
    arrays = fast(nodes) if fast is not None else None
    if arrays is not None:
        return arrays
    index = {v: i for i, v in enumerate(nodes)}
    m = len(edges)
    s = np.fromiter((index[u] for u, _ in edges), dtype=np.int64, count=m)
    t = np.fromiter((index[v] for _, v in edges), dtype=np.int64, count=m)
    return s, t, np.fromiter(edges.values(), dtype=np.float64, count=m)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, in place on a uint64 array."""
    t = np.right_shift(z, _S30)
    z ^= t
    z *= _M1
    np.right_shift(z, _S27, out=t)
    z ^= t
    z *= _M2
    np.right_shift(z, _S31, out=t)
    z ^= t
    return z


def uniforms(key: np.uint64, runs: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Uniform draws in [0, 1), one per (run, id) pair, a pure function of key, run and id.

    Examples
    --------
    >>> k = resolve_seed(1)[1]
    >>> a = uniforms(k, np.array([0, 1]), np.array([5, 5]))
    >>> bool(((a >= 0) & (a < 1)).all()), bool(a[0] == uniforms(k, np.array([0]), np.array([5]))[0])
    (True, True)
    """
    ctr = (np.asarray(ids, dtype=np.uint64) << _S20) | np.asarray(runs, dtype=np.uint64)
    z = _mix(key + ctr * _GAMMA)
    return (z >> _S11).astype(np.float64) * (1.0 / (1 << 53))


def _cut(p: np.ndarray) -> np.ndarray:
    """Integer cut-offs: ``(z >> 11) < _cut(p)`` exactly when ``uniform < p``."""
    return np.ceil(np.asarray(p, dtype=np.float64) * float(1 << 53)).astype(np.uint64)


@dataclass
class Network:
    """Directed spread channels in compressed rows by source, ready to simulate.

    ``nodes`` are the graph's nodes in order; ``src``, ``dst`` index them;
    ``value`` is the per-edge probability (or weight); ``eid`` the edge's
    random-number id; ``cut`` the integer form of ``value`` for the draws.
    Only edges with value > 0 are kept.
    """

    nodes: list
    index: dict
    indptr: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    value: np.ndarray
    eid: np.ndarray
    cut: np.ndarray
    low: np.ndarray | None = None
    _base: tuple = (None, None)

    @classmethod
    def build(cls, nodes: list, edges: dict, extra: dict | None = None) -> Network:
        """From ``{(u, v): p}`` (graph channels) and ``extra`` ``{(u, v): p}`` (added links)."""
        n = len(nodes)
        parts = [(*edge_arrays(edges, nodes), 0)]
        if extra:
            parts.append((*edge_arrays(extra, nodes), 1))
        s = np.concatenate([x[0] for x in parts])
        t = np.concatenate([x[1] for x in parts])
        p = np.concatenate([x[2] for x in parts])
        k = np.concatenate([np.full(x[0].size, x[3], dtype=np.uint64) for x in parts])
        keep = np.flatnonzero(p > 0)
        s, t, p, k = s[keep], t[keep], p[keep], k[keep]
        order = np.lexsort((k, t, s))
        s, t, p, k = s[order], t[order], p[order], k[order]
        nu = np.uint64(n)
        eid = s.astype(np.uint64) * nu + t.astype(np.uint64) + k * nu * nu
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(s, minlength=n), out=indptr[1:])
        return cls(nodes, {v: i for i, v in enumerate(nodes)}, indptr, s, t, p, eid, _cut(p))

    @classmethod
    def live_edge(cls, nodes: list, weights: dict) -> Network:
        """The live-edge form of a linear-threshold model with uniform random thresholds.

        In each run every node ``v`` listens to at most one in-neighbour: ``u``
        with probability ``w(u, v)``, none with ``1 - sum(w)``. One draw per
        (run, v) (id ``2 n n + v``) picks it: edge ``(u, v)`` is live when the
        draw falls in ``u``'s slice ``[low, cut)`` of v's cumulative weights.
        Reachability over live edges has, step by step, the distribution of
        the threshold process (Kempe, Kleinberg & Tardos 2003, claim 2.6).
        """
        net = cls.build(nodes, weights)
        n = np.uint64(net.n)
        by_target = np.lexsort((net.src, net.dst))
        w, t = net.value[by_target], net.dst[by_target]
        starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]]) if t.size else t
        c = np.cumsum(w)
        before = np.repeat((c - w)[starts], np.diff(np.r_[starts, t.size]))
        lo, hi = np.empty_like(w), np.empty_like(w)
        lo[by_target] = c - w - before
        hi[by_target] = c - before
        net.low, net.cut = _cut(lo), _cut(hi)
        net.eid = np.uint64(2) * n * n + net.dst.astype(np.uint64)
        return net

    @property
    def n(self) -> int:
        return len(self.nodes)

    def base(self, key: np.uint64) -> np.ndarray:
        """Per edge, ``key + (eid << 20) * gamma``: add ``run * gamma`` and mix to draw."""
        if self._base[0] != key:
            self._base = (key, key + (self.eid << _S20) * _GAMMA)
        return self._base[1]

    def threshold_ids(self) -> np.ndarray:
        n = np.uint64(self.n)
        return np.uint64(2) * n * n + np.arange(self.n, dtype=np.uint64)


def spread_ic(net: Network, key: np.uint64, A: np.ndarray, F: np.ndarray) -> list[int]:
    """Advance independent cascades in place, all runs at once, until they stop.

    ``A`` (active) and ``F`` (frontier: newly active, a subset of ``A``) are
    ``nodes x words`` bit matrices: bit ``r % 64`` of word ``r // 64`` is run
    ``r``. Each step finds, 64 runs per machine word, the (edge, run) pairs
    whose source has just become active and whose target is not active yet,
    draws only for those (with counter-based draws skipping a draw changes
    no other), and marks the targets hit. Each edge is tried at most once
    per run. Returns the number of newly active (node, run) pairs per step.
    """
    n, W = A.shape
    base, cut, src, dst, indptr = net.base(key), net.cut, net.src, net.dst, net.indptr
    chunk = max(1, _BUDGET // max(W, 1))
    counts = []
    while True:
        fnodes = np.flatnonzero(F.any(axis=1))
        start = indptr.take(fnodes)
        deg = indptr.take(fnodes + 1) - start
        total = int(deg.sum())
        if total == 0:
            break
        edges = np.arange(total, dtype=np.int64)
        edges += np.repeat(start - (np.cumsum(deg) - deg), deg)
        keys, vals = [], []
        for c0 in range(0, total, chunk):
            ec = edges[c0 : c0 + chunk]
            cand = F.take(src.take(ec), axis=0)
            cand &= ~A.take(dst.take(ec), axis=0)
            ei, wi = np.nonzero(cand)
            for k0 in range(0, ei.size, _WORDS):
                eik, wk = ei[k0 : k0 + _WORDS], wi[k0 : k0 + _WORDS]
                ek = ec.take(eik)
                # the 64 runs of word w are 64 w + j: draw for all, keep the candidates'
                z = (base.take(ek) + wk.astype(np.uint64) * _GAMMA64)[:, None] + _J
                _mix(z)
                z >>= _S11
                ok = z < cut.take(ek)[:, None]
                if net.low is not None:
                    ok &= z >= net.low.take(ek)[:, None]
                ok = np.packbits(ok, axis=1, bitorder="little")
                hw = np.ascontiguousarray(ok).view("<u8").ravel().astype(np.uint64)
                hw &= cand[eik, wk]
                nz = np.flatnonzero(hw)
                keys.append(dst.take(ek.take(nz)) * W + wk.take(nz))
                vals.append(hw.take(nz))
        F = np.zeros(n * W, dtype=np.uint64)
        if keys:
            k, v = np.concatenate(keys), np.concatenate(vals)
            order = np.argsort(k, kind="stable")
            k, v = k.take(order), v.take(order)
            starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if k.size else k
            F[k.take(starts)] = np.bitwise_or.reduceat(v, starts) if k.size else v
        F = F.reshape(n, W)
        new = int(_popcount(F).sum())
        if not new:
            break
        A |= F
        counts.append(new)
    return counts


def _finish(n, runs, A, step_counts) -> dict:
    active = words_to_bool(A, runs)
    return {
        "words": A,
        "bits": np.packbits(active, axis=1, bitorder="little"),
        "count": active.sum(axis=1),
        "reach": active.sum(axis=0),
        "steps": [c / runs for c in step_counts],
    }


def simulate_ic(net: Network, seeds: np.ndarray, runs: int, key: np.uint64) -> dict:
    """All runs of an independent cascade from node indices ``seeds``.

    Returns ``bits`` (n x ceil(runs/8) bytes, little bit order: the final
    active sets, node-major), ``count`` (runs each node ended active),
    ``reach`` (active nodes per run) and ``steps`` (mean newly active per
    step; step 0 is the seeds).
    """
    A = np.zeros((net.n, (runs + 63) // 64), dtype=np.uint64)
    A[seeds] = run_words(runs)
    counts = spread_ic(net, key, A, A.copy())
    return _finish(net.n, runs, A, [len(seeds) * runs] + counts)


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
    is_seed = np.zeros(n, dtype=bool)
    is_seed[seeds] = True
    infl0 = np.asarray(W[seeds].sum(axis=0)).ravel()
    c0 = np.flatnonzero((infl0 > 0) & ~is_seed)
    A = np.zeros((n, runs), dtype=bool)
    steps = np.zeros(0)
    for run_ids in _batches(runs, n // 4 + 1):
        R = run_ids.size
        active = np.zeros((R, n), dtype=bool)
        active[:, seeds] = True
        infl = np.tile(infl0, (R, 1))
        rr, nn = np.repeat(np.arange(R), c0.size), np.tile(c0, R)
        counts = [seeds.size * R]
        while rr.size:
            theta = fixed.take(nn)
            draw = np.flatnonzero(np.isnan(theta))
            theta[draw] = 1.0 - uniforms(key, run_ids.take(rr.take(draw)), tids.take(nn.take(draw)))
            on = np.flatnonzero(infl[rr, nn] >= theta)
            new_r, new_n = rr.take(on), nn.take(on)
            active[new_r, new_n] = True
            if not new_r.size:
                break
            counts.append(int(new_r.size))
            S = sp.csr_matrix((np.ones(new_r.size), (new_r, new_n)), shape=(R, n))
            inc = (S @ W).tocoo()
            rr, nn = inc.row.astype(np.int64), inc.col.astype(np.int64)
            infl[rr, nn] += inc.data
            keep = np.flatnonzero(~active[rr, nn])
            rr, nn = rr.take(keep), nn.take(keep)
        A[:, run_ids] = active.T
        steps = np.pad(steps, (0, max(0, len(counts) - len(steps))))
        steps[: len(counts)] += counts
    return {
        "bits": np.packbits(A, axis=1, bitorder="little"),
        "count": A.sum(axis=1),
        "reach": A.sum(axis=0),
        "steps": (steps / runs).tolist(),
    }


def _batches(runs: int, per_run: int):
    size = min(runs, max(8, _BUDGET // max(per_run, 1)))
    for r0 in range(0, runs, size):
        yield np.arange(r0, min(runs, r0 + size))
