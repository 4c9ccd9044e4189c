"""The random worlds behind the statistics: live edges, activation times, what a closure costs.

An independent cascade with counter-based draws (:mod:`gridvoices.queries.contagion.sim`)
is a *live-edge* process: in run ``r`` channel ``e`` is live when its uniform
draw ``uniforms(key, r, eid[e])`` is below ``p(e)``, and the final active set
is everything reachable from the seeds over live channels; a node's
activation step is its live-path distance from the seeds. These helpers
rebuild those worlds with exactly the draws :func:`~gridvoices.queries.contagion.sim.simulate_ic`
makes, so their answers agree run by run with
:func:`~gridvoices.queries.contagion.independent_cascade` for the same seed (the tests
check this).

:func:`closure_losses` gives, for every node at once, the expected reach lost
if it closed: in one world the nodes that closing ``v`` deactivates are
exactly those ``v`` dominates (every live path from the seeds passes through
``v``), so the loss is the size of ``v``'s subtree in the dominator tree
(Lengauer & Tarjan 1979, igraph's implementation), and the expected loss the mean over worlds.
Re-running the cascade with ``v`` closed on the same worlds gives the same
number: the common random numbers make the difference exact, not noisy.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp
from gridvoices.queries.contagion.sim import (
    _GAMMA,
    _S11,
    Network,
    _mix,
    resolve_seed,
    simulate_ic,
    uniforms,
)
from scipy.sparse.csgraph import connected_components

__all__ = ["Worlds", "group_reach", "live_channels", "popcount"]

_PAIRS = 1 << 22  # (edge, run) pairs handled at once
_CELLS = 1 << 22  # node x group-word cells of one batch of worlds in group_reach
_SLICE = 1 << 16  # edges drawn for at once: the mixing passes stay in cache
_MASK = (1 << 64) - 1


def popcount(words: np.ndarray) -> np.ndarray:
    """Set bits per uint64 word."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words)
    b = np.ascontiguousarray(words).view(np.uint8).reshape(*words.shape, 8)
    return np.unpackbits(b, axis=-1).sum(axis=-1)


