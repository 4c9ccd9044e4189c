"""Are barriers real? A permutation test of each boundary's flow, corrected for multiple tests.

The barrier analysis (:mod:`gridvoices.queries.barriers.forms`) compares the referrals across a
boundary with what the independence model expects. That ratio says how big
a barrier looks, not whether it could be chance. Here each bordering pair of
districts (or pair of organisations) is tested against a permutation null:

**Null model (a), labels permuted within size.** The referral network is kept
exactly as it is (who refers to whom, and how many); only the boundary labels
move: the district (or organisation) labels of the services and groups are
shuffled at random, so every district keeps its number of services. The
flow between A and B in each shuffle is what the same network would send
across that boundary if boundaries were drawn without regard to referrals.
The p-value is the share of shuffles with a flow *as low as or lower* than
observed, ``(1 + #{null <= observed}) / (1 + permutations)`` (a barrier is a
lower tail; ``p_high`` gives the upper tail, an unusually busy corridor).
Degree-preserving rewiring, the other common null, would change the network
itself and keep the boundaries: it answers a different question.

**Multiple testing.** With many pairs some small p-values come by chance, so
the p-values of one level are adjusted together: Benjamini-Hochberg (the
default: controls the expected share of false discoveries among the pairs
called barriers) or Holm (controls the chance of any false call).

All shuffles are vectorised: one label matrix ``shuffles x nodes``, flows
summed per tested pair with one ``bincount``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from gridvoices.ecosystem.errors import QueryError
from gridvoices.ecosystem.privacy import fmt, fmt_derived
from gridvoices.queries.contagion.sim import resolve_seed
from gridvoices.queries.flows import GROUPS_ORG
from gridvoices.queries.graph import referral_graph

__all__ = ["NULL_MODEL", "adjust_pvalues", "barrier_test"]

NULL_MODEL = (
    "labels permuted within size: the referral network stays as it is and the district "
    "(organisation) labels are shuffled among its services and groups, each district keeping "
    "its number of services; p = share of shuffles with a flow as low as observed"
)
_CELLS = 1 << 22


def adjust_pvalues(p, method: str = "bh") -> np.ndarray:
    """Benjamini-Hochberg (``"bh"``) or Holm (``"holm"``) adjusted p-values, in input order.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.04, 0.04]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    ps = p[order]
    if method == "bh":
        adj = np.minimum.accumulate((ps * m / np.arange(1, m + 1))[::-1])[::-1]
    elif method == "holm":
        adj = np.maximum.accumulate(ps * (m - np.arange(m)))
    else:
        raise QueryError(f"correction must be 'bh' (Benjamini-Hochberg) or 'holm', not {method!r}")
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def _labels(G, level):
    R = referral_graph(G)
    if level == "district":
        lab = {n: a.get("district") for n, a in R.nodes(data=True)}
    elif level == "organisation":
        lab = {n: a.get("organisation") or GROUPS_ORG for n, a in R.nodes(data=True)}
    else:
        raise QueryError(f"level must be 'district' or 'organisation', not {level!r}")
    nodes = [n for n in R if lab[n] is not None]
    names = sorted({lab[n] for n in nodes}, key=str)
    code = {x: i for i, x in enumerate(names)}
    ix = {n: i for i, n in enumerate(nodes)}
    L = np.array([code[lab[n]] for n in nodes], dtype=np.int64)
    e = [(ix[u], ix[v], d["referrals"]) for u, v, d in R.edges(data=True) if u in ix and v in ix]
    s = np.array([x[0] for x in e], dtype=np.int64)
    t = np.array([x[1] for x in e], dtype=np.int64)
    return names, L, s, t, np.array([x[2] for x in e], dtype=float)


