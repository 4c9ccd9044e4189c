"""Leiden communities of the referral network, and one summary row per community.

Leiden (igraph's ``community_leiden``, modularity objective, iterated until no node moves)
on the undirected projection weighted by mutual referrals, at resolution 1, with the given
seed. Leiden's communities are connected, which Louvain's need not be; on a 5,000-service
graph it reached the modularity of :func:`networkx.community.louvain_communities` (0.876 vs
0.875) in a seventeenth of the time, and at national size it is seconds rather than 45 s.
They are numbered by size, 0 for the largest. A node with no partner is a community of
its own.
"""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["community_rows", "leiden"]


def leiden(nodes, M: sp.csr_array, weighted: bool, seed: int) -> np.ndarray:
    """Leiden labels, renumbered by size (largest first), ties by smallest member id."""
    from gridvoices.queries.igraph_core import igraph

    ig = igraph()

    C = sp.triu(M, k=1).tocoo()
    g = ig.Graph(n=len(nodes), edges=np.column_stack([C.row, C.col]).tolist())
    # igraph draws from a process-wide generator (the random module by default): seed a
    # private one and put the default back, so one seed gives one partition.
    ig.set_random_number_generator(random.Random(seed))
    try:
        found = g.community_leiden(
            objective_function="modularity",
            weights=C.data.tolist() if weighted else None,
            resolution=1.0,
            n_iterations=-1,
        )
    finally:
        ig.set_random_number_generator(random)
    members = np.asarray(found.membership, dtype=int)
    order = np.argsort(members, kind="stable")
    cuts = np.flatnonzero(np.diff(members[order])) + 1
    parts = np.split(order, cuts) if len(nodes) else []
    parts = sorted(parts, key=lambda p: (-len(p), min(nodes[i] for i in p)))
    labels = np.zeros(len(nodes), dtype=int)
    for c, idx in enumerate(parts):
        labels[idx] = c
    return labels


def community_rows(df: pd.DataFrame, W, labels, district_names: dict) -> list[dict]:
    """One row per community: size, districts, kinds, weights in and out, gateways, hub."""
    C = W.tocoo()
    src, dst = labels[C.row], labels[C.col]
    same = src == dst
    internal = np.bincount(src[same], weights=C.data[same], minlength=labels.max() + 1)
    out_w = np.bincount(src[~same], weights=C.data[~same], minlength=labels.max() + 1)
    in_w = np.bincount(dst[~same], weights=C.data[~same], minlength=labels.max() + 1)
    ids = df["id"].to_numpy()
    gateways: dict[int, set] = {}
    for i, c in zip(
        np.concatenate([C.row[~same], C.col[~same]]),
        np.concatenate([src[~same], dst[~same]]),
        strict=True,
    ):
        gateways.setdefault(int(c), set()).add(ids[i])
    rows = []
    for c, g in df.groupby("community", sort=True):
        districts = Counter(d for d in g["district"] if d is not None)
        kinds = Counter(k if k is not None else "unknown" for k in g["org_kind"])
        hub = g.sort_values(["pagerank", "id"], ascending=[False, True]).iloc[0]
        touching = internal[c] + out_w[c] + in_w[c]
        rows.append(
            {
                "community": int(c),
                "size": len(g),
                "services": int((g["type"] == "Service").sum()),
                "groups": int((g["type"] == "Group").sum()),
                "districts": [
                    {"district": d, "name": district_names.get(d, d), "nodes": k}
                    for d, k in sorted(districts.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
                "org_kinds": [
                    {"kind": k, "nodes": m}
                    for k, m in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
                "internal_weight": float(internal[c]),
                "weight_out": float(out_w[c]),
                "weight_in": float(in_w[c]),
                "internal_share": float(internal[c] / touching) if touching else None,
                "gateways": len(gateways.get(int(c), ())),
                "sole_gateway": (
                    next(iter(gateways[int(c)])) if len(gateways.get(int(c), ())) == 1 else None
                ),
                "hub": hub["id"],
                "hub_name": hub["name"],
            }
        )
    return rows