class Worlds:
    """The ``runs`` random worlds of an independent cascade on ``G`` from ``seeds``.

    Attributes: ``nodes`` (graph order), ``net`` (:class:`~queries.contagion.sim.Network`),
    ``seed_idx``, ``runs``, ``seed`` (the int that repeats them), ``key``,
    ``active`` (``nodes x runs`` booleans: the final active sets).

    Examples
    --------
    >>> G = nx.path_graph(3, create_using=nx.DiGraph)
    >>> w = Worlds(G, [0], {e: 1.0 for e in G.edges}, runs=4, seed=1)
    >>> w.times()[0].tolist()
    [0, 1, 2]
    """

    def __init__(self, G: nx.DiGraph, seeds, probabilities: dict, *, runs: int, seed=None):
        self.nodes = list(G)
        self.seed, self.key = resolve_seed(seed)
        self.net = Network.build(self.nodes, probabilities)
        self.runs = runs
        self.seed_idx = np.array([self.net.index[s] for s in seeds], dtype=np.int64)
        self.is_seed = np.zeros(len(self.nodes), dtype=bool)
        self.is_seed[self.seed_idx] = True
        sim = simulate_ic(self.net, self.seed_idx, runs, self.key)
        bits = np.unpackbits(sim["bits"], axis=1, count=runs, bitorder="little")
        self.active = bits.astype(bool)

    def chunks(self):
        """Run ranges ``(r0, r1)`` small enough to hold their (edge, run) pairs."""
        per = max(1, _PAIRS // max(self.net.src.size, 1))
        for r0 in range(0, self.runs, per):
            yield r0, min(self.runs, r0 + per)

    def live(self, r0: int, r1: int, *, into_seeds: bool = True):
        """Live channels of runs ``r0 .. r1 - 1`` whose source ended active: ``(edge, run)``
        index arrays, sorted by run then edge. ``into_seeds=False`` skips channels into seeds
        (they change no one's dominators: a seed is reached from the root directly)."""
        net = self.net
        keep = np.ones(net.src.size, dtype=bool) if into_seeds else ~self.is_seed[net.dst]
        e_all = np.flatnonzero(keep)
        act = self.active[net.src[e_all], r0:r1]
        rr, ei = np.nonzero(act.T)
        e = e_all[ei]
        ok = uniforms(self.key, rr + r0, net.eid[e]) < net.value[e]
        return e[ok], rr[ok] + r0

    def times(self) -> np.ndarray:
        """``runs x nodes`` activation steps (0 for seeds, -1 never): live-path distances."""
        n = len(self.nodes)
        T = np.full((self.runs, n), -1, dtype=np.int32)
        T[:, self.seed_idx] = 0
        for r0, r1 in self.chunks():
            e, r = self.live(r0, r1, into_seeds=False)
            s, t = self.net.src[e], self.net.dst[e]
            step = 0
            while e.size:
                hit = T[r, s] == step
                rows, cols = r[hit], t[hit]
                fresh = T[rows, cols] < 0
                if not fresh.any():
                    break
                step += 1
                T[rows[fresh], cols[fresh]] = step
                left = T[r, t] < 0
                e, r, s, t = e[left], r[left], s[left], t[left]
        return T

    def closure_losses(self, *, per_run: bool = False):
        """Per node, mean and standard error over runs of the nodes lost if it closed
        (itself included when it was active): its dominator-subtree size per world.

        With ``per_run`` also the ``runs x nodes`` losses (float32), for paired
        comparisons between nodes; None when that matrix would pass 2**24 cells."""
        n = len(self.nodes)
        keep = per_run and n * self.runs <= 1 << 24
        M = np.zeros((self.runs, n), dtype=np.float32) if keep else None
        total, sq = np.zeros(n), np.zeros(n)
        for r0, r1 in self.chunks():
            e, r = self.live(r0, r1, into_seeds=False)
            s, t = self.net.src[e], self.net.dst[e]
            cuts = np.searchsorted(r, np.arange(r0, r1 + 1))
            for i in range(r1 - r0):
                a, b = cuts[i], cuts[i + 1]
                idx, size = _dominator_sizes(s[a:b], t[a:b], self.seed_idx, n)
                val = size.astype(np.float64)
                total[idx] += val
                sq[idx] += val * val
                if M is not None:
                    M[r0 + i, idx] = val
        mean = total / self.runs
        se = np.sqrt(np.maximum(sq / self.runs - mean * mean, 0.0) / max(self.runs - 1, 1))
        return (mean, se, M) if per_run else (mean, se)


def _dominator_sizes(src: np.ndarray, dst: np.ndarray, seeds: np.ndarray, n: int):
    """Dominator-subtree sizes of the active nodes of one world: ``(nodes, sizes)`` arrays.

    The root is virtual (index ``n``), with an edge to every seed; ``src -> dst`` are
    the live channels into non-seeds. The dominator tree is igraph's (Lengauer-Tarjan
    in C: at national size a pure-Python Cooper-Harvey-Kennedy pass took over a second
    per world); subtree sizes are summed level by level, deepest first."""
    from gridvoices.queries.igraph_core import igraph

    ig = igraph()

    edges = np.concatenate(
        [np.column_stack([np.full(seeds.size, n), seeds]), np.column_stack([src, dst])]
    )
    # add_edges takes the array as it is; Graph(edges=...) took three times as long per
    # world (0.27 s against 0.09 s for 300,000 edges), for the same graph.
    g = ig.Graph(n=n + 1, directed=True)
    g.add_edges(edges)
    idom = np.array(g.dominator(n), dtype=float)
    nodes = np.flatnonzero(~np.isnan(idom[:n]))
    parent = np.full(n + 1, n, dtype=np.int64)
    parent[nodes] = idom[nodes].astype(np.int64)
    # Depths by pointer doubling: log2(depth) vectorised steps instead of a walk per node.
    depth = np.where(np.arange(n + 1) == n, 0, 1)
    jump = parent.copy()
    while (jump[nodes] != n).any():
        depth = depth + np.where(jump == n, 0, depth[jump])
        jump = jump[jump]
    size = np.zeros(n + 1, dtype=np.int64)
    size[nodes] = 1
    order = nodes[np.argsort(-depth[nodes], kind="stable")]
    levels = np.flatnonzero(np.diff(depth[order])) + 1
    for level in np.split(order, levels):
        np.add.at(size, parent[level], size[level])
    return nodes, size[nodes]


def group_reach(
    G: nx.DiGraph,
    groups: dict,
    probabilities: dict,
    *,
    runs: int = 256,
    seed=None,
    counts_for=None,
):
    """Expected reach of an independent cascade started from each group of seeds on its own.

    Every group meets the same ``runs`` random worlds, those of
    :func:`~gridvoices.queries.contagion.independent_cascade` with the same seed (so one
    group's answer equals that function's ``expected_reach``, and graphs with
    the same nodes share worlds: common random numbers across scenarios).
    Reachability for all groups at once: each node carries a bitset of the
    groups that reach it, propagated over the live channels of a batch of
    worlds until nothing changes. An empty group reaches 0.

    With ``counts_for`` (seeds), also returns, per node in graph order, the number of
    the same worlds in which a cascade from those seeds activates it: the ``count`` of
    :func:`~gridvoices.queries.contagion.independent_cascade` with this seed and
    ``runs``, read from the worlds already drawn here instead of drawn again.

    Examples
    --------
    >>> G = nx.path_graph(3, create_using=nx.DiGraph)
    >>> group_reach(G, {"a": [0], "b": [2], "c": []}, {e: 1.0 for e in G.edges}, seed=1)
    {'a': 3.0, 'b': 1.0, 'c': 0.0}
    >>> r, c = group_reach(G, {"b": [2]}, {e: 1.0 for e in G.edges}, seed=1, counts_for=[1])
    >>> r, c.tolist()
    ({'b': 1.0}, [0, 256, 256])
    """
    _, key = resolve_seed(seed)
    net = Network.build(list(G), probabilities)
    n, keys = net.n, [k for k, s in groups.items() if s]
    out = dict.fromkeys(groups, 0.0)
    # The seeds of counts_for ride along as one more group bit, after the named groups.
    extra = [list(counts_for)] if counts_for is not None and len(counts_for) else []
    node_counts = np.zeros(n, dtype=np.int64)
    if not (keys or extra) or not n:
        return out if counts_for is None else (out, node_counts)
    W = (len(keys) + len(extra) + 63) // 64
    mark = np.zeros((n, W), dtype=np.uint64)
    for j, members in enumerate([groups[k] for k in keys] + extra):
        idx = np.unique([net.index[s] for s in members])
        mark[idx, j // 64] |= np.uint64(1) << np.uint64(j % 64)
    cw, cb = divmod(len(keys), 64)
    per = max(1, min(runs, _CELLS // (n * W)))
    counts = np.zeros(64 * W)
    for r0 in range(0, runs, per):
        C = min(per, runs - r0)
        rr, ee = live_channels(net, key, r0, r0 + C)
        N, off = C * n, (rr - r0) * n
        src, dst = off + net.src[ee], off + net.dst[ee]
        # strongly connected parts of the batch's worlds: a part is reached whole. The
        # channels come sorted by run then source, so the rows are built without a sort.
        indptr = np.zeros(N + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=N), out=indptr[1:])
        live = sp.csr_matrix((np.ones(src.size, dtype=np.int8), dst, indptr), shape=(N, N))
        k, lab = connected_components(live, directed=True, connection="strong")
        del live
        size = np.bincount(lab, minlength=k).astype(float)
        bits = np.zeros((k, W), dtype=np.uint64)
        np.bitwise_or.at(bits, lab, np.tile(mark, (C, 1)))
        cs, cd = lab[src], lab[dst]
        between = cs != cd
        pair = np.unique(cs[between].astype(np.int64) * k + cd[between])
        cs, cd = pair // k, pair % k
        indptr = np.zeros(k + 1, dtype=np.int64)
        np.cumsum(np.bincount(cs, minlength=k), out=indptr[1:])
        front = np.flatnonzero(bits.any(axis=1))
        while front.size:
            start = indptr[front]
            deg = indptr[front + 1] - start
            total = int(deg.sum())
            if not total:
                break
            ek = np.arange(total) + np.repeat(start - (np.cumsum(deg) - deg), deg)
            dt = cd[ek]
            o = np.argsort(dt, kind="stable")
            dt, sb = dt[o], bits[cs[ek][o]]
            first = np.flatnonzero(np.r_[True, dt[1:] != dt[:-1]])
            tgt = dt[first]
            new = bits[tgt] | np.bitwise_or.reduceat(sb, first, axis=0)
            changed = (new != bits[tgt]).any(axis=1)
            bits[tgt] = new
            front = tgt[changed]
        counts += _bit_sums(bits, size)
        if extra:
            hit = (bits[:, cw] >> np.uint64(cb)) & np.uint64(1)
            node_counts += hit[lab].reshape(C, n).sum(axis=0, dtype=np.int64)
    out.update({k: float(counts[j]) / runs for j, k in enumerate(keys)})
    return out if counts_for is None else (out, node_counts)


def live_channels(net: Network, key: np.uint64, r0: int, r1: int):
    """Every live channel of runs ``r0 .. r1 - 1``: ``(run, edge)`` index arrays, sorted by
    run then edge (so by run then source). The draws are exactly
    ``uniforms(key, run, net.eid) < net.value``, made as
    :func:`~gridvoices.queries.contagion.sim.spread_ic` makes them (integer cut-offs on the
    mixed counter), a cache-sized slice of edges at a time rather than one array per
    (run, edge) pair: a tenth of the memory traffic on a national graph.

    >>> G = nx.path_graph(3, create_using=nx.DiGraph)
    >>> net = Network.build(list(G), {e: 0.5 for e in G.edges})
    >>> key = resolve_seed(1)[1]
    >>> r, e = live_channels(net, key, 0, 64)
    >>> rr = np.repeat(np.arange(64), 2); ee = np.tile(np.arange(2), 64)
    >>> want = uniforms(key, rr, net.eid[ee]) < net.value[ee]
    >>> bool((r == rr[want]).all() and (e == ee[want]).all())
    True
    """
    base, cut, m = net.base(key), net.cut, net.src.size
    runs, edges = [], []
    for r in range(r0, r1):
        step = np.uint64((r * int(_GAMMA)) & _MASK)  # run * gamma, modulo 2**64
        for c0 in range(0, m, _SLICE):
            z = base[c0 : c0 + _SLICE] + step
            _mix(z)
            z >>= _S11
            e = np.flatnonzero(z < cut[c0 : c0 + _SLICE])
            e += c0
            edges.append(e)
            runs.append(np.full(e.size, r, dtype=np.int64))
    if not edges:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(runs), np.concatenate(edges)


# Each byte value's eight bits, for summing sizes over bit positions by byte histograms.
_BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little")


def _bit_sums(bits: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """For each bit position of the ``rows x W`` words, the summed ``weight`` of the rows
    with that bit set: one weighted histogram of byte values per byte column, instead of
    unpacking every row's bits (exact: the weights are whole numbers).

    >>> b = np.array([[1], [3], [2]], dtype=np.uint64)
    >>> _bit_sums(b, np.array([1.0, 10.0, 100.0]))[:3].tolist()
    [11.0, 110.0, 0.0]
    """
    by = np.ascontiguousarray(np.ascontiguousarray(bits).view(np.uint8).T)
    out = np.zeros(by.shape[0] * 8)
    for j, col in enumerate(by):
        out[8 * j : 8 * j + 8] = np.bincount(col, weights=weight, minlength=256) @ _BYTE_BITS
    return out