def barrier_test(
    G: nx.DiGraph,
    *,
    level: str = "district",
    permutations: int = 1000,
    correction: str = "bh",
    alpha: float = 0.05,
    min_expected: float = 1.0,
    seed=None,
) -> dict:
    """Permutation p-value of the flow across each boundary, with the permeability ratio.

    Parameters
    ----------
    level : "district" or "organisation"
        Districts: every bordering pair. Organisations: every pair of organisations
        (mutual-aid groups together as one) expected to exchange at least
        ``min_expected`` referrals under independence.
    permutations : int
        Label shuffles; the smallest p-value possible is ``1 / (permutations + 1)``.
    correction : "bh" or "holm"
        Adjustment over the pairs tested at this level.
    alpha : float
        A pair is ``significant`` (a barrier beyond chance) when its adjusted p <= alpha.
    seed : None, int, numpy Generator or random.Random

    Returns
    -------
    dict
        ``pairs``: rows (a, b, names, observed, expected, permeability, null_mean,
        null_sd, p_value, p_adjusted, p_high, significant, why), lowest p first;
        ``tested``, ``significant``, ``level``, ``null_model``, ``correction``,
        ``alpha``, ``permutations``, ``seed``, ``why``.

    Examples
    --------
    >>> G = nx.DiGraph(districts={"A": {"name": "A"}, "B": {"name": "B"}})
    >>> G.graph["borders"] = {frozenset("AB")}
    >>> for i in range(16):
    ...     G.add_node(i, type="Service", district="AB"[i // 8])
    >>> for i in range(16):
    ...     G.add_edge(i, (i + 1) % 8 + 8 * (i // 8), referrals=5)
    >>> r = barrier_test(G, permutations=999, seed=1)["pairs"][0]
    >>> r["observed"], r["p_value"] < 0.01, r["significant"]
    (0, True, True)
    """
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 1:
        raise QueryError(f"permutations must be a whole number >= 1, not {permutations!r}")
    value, _ = resolve_seed(seed)
    if correction not in ("bh", "holm"):
        raise QueryError(
            f"correction must be 'bh' (Benjamini-Hochberg) or 'holm', not {correction!r}"
        )
    names, L, s, t, w = _labels(G, level)
    K = len(names)
    code = {x: i for i, x in enumerate(names)}
    out_ = np.bincount(L[s], weights=w, minlength=K)
    in_ = np.bincount(L[t], weights=w, minlength=K)
    total = float(w.sum())

    def expected(a, b):
        return (out_[a] * in_[b] + out_[b] * in_[a]) / total if total else 0.0

    if level == "district":
        pairs = sorted(tuple(sorted(p)) for p in G.graph.get("borders", set()))
        pairs = [(code[a], code[b]) for a, b in pairs if a in code and b in code]
    else:
        pairs = [
            (a, b) for a in range(K) for b in range(a + 1, K) if expected(a, b) >= min_expected
        ]
    NP = len(pairs)
    lookup = np.full(K * K, -1, dtype=np.int64)
    for i, (a, b) in enumerate(pairs):
        lookup[a * K + b] = lookup[b * K + a] = i
    obs = np.zeros(NP)
    if NP:
        pid = lookup[L[s] * K + L[t]]
        obs = np.bincount(pid[pid >= 0], weights=w[pid >= 0], minlength=NP)
    rng = np.random.default_rng(value)
    le, ge, sm, sq = (np.zeros(NP) for _ in range(4))
    chunk = max(1, _CELLS // max(L.size + s.size, 1))
    for c0 in range(0, permutations if NP else 0, chunk):
        C = min(chunk, permutations - c0)
        P = rng.permuted(np.broadcast_to(L, (C, L.size)), axis=1)
        pid = lookup[P[:, s] * K + P[:, t]]
        ok = pid >= 0
        flat = (np.arange(C)[:, None] * NP + pid)[ok]
        flows = np.bincount(flat, weights=np.broadcast_to(w, pid.shape)[ok], minlength=C * NP)
        flows = flows.reshape(C, NP)
        le += (flows <= obs + 1e-9).sum(axis=0)
        ge += (flows >= obs - 1e-9).sum(axis=0)
        sm += flows.sum(axis=0)
        sq += (flows * flows).sum(axis=0)
    p = (1 + le) / (1 + permutations)
    adj = adjust_pvalues(p, correction)
    mean = sm / permutations
    sd = np.sqrt(np.maximum(sq / permutations - mean * mean, 0.0))
    label = {"bh": "Benjamini-Hochberg", "holm": "Holm"}[correction]
    dn = {d: v.get("name", d) for d, v in G.graph.get("districts", {}).items()}
    on = {o: v.get("name", o) for o, v in G.graph.get("organisations", {}).items()}
    nm = dn if level == "district" else on
    rows = []
    for i, (a, b) in enumerate(pairs):
        na, nb = nm.get(names[a], names[a]), nm.get(names[b], names[b])
        o, e = int(round(obs[i])), expected(a, b)
        perm = round(o / e, 3) if e > 0 else None
        sig = bool(adj[i] <= alpha)
        rows.append(
            {
                "a": names[a],
                "b": names[b],
                "a_name": na,
                "b_name": nb,
                "observed": o,
                "expected": round(e, 2),
                "permeability": perm,
                "null_mean": round(float(mean[i]), 2),
                "null_sd": round(float(sd[i]), 2),
                "p_value": round(float(p[i]), 4),
                "p_adjusted": round(float(adj[i]), 4),
                "p_high": round(float((1 + ge[i]) / (1 + permutations)), 4),
                "significant": sig,
                "why": f"{na} - {nb}: {fmt(o)} referrals crossed, {e:.1f} expected if referrals "
                f"ignored the boundary (permeability "
                f"{fmt_derived('n/a' if perm is None else f'{perm:.2f}', o)}); with the labels "
                f"shuffled {mean[i]:.1f} on average (sd {sd[i]:.1f}): p = {p[i]:.4f}, "
                f"{adj[i]:.4f} after {label} over {NP} pairs"
                + (" - a barrier beyond chance" if sig else " - could be chance"),
            }
        )
    rows.sort(key=lambda r: (r["p_value"], r["permeability"] or 0, r["a"], r["b"]))
    n_sig = sum(r["significant"] for r in rows)
    return {
        "level": level,
        "null_model": NULL_MODEL,
        "correction": correction,
        "alpha": alpha,
        "permutations": permutations,
        "seed": value,
        "tested": NP,
        "significant": n_sig,
        "pairs": rows,
        "why": f"{n_sig} of {NP} {level} pairs carry less flow than {permutations} label shuffles "
        f"would explain ({label}-adjusted p <= {alpha})",
    }
