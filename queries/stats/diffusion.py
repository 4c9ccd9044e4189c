"""Contagion in the diffusion researchers' vocabulary (netdiffuseR; Valente 1995, Myers 2000).

From the Monte Carlo worlds of an independent cascade
(:class:`gridvoices.queries.stats.worlds.Worlds`, the same draws as
:func:`~gridvoices.queries.contagion.independent_cascade`) with ``t_i`` the step node ``i``
activates in a run (0 for seeds, never for some), and ``w`` the channel
probabilities (:func:`~gridvoices.queries.contagion.edge_probabilities`):

* **exposure** of ``i``: ``sum_j w_ji a_j / sum_j w_ji`` over its in-channels, at
  the end of a run, averaged over runs (the weighted share of active neighbours);
* **threshold** (exposure at adoption): the same share counting only
  neighbours active before ``t_i``, averaged over the runs where ``i`` adopted
  (seeds have none);
* **susceptibility** (K = 1): of the weight of ``i``'s in-neighbours active
  before it, the share that adopted in the step just before it;
* **infectiousness** (K = 1): of the weight of ``i``'s out-neighbours not yet
  active when it adopted, the share that adopted in the next step;
* **hazard** per step ``t``: adopters at ``t`` / nodes not yet active before ``t``
  (pooled over runs);
* **Moran's I** of activation (each non-seed node's adoption probability) over
  the symmetrised channel weights, with a permutation p-value (the values
  shuffled among the nodes). Moran's I of a constant is 0/0: undefined, and
  reported as None with the reason, never as a number;
* **structural test**: Moran's I on the real network against the same
  activation on networks whose channels have their targets shuffled (a
  directed configuration model: every node keeps its in- and out-degree):
  does activation cluster on *this* network more than on a random one with
  the same degrees?
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.contagion import default_seeds, edge_probabilities
from gridvoices.queries.contagion.edges import check_runs, check_seeds
from gridvoices.queries.contagion.sim import resolve_seed
from gridvoices.queries.stats.worlds import Worlds

__all__ = ["morans_i", "diffusion_stats"]

_CELLS = 1 << 22


def _moran_arrays(s, t, w, x, permutations: int, rng, *, rewire: bool = False) -> dict:
    """Moran's I of ``x`` over links ``s - t`` with weights ``w`` (symmetrised), and its null."""
    n = x.size
    keep = s != t
    s, t, w = s[keep], t[keep], w[keep]
    z = x - x.mean()
    den = float(z @ z)
    out = {"value": None, "expected": None, "p_value": None, "permutations": permutations,
           "nodes": int(n), "links": int(s.size), "reason": None}  # fmt: skip
    if n < 3:
        out["reason"] = f"{n} nodes: Moran's I needs at least 3"
    elif w.sum() <= 0:
        out["reason"] = "no links between the nodes: Moran's I is undefined"
    elif den <= 1e-12 * n:
        out["reason"] = (
            f"activation is the same ({x[0]:.3g}) at every node: Moran's I is 0/0, undefined"
        )
    if out["reason"]:
        return out
    value = n * float((w * z[s]) @ z[t]) / (float(w.sum()) * den)
    out.update(value=round(value, 4), expected=round(-1 / (n - 1), 4))
    ge, done, null = 0, 0, []
    chunk = max(1, _CELLS // max(n + s.size, 1))
    while done < permutations:
        C = min(chunk, permutations - done)
        if rewire:  # targets shuffled among the links: degrees kept, self-links dropped
            tp = t[rng.permuted(np.broadcast_to(np.arange(t.size), (C, t.size)), axis=1)]
            ww = np.where(tp != s, w, 0.0)
            stat = n * ((ww * z[s]) * z[tp]).sum(axis=1) / (ww.sum(axis=1) * den)
        else:
            zp = rng.permuted(np.broadcast_to(z, (C, n)), axis=1)
            stat = n * ((w * zp[:, s]) * zp[:, t]).sum(axis=1) / (float(w.sum()) * den)
        ge += int((stat >= value - 1e-12).sum())
        null.append(stat)
        done += C
    null = np.concatenate(null)
    out.update(
        p_value=round((1 + ge) / (1 + permutations), 4),
        null_mean=round(float(null.mean()), 4),
        null_sd=round(float(null.std()), 4),
    )
    return out


def morans_i(
    G: nx.Graph, values: dict, *, weight: str | None = "weight", permutations: int = 999, seed=None
) -> dict:
    """Moran's I of ``values`` (node -> number) over the links of ``G``, with a permutation test.

    ``I = n / S0 * sum_ij W_ij z_i z_j / sum_i z_i^2`` with ``z`` the deviations from
    the mean and ``W`` the link weights made symmetric (a directed link counts for
    both ends). Only nodes in ``values`` and links between them count. The
    p-value is one-sided (clustering): the share of shuffles of the values among
    the nodes with an I at least as high. When I is undefined (a constant, no
    links, fewer than 3 nodes) ``value`` is None and ``reason`` says why.

    Examples
    --------
    >>> G = nx.path_graph(6)
    >>> morans_i(G, dict.fromkeys(G, 1.0))["reason"]
    "activation is the same (1) at every node: Moran's I is 0/0, undefined"
    >>> r = morans_i(G, {0: 1, 1: 1, 2: 1, 3: 0, 4: 0, 5: 0}, seed=1)
    >>> r["value"], r["p_value"] < 0.1
    (0.6, True)
    """
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 1:
        raise QueryError(f"permutations must be a whole number >= 1, not {permutations!r}")
    nodes = [n for n in G if n in values]
    ix = {n: i for i, n in enumerate(nodes)}
    links = [(ix[u], ix[v], 1.0 if weight is None else float(d.get(weight, 1.0)))
             for u, v, d in G.edges(data=True) if u in ix and v in ix]  # fmt: skip
    s = np.array([x[0] for x in links], dtype=np.int64)
    t = np.array([x[1] for x in links], dtype=np.int64)
    w = np.array([x[2] for x in links], dtype=float)
    x = np.array([float(values[n]) for n in nodes])
    rng = np.random.default_rng(resolve_seed(seed)[0])
    return _moran_arrays(s, t, w, x, permutations, rng)


def _edge_sums(T, src, dst, p) -> dict:
    """Per channel, over runs: the weighted counts behind threshold, susceptibility and
    infectiousness (T: runs x nodes activation steps, -1 never)."""
    out = {k: np.zeros(src.size) for k in ("before", "just_before", "after", "next")}
    per = max(1, _CELLS // max(src.size, 1))
    for r0 in range(0, T.shape[0], per):
        ts, td = T[r0 : r0 + per][:, src], T[r0 : r0 + per][:, dst]
        adopted = td > 0
        before = adopted & (ts >= 0) & (ts < td)
        out["before"] += before.sum(axis=0)
        out["just_before"] += (adopted & (ts == td - 1)).sum(axis=0)
        later = (ts >= 0) & ((td > ts) | (td < 0))
        out["after"] += later.sum(axis=0)
        out["next"] += ((ts >= 0) & (td == ts + 1)).sum(axis=0)
    return {k: v * p for k, v in out.items()}


def diffusion_stats(
    G: nx.DiGraph,
    seeds=None,
    *,
    probabilities: dict | None = None,
    runs: int = 1000,
    permutations: int = 999,
    seed=None,
) -> dict:
    """Exposure, thresholds, susceptibility, infectiousness, hazard and Moran's I of a cascade.

    Parameters
    ----------
    seeds : list, optional
        Default :func:`~gridvoices.queries.contagion.default_seeds`.
    probabilities : dict, optional
        Default :func:`~gridvoices.queries.contagion.edge_probabilities`.
    runs : int
        Monte Carlo runs of the independent cascade.
    permutations : int
        Shuffles for the Moran's I p-value and for the structural test.
    seed : None, int, numpy Generator or random.Random

    Returns
    -------
    dict
        ``nodes`` (id, name, type, district, seed, adoption, mean_step, exposure,
        threshold, susceptibility, infectiousness; None where undefined),
        ``hazard`` (step, at_risk, adopted, hazard), ``morans_i`` and
        ``structural`` (value, expected, p_value, null_mean, null_sd, reason),
        ``runs``, ``seed``, ``why``.

    Examples
    --------
    >>> G = nx.path_graph(4, create_using=nx.DiGraph)
    >>> r = diffusion_stats(G, [0], probabilities={e: 1.0 for e in G.edges}, runs=8, seed=1)
    >>> [h["hazard"] for h in r["hazard"]], r["morans_i"]["value"]
    ([0.3333, 0.5, 1.0], None)
    """
    seeds = check_seeds(G, default_seeds(G) if seeds is None else seeds)
    runs = check_runs(runs)
    probs = edge_probabilities(G) if probabilities is None else probabilities
    value, _ = resolve_seed(seed)
    W = Worlds(G, seeds, probs, runs=runs, seed=value)
    T = W.times()
    n, net = len(W.nodes), W.net
    src, dst, p = net.src, net.dst, net.value
    A = T >= 0
    adopt = A.mean(axis=0)
    n_adopt = (T > 0).sum(axis=0)
    w_in = np.bincount(dst, weights=p, minlength=n)
    w_out = np.bincount(src, weights=p, minlength=n)
    exposure = np.bincount(dst, weights=p * adopt[src], minlength=n)
    es = _edge_sums(T, src, dst, p)

    def ratio(num, den):
        return [None if d <= 0 else round(float(a / d), 4) for a, d in zip(num, den, strict=True)]

    thr = ratio(np.bincount(dst, weights=es["before"], minlength=n), w_in * n_adopt)
    sus = ratio(np.bincount(dst, weights=es["just_before"], minlength=n),
                np.bincount(dst, weights=es["before"], minlength=n))  # fmt: skip
    inf = ratio(np.bincount(src, weights=es["next"], minlength=n),
                np.bincount(src, weights=es["after"], minlength=n))  # fmt: skip
    expo = ratio(exposure, w_in)
    steps = np.where(A, T, 0).sum(axis=0)
    rows = []
    for i, v in enumerate(W.nodes):
        a = G.nodes[v]
        k = A[:, i].sum()
        rows.append(
            {
                "id": v,
                "name": a.get("name", v),
                "type": a.get("type"),
                "district": a.get("district"),
                "seed": bool(W.is_seed[i]),
                "adoption": round(float(adopt[i]), 4),
                "mean_step": round(float(steps[i] / k), 3) if k else None,
                "exposure": expo[i],
                "threshold": thr[i],
                "susceptibility": sus[i],
                "infectiousness": inf[i],
                "out_weight": round(float(w_out[i]), 4),
            }
        )
    hazard = []
    for t in range(1, int(T.max()) + 1 if T.size else 1):
        at_risk = int(((T < 0) | (T >= t)).sum())
        new = int((T == t).sum())
        hazard.append({"step": t, "at_risk": at_risk / runs, "adopted": new / runs,
                       "hazard": round(new / at_risk, 4) if at_risk else None})  # fmt: skip
    non_seed = np.flatnonzero(~W.is_seed)
    pos = np.full(n, -1)
    pos[non_seed] = np.arange(non_seed.size)
    keep = (pos[src] >= 0) & (pos[dst] >= 0)
    s2, t2, w2, x = pos[src][keep], pos[dst][keep], p[keep], adopt[non_seed]
    rng = np.random.default_rng(value)
    moran = _moran_arrays(s2, t2, w2, x, permutations, rng)
    struct = _moran_arrays(s2, t2, w2, x, permutations, rng, rewire=True)
    return {
        "runs": runs,
        "seed": value,
        "seeds": list(seeds),
        "nodes": rows,
        "hazard": hazard,
        "morans_i": moran,
        "structural": struct,
        "why": _why(moran, struct, hazard),
    }


def _why(moran: dict, struct: dict, hazard: list) -> str:
    if moran["value"] is None:
        text = f"Moran's I of activation is undefined: {moran['reason']}"
    else:
        text = (
            f"Moran's I of activation over the network is {moran['value']:+.3f} (no clustering: "
            f"{moran['expected']:+.3f}); shuffling activation among the nodes gives p = "
            f"{moran['p_value']:.4f}; on networks with the same degrees and shuffled links it "
            f"averages {struct['null_mean']:+.3f}, p = {struct['p_value']:.4f}"
        )
    if hazard:
        peak = max(hazard, key=lambda h: h["hazard"] or 0)
        text += f"; the hazard of adoption peaks at step {peak['step']} ({peak['hazard']:.0%})"
    return text
