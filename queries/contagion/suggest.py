"""Which new links would most raise the expected reach of a cascade (influence maximisation).

The public entry point is :mod:`gridvoices.queries.contagion`, which re-exports this.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion.celf import celf
from gridvoices.queries.contagion.edges import (
    check_edges,
    check_pair,
    check_prob,
    check_runs,
    check_seeds,
    districts_of,
    edge_probabilities,
)
from gridvoices.queries.contagion.sim import (
    Network,
    bool_to_words,
    edge_arrays,
    resolve_seed,
    simulate_ic,
    spread_ic,
    uniforms,
    words_to_bool,
)

__all__ = ["suggest_links", "default_candidates"]

_SOURCES, _TARGETS = 12, 30


def _eligible_target(a: dict) -> bool:
    return a.get("type") in (None, "Service", "Group") and a.get("active", True)


def default_candidates(
    G: nx.DiGraph, probs: dict, probability: dict, seeds: Iterable, limit: int = 300
) -> list[tuple]:
    """Links from the most activated nodes to the least reached services in other districts.

    Sources: the most activated node of each district (and overall), up to 12,
    ties broken by more outgoing channels. Targets: up to 30 active,
    non-seed services and groups with the lowest activation chance, ties
    broken by more outgoing channels (a target that leads on is worth more).
    A pair is kept when the two share no district and no channel joins them;
    when some sources are in a district bordering the target's, only those
    (a link to a neighbouring district is the one people can travel).

    Examples
    --------
    >>> G = nx.DiGraph([(0, 1), (2, 3)])
    >>> default_candidates(G, {(0, 1): 1.0, (2, 3): 1.0}, {0: 1, 1: 1, 2: 0, 3: 0}, [0])
    [(0, 2), (1, 2), (0, 3), (1, 3)]
    """
    seeds = set(seeds)
    nodes = list(G)
    s_, _, p_ = edge_arrays(probs, nodes)
    counts = np.bincount(s_[p_ > 0], minlength=len(nodes))
    outdeg = dict(zip(nodes, counts.tolist(), strict=True))

    def rank(n):
        return (-probability[n], -outdeg.get(n, 0), str(n))

    best: dict = {}
    for n in G:
        for d in districts_of(G, n) or [None]:
            if d not in best or rank(n) < rank(best[d]):
                best[d] = n
    top = sorted(G, key=rank)[:_SOURCES]
    sources = [n for n in sorted(set(best.values()) | set(top), key=rank) if probability[n] > 0]
    sources = sources[:_SOURCES]
    targets = sorted(
        (
            n
            for n, a in G.nodes(data=True)
            if n not in seeds and probability[n] < 1 and _eligible_target(a)
        ),
        key=lambda n: (probability[n], -outdeg.get(n, 0), str(n)),
    )[:_TARGETS]
    borders = G.graph.get("borders", set())
    out = []
    for t in targets:
        dt = set(districts_of(G, t))
        ok = [
            s
            for s in sources
            if s != t and probs.get((s, t), 0) == 0 and not dt & set(districts_of(G, s))
        ]
        near = [
            s
            for s in ok
            if any(frozenset((a, b)) in borders for a in districts_of(G, s) for b in dt)
        ]
        out += [(s, t) for s in (near or ok)]
    return out[:limit]


class _Greedy:
    """Greedy state on fixed random worlds: the final active sets and the network so far.

    ``A`` holds the active sets as ``nodes x words`` bits (run r: bit r % 64 of
    word r // 64), ``Ab`` the same as ``nodes x runs`` booleans.
    """

    def __init__(self, G, probs, seeds, runs, key):
        self.nodes = list(G)
        self.n = len(self.nodes)
        self.probs, self.runs, self.key = probs, runs, key
        self.added: dict = {}
        self.net = Network.build(self.nodes, probs)
        idx = np.array([self.net.index[s] for s in seeds], dtype=np.int64)
        self.A = simulate_ic(self.net, idx, runs, key)["words"]
        self.Ab = words_to_bool(self.A, runs)
        self.all_runs = np.arange(runs)

    def live(self, u: int, v: int, q: float) -> np.ndarray:
        lid = np.uint64(self.n) * np.uint64(self.n) + np.uint64(u * self.n + v)
        return uniforms(self.key, self.all_runs, np.full(self.runs, lid)) < q

    def residual(self, v: int, runs_mask: np.ndarray | None = None):
        """Per run, how many nodes activating ``v`` adds; and the active sets with it."""
        mask = ~self.Ab[v] if runs_mask is None else runs_mask & ~self.Ab[v]
        F = np.zeros_like(self.A)
        F[v] = bool_to_words(mask)
        A2 = self.A | F
        spread_ic(self.net, self.key, A2, F)
        gain = words_to_bool(A2 & ~self.A, self.runs).sum(axis=0)
        return gain, A2


def suggest_links(
    G: nx.DiGraph,
    seeds: Iterable,
    k: int = 3,
    *,
    candidates: Iterable | None = None,
    probabilities: dict | None = None,
    new_link_p: float = 0.3,
    runs: int = 200,
    seed=None,
    max_candidates: int = 300,
) -> list[dict]:
    """The ``k`` new links that most raise the expected reach of an independent cascade.

    Greedy influence maximisation with lazy evaluation (:func:`.celf`) over a bounded
    candidate set. Every candidate is scored on the same random worlds
    (common random numbers), so a gain is a paired difference, and because
    reach in a fixed world is a coverage function the lazy greedy picks
    exactly what the plain greedy would. A new link u -> v carries recovery
    with ``new_link_p``, independently of any channel already there. A
    navigator placement is a candidate (navigator, service).

    Parameters
    ----------
    seeds : iterable of node ids
    k : int
        Links to pick; fewer come back when no candidate adds reach.
    candidates : iterable of (u, v), optional
        Default :func:`default_candidates` (at most ``max_candidates``).
    probabilities : dict, optional
        ``(u, v) -> p``; default :func:`~gridvoices.queries.contagion.edge_probabilities`.
    new_link_p : float in (0, 1]
    runs, seed
        As :func:`~gridvoices.queries.contagion.independent_cascade`; ``reach_before`` of
        the first pick equals its ``expected_reach`` for the same runs and seed.

    Returns
    -------
    list of dict
        In order of picking: ``rank``, ``source``, ``target``, names and
        districts, ``p``, ``gain`` (expected extra active nodes), ``gain_se``,
        ``reach_before``, ``reach_after``, ``p_source``, ``p_target_before``,
        ``p_target_after``, ``candidates``, ``why``.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("c", "d"), ("d", "e")])
    >>> p = {e: 1.0 for e in G.edges}
    >>> s = suggest_links(G, ["a"], 1, probabilities=p, new_link_p=1.0, seed=0)
    >>> (s[0]["source"], s[0]["target"], s[0]["gain"])
    ('a', 'c', 3.0)
    """
    seeds = check_seeds(G, seeds)
    runs = check_runs(runs)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise QueryError(f"k must be a whole number of links >= 1, not {k!r}")
    if (
        isinstance(max_candidates, bool)
        or not isinstance(max_candidates, int)
        or max_candidates < 1
    ):
        raise QueryError(f"max_candidates must be a whole number >= 1, not {max_candidates!r}")
    q = check_prob(new_link_p, "new_link_p")
    if q == 0:
        raise QueryError("new_link_p must be above 0: a link that never carries adds nothing")
    probs = (
        edge_probabilities(G)
        if probabilities is None
        else check_edges(G, probabilities, "probabilities")
    )
    value, key = resolve_seed(seed)
    state = _Greedy(G, probs, seeds, runs, key)
    ix = state.net.index
    if candidates is None:
        prob = {n: float(state.Ab[ix[n]].mean()) for n in state.nodes}
        cands = default_candidates(G, probs, prob, seeds, max_candidates)
    else:
        if isinstance(candidates, str | dict):
            raise QueryError("candidates must be a list of (source, target) pairs")
        cands = list(dict.fromkeys(check_pair(G, c, "candidates") for c in candidates))
    cache: dict = {}  # target -> its residual gain per run, until the next pick

    def gain(c: tuple) -> float:
        u, v = ix[c[0]], ix[c[1]]
        if v not in cache:
            cache[v] = state.residual(v)[0]
        per_run = state.Ab[u] & state.live(u, v, q)
        return float((per_run * cache[v]).mean())

    picks: list[dict] = []
    for c, g in celf(cands, gain, k):
        if g <= 0:
            break
        picks.append(_apply(G, state, c, q, len(cands), len(picks) + 1))
        cache.clear()
    return picks


def _apply(G, state: _Greedy, c: tuple, q: float, n_cands: int, rank: int) -> dict:
    s, t = c
    u, v = state.net.index[s], state.net.index[t]
    before = state.Ab.sum(axis=0)
    p_source, p_target = state.Ab[u].mean(), state.Ab[v].mean()
    carried = state.Ab[u] & state.live(u, v, q) & ~state.Ab[v]
    gain, state.A = state.residual(v, carried)
    state.Ab = words_to_bool(state.A, state.runs)
    state.added[c] = q
    state.net = Network.build(state.nodes, state.probs, state.added)
    after = state.Ab.sum(axis=0)
    diff = after - before
    g, se = (
        float(diff.mean()),
        float(diff.std(ddof=1) / np.sqrt(state.runs)) if state.runs > 1 else 0.0,
    )
    crossing = carried.mean()
    onward = float(gain[carried].mean()) - 1 if carried.any() else 0.0
    name = {n: str(G.nodes[n].get("name") or n) for n in c}
    return {
        "rank": rank,
        "source": s,
        "target": t,
        "source_name": name[s],
        "target_name": name[t],
        "source_district": G.nodes[s].get("district"),
        "target_district": G.nodes[t].get("district"),
        "p": q,
        "gain": round(g, 4),
        "gain_se": round(se, 4),
        "reach_before": round(float(before.mean()), 4),
        "reach_after": round(float(after.mean()), 4),
        "p_source": round(float(p_source), 4),
        "p_target_before": round(float(p_target), 4),
        "p_target_after": round(float(state.Ab[v].mean()), 4),
        "candidates": n_cands,
        "why": f"a link {s} -> {t} (p {q:.2f}): {name[s]} is active in {p_source:.0%} of runs "
        f"and {name[t]} in {p_target:.0%}; the link newly activates {name[t]} in "
        f"{crossing:.0%} of runs, and {onward:.1f} more nodes beyond it each time; expected "
        f"reach {before.mean():.1f} -> {after.mean():.1f} (+{g:.2f} ± {se:.2f}), "
        f"best of {n_cands} candidates",
    }
