"""Contagion inputs: edge probabilities, seeds, weights, and the checks on what callers pass.

The public entry point is :mod:`gridvoices.queries.contagion`, which re-exports these.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import networkx as nx
import numpy as np
import scipy.sparse as sp
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion.sim import MAX_RUNS, edge_arrays

_PROBS_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

__all__ = [
    "FORMULA",
    "EdgeProbabilities",
    "edge_probabilities",
    "default_seeds",
    "normalised_weights",
]

FORMULA = (
    "p(u->v) = 1 - (1 - p_ref)(1 - p_peer): p_ref = 1 - exp(-referrals(u->v) / referral_scale), "
    "each referral an independent chance of about 1/referral_scale to carry recovery on; "
    "p_peer = peer_factor x strength of a peer link u->v, and of a peer link v->u too when "
    "peer_both_ways (peer support flows both ways: a mentor brings recovery to a service, "
    "the people there bring theirs to the mentor's group)"
)


class EdgeProbabilities(dict):
    """A dict ``(u, v) -> p`` that also keeps the arrays it was computed from.

    The simulations read the arrays (node indices in graph order) instead of
    the million keys of a national graph. Any change to the dict drops them,
    and the dict is then read like any other.
    """

    _cache: tuple | None = None

    @classmethod
    def from_arrays(cls, nodes: list, s, t, p) -> EdgeProbabilities:
        keys = zip(
            map(nodes.__getitem__, s.tolist()), map(nodes.__getitem__, t.tolist()), strict=True
        )
        out = cls(zip(keys, p.tolist(), strict=True))
        out._cache = (nodes, s, t, p)
        return out

    def arrays_for(self, nodes: list):
        """``(src, dst, p)`` when still valid for this node order, else None."""
        c = self._cache
        if c is not None and len(c[0]) == len(nodes) and c[0] == nodes and len(self) == len(c[1]):
            return c[1], c[2], c[3]
        return None

    def copy(self) -> EdgeProbabilities:
        """A copy that keeps the arrays (they are never written to)."""
        out = EdgeProbabilities(self)
        out._cache = self._cache
        return out

    # Any change forgets the arrays.
    def __setitem__(self, key, value):
        self._cache = None
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self._cache = None
        super().__delitem__(key)

    def __ior__(self, other):
        self._cache = None
        return super().__ior__(other)

    def update(self, *args, **kwargs):
        self._cache = None
        super().update(*args, **kwargs)

    def pop(self, *args):
        self._cache = None
        return super().pop(*args)

    def popitem(self):
        self._cache = None
        return super().popitem()

    def setdefault(self, key, default=None):
        self._cache = None
        return super().setdefault(key, default)

    def clear(self):
        self._cache = None
        super().clear()


def check_prob(p, what: str) -> float:
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1 or p != p:
        raise QueryError(f"{what} must be a number from 0 to 1, not {p!r}")
    return float(p)


def check_pair(G, pair, what: str) -> tuple:
    try:
        u, v = pair
    except (TypeError, ValueError):
        raise QueryError(f"{what} keys must be (source, target) pairs, not {pair!r}") from None
    for x in (u, v):
        if x not in G:
            raise QueryError(f"{what}: {x!r} is not a node of the graph")
    if u == v:
        raise QueryError(f"{what}: a link from {u!r} to itself cannot spread anything")
    return u, v


def _channels(G, nodes, referral_scale, peer_factor, peer_both_ways):
    """Per channel: source and target index, probability (before any override)."""
    index = {v: i for i, v in enumerate(nodes)}
    # Grouped by source, in node order (G.edges' order), read straight from the adjacency
    # dicts: the edge views' generators cost more than the reads on a million links.
    adj = [nbrs for _, nbrs in G.adjacency()]
    t = np.fromiter(map(index.__getitem__, (v for nbrs in adj for v in nbrs)), dtype=np.int64)
    data = [d for nbrs in adj for d in nbrs.values()]
    r = np.fromiter((d.get("referrals") or 0 for d in data), dtype=np.float64, count=len(data))
    peer = [i for i, d in enumerate(data) if d.get("peer_kind") is not None or "strength" in d]
    st = [data[i].get("strength") for i in peer]
    pp = peer_factor * np.array([1.0 if x is None else float(x) for x in st], dtype=np.float64)
    peer = np.array(peer, dtype=np.int64)
    outdeg = np.fromiter((k for _, k in G.out_degree()), dtype=np.int64, count=len(nodes))
    s = np.repeat(np.arange(len(nodes), dtype=np.int64), outdeg)
    p = -np.expm1(-r / referral_scale)
    p[peer] = 1.0 - (1.0 - p[peer]) * (1.0 - pp)
    if peer_both_ways and peer.size:
        # reverse channels, merged with any channel already running that way
        s, t = np.r_[s, t[peer]], np.r_[t, s[peer]]
        miss = np.r_[1.0 - p, 1.0 - pp]
        key = s * len(nodes) + t
        order = np.argsort(key, kind="stable")
        key, s, t, miss = key[order], s[order], t[order], miss[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        s, t, p = s[starts], t[starts], 1.0 - np.multiply.reduceat(miss, starts)
    # One rule for inactive services everywhere (coverage, seeds, whatif's close): a service
    # not running now passes nothing on and is reached by nothing, whatever flows it had.
    closed = np.fromiter((not G.nodes[n].get("active", True) for n in nodes), bool, len(nodes))
    if closed.any():
        p = np.where(closed[s] | closed[t], 0.0, p)
    return s, t, p


def edge_probabilities(
    G: nx.DiGraph,
    *,
    referral_scale: float = 10.0,
    peer_factor: float = 0.5,
    peer_both_ways: bool = True,
    override: dict | Callable | None = None,
) -> EdgeProbabilities:
    """The chance that recovery passes along each directed channel of ``G``.

    ``p(u->v) = 1 - (1 - p_ref) * (1 - p_peer)`` with ``p_ref = 1 - exp(-r /
    referral_scale)`` for the ``r`` referrals u->v summed over the graph's
    periods (each referral an independent chance of ``~1/referral_scale``;
    the default gives 1 referral 0.10, 5 referrals 0.39, 20 referrals 0.86)
    and ``p_peer = peer_factor * strength`` for a peer link u->v. Referrals
    spread from source to target. Peer links spread from the navigator or
    group to the service or group, and, when ``peer_both_ways`` (the default),
    back as well with the same ``p_peer``: a peer link is a relationship both
    sides draw on. Independent channels between the same pair combine as
    ``1 - prod(1 - p)``. Longer period ranges add referrals, so raise the chances.
    A service marked inactive (not running now) has no channels (``p = 0`` both
    ways), whatever flows it had: the rule coverage and seeds use, and what
    ``whatif``'s close does.

    Parameters
    ----------
    referral_scale : float > 0
        Referrals for a ``1 - 1/e`` (63%) chance.
    peer_factor : float in [0, 1]
        Chance along a peer link of strength 1.
    peer_both_ways : bool
        Whether peer links also spread from target back to source.
    override : dict or callable, optional
        ``{(u, v): p}`` replaces (or adds) channels; a callable
        ``f(u, v, data) -> p or None`` is asked for every channel, with ``data``
        the edge's attributes in ``G`` (``{}`` for a reverse peer channel);
        None keeps the formula's value.

    Returns
    -------
    EdgeProbabilities
        A dict ``(u, v) -> p`` for every channel, zeros included.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edge("a", "b", referrals=10); G.add_edge("n", "a", referrals=0, strength=0.8)
    >>> p = edge_probabilities(G)
    >>> round(p["a", "b"], 3), p["n", "a"], p["a", "n"]
    (0.632, 0.4, 0.4)
    """
    if (
        isinstance(referral_scale, bool)
        or not isinstance(referral_scale, int | float)
        or not referral_scale > 0
    ):
        raise QueryError(f"referral_scale must be a positive number, not {referral_scale!r}")
    check_prob(peer_factor, "peer_factor")
    if override is not None and not (isinstance(override, dict) or callable(override)):
        raise QueryError("override must be a dict {(u, v): p} or a callable f(u, v, data)")
    nodes = list(G)
    # Contagion, the index, closures and navigators all ask for the same channels of the
    # same graph; at a million edges each computation took seconds. A cached answer is
    # handed out as a copy, so a caller that edits its dict changes no one else's.
    key = (len(nodes), G.number_of_edges(), referral_scale, peer_factor, peer_both_ways)
    cached = _PROBS_CACHE.get(G)
    if cached is not None and cached[0] == key:
        base = cached[1]
    else:
        base = EdgeProbabilities.from_arrays(
            nodes, *_channels(G, nodes, referral_scale, peer_factor, peer_both_ways)
        )
        _PROBS_CACHE[G] = (key, base)
    probs = base.copy()
    if isinstance(override, dict):
        for pair, p in override.items():
            probs[check_pair(G, pair, "override")] = check_prob(p, f"override {pair!r}")
    elif override is not None:
        for u, v in list(probs):
            q = override(u, v, G.get_edge_data(u, v, {}))
            if q is not None:
                probs[(u, v)] = check_prob(q, f"override({u!r}, {v!r})")
    return probs


def default_seeds(G: nx.DiGraph) -> list:
    """Active lived-experience-led services, mutual-aid groups and navigators, sorted.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("s", type="Service", lived_experience_led=True, active=True)
    >>> G.add_node("t", type="Service", lived_experience_led=False, active=True)
    >>> G.add_node("g", type="Group", active=True); G.add_node("n", type="Navigator")
    >>> default_seeds(G)
    ['g', 'n', 's']
    """
    out = []
    for n, a in G.nodes(data=True):
        if not a.get("active", True):
            continue
        t = a.get("type")
        if t in ("Group", "Navigator") or (t == "Service" and a.get("lived_experience_led")):
            out.append(n)
    return sorted(out, key=str)


def normalised_weights(weights: dict) -> dict:
    """Scale each node's incoming weights down so they sum to at most 1.

    Examples
    --------
    >>> normalised_weights({("a", "c"): 0.75, ("b", "c"): 0.5, ("a", "b"): 0.2})
    {('a', 'c'): 0.6, ('b', 'c'): 0.4, ('a', 'b'): 0.2}
    """
    total: dict = {}
    for (_, v), w in weights.items():
        total[v] = total.get(v, 0.0) + w
    return {(u, v): (w / total[v] if total[v] > 1 else w) for (u, v), w in weights.items()}


def normalised_arrays(nodes: list, edges: dict) -> EdgeProbabilities:
    """:func:`normalised_weights` on the arrays of ``edges``, as :class:`EdgeProbabilities`."""
    s, t, w = edge_arrays(edges, nodes)
    total = np.bincount(t, weights=w, minlength=len(nodes))
    return EdgeProbabilities.from_arrays(nodes, s, t, w / np.maximum(total, 1.0)[t])


def check_seeds(G, seeds) -> list:
    if seeds is None or isinstance(seeds, str):
        raise QueryError("seeds must be a list of node ids (see default_seeds)")
    seeds = list(dict.fromkeys(seeds))
    if not seeds:
        raise QueryError("no seeds: give at least one node to start the cascade from")
    bad = [s for s in seeds if s not in G]
    if bad:
        raise QueryError(f"seed {bad[0]!r} is not a node of the graph")
    return seeds


def check_runs(runs) -> int:
    if isinstance(runs, bool) or not isinstance(runs, int | np.integer):
        raise QueryError(f"runs must be a whole number, not {runs!r}")
    if not 1 <= runs <= MAX_RUNS:
        raise QueryError(f"runs must be from 1 to {MAX_RUNS}, not {runs}")
    return int(runs)


def check_edges(G, edges, what: str) -> dict:
    """``edges`` as a dict of valid channels of ``G`` with values in [0, 1], or QueryError."""
    if not isinstance(edges, dict):
        raise QueryError(f"{what} must be a dict {{(u, v): value}}")
    if isinstance(edges, EdgeProbabilities) and edges.arrays_for(list(G)) is not None:
        return edges
    try:
        vals = np.fromiter(edges.values(), dtype=np.float64, count=len(edges))
        ok = bool(((vals >= 0) & (vals <= 1)).all())
    except (TypeError, ValueError):
        ok = False
    nodes = G.nodes
    if not ok or not all(
        type(k) is tuple and len(k) == 2 and k[0] in nodes and k[1] in nodes and k[0] != k[1]
        for k in edges
    ):
        return {check_pair(G, k, what): check_prob(p, f"{what} {k!r}") for k, p in edges.items()}
    return dict(zip(edges, vals.tolist(), strict=True))


def span(G) -> str:
    ps = list(G.graph.get("periods", []))
    if not ps:
        return "the graph's periods"
    return ps[0] if len(ps) == 1 else f"{ps[0]} to {ps[-1]}"


def districts_of(G, n) -> list:
    a = G.nodes[n]
    return list(a.get("districts") or ([a["district"]] if a.get("district") else []))


class Membership:
    """Which districts each node lists, as a sparse ``nodes x districts`` 0/1 matrix."""

    def __init__(self, G, nodes: list):
        ids: dict = {}
        rows, cols = [], []
        for i, n in enumerate(nodes):
            for d in districts_of(G, n):
                rows.append(i)
                cols.append(ids.setdefault(d, len(ids)))
        self.ids = list(ids)
        self.col = ids
        self.M = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(nodes), len(ids))
        )

    def entering(self, src, dst) -> dict:
        """district -> channels into one of its nodes from a node not listing it."""
        X, Y = self.M[dst], self.M[src]
        into = np.asarray(X.sum(axis=0)).ravel() - np.asarray(X.multiply(Y).sum(axis=0)).ravel()
        return {d: int(into[j]) for j, d in enumerate(self.ids)}

    def crossings(self, src, dst, p) -> dict:
        """(A, B) -> (links, strongest edge index) for channels from A into B (target not in A)."""
        X = self.M[dst]
        Z = (self.M[src] - self.M[src].multiply(X)).tocsr()
        Z.eliminate_zeros()
        zc, xc = np.diff(Z.indptr), np.diff(X.indptr)
        pairs = zc * xc
        total = int(pairs.sum())
        if not total:
            return {}
        e = np.repeat(np.arange(len(src)), pairs)
        k = np.arange(total) - np.repeat(np.cumsum(pairs) - pairs, pairs)
        a = Z.indices[Z.indptr[e] + k // xc[e]]
        b = X.indices[X.indptr[e] + k % xc[e]]
        key = a.astype(np.int64) * len(self.ids) + b
        order = np.lexsort((-p[e], key))
        key, e = key[order], e[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        counts = np.diff(np.r_[starts, key.size])
        D = len(self.ids)
        return {
            (self.ids[int(kk) // D], self.ids[int(kk) % D]): (int(c), int(ee))
            for kk, c, ee in zip(key[starts], counts, e[starts], strict=True)
        }
