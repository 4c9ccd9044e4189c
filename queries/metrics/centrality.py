"""Centrality and brokerage on the referral network: :func:`centrality` runs every measure.

The network, the measures and how each is made are described in
:mod:`gridvoices.queries.metrics`; each measure has a module of its own.
"""

from __future__ import annotations

import time

import networkx as nx
import numpy as np
import pandas as pd
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.metrics.brandes import (
    DEFAULT_EXACT_MAX_NODES,
    default_pivots,
    hop_betweenness,
    normalise,
)
from gridvoices.queries.metrics.communities import community_rows, leiden
from gridvoices.queries.metrics.constraint import sparse_constraint
from gridvoices.queries.metrics.matrices import referral_matrices
from gridvoices.queries.metrics.pagerank import sparse_pagerank
from gridvoices.queries.metrics.result import MetricsResult

__all__ = ["centrality"]


def _check_options(exact_max_nodes, k, seed) -> None:
    if not isinstance(exact_max_nodes, int) or exact_max_nodes < 0:
        raise QueryError(f"exact_max_nodes must be a whole number >= 0, not {exact_max_nodes!r}")
    if k is not None and (not isinstance(k, int) or k < 2):
        raise QueryError(f"k must be a whole number of pivots >= 2, not {k!r}")
    if not isinstance(seed, int):
        raise QueryError(f"seed must be a whole number, not {seed!r}")


def centrality(
    G: nx.DiGraph,
    *,
    weight: str | None = "referrals",
    exact_max_nodes: int = DEFAULT_EXACT_MAX_NODES,
    k: int | None = None,
    seed: int = 0,
) -> MetricsResult:
    """Volumes, betweenness, PageRank, constraint and communities of the referral network.

    Parameters
    ----------
    G : nx.DiGraph
        The graph from :func:`gridvoices.queries.graph.build_graph`, built for the chosen periods.
    weight : str or None
        Edge attribute weighting volumes' ``weighted_degree``, PageRank, constraint and
        communities (default ``"referrals"``); None counts each link once. Betweenness
        always counts hops.
    exact_max_nodes : int
        Largest network (services + groups) whose betweenness is computed exactly.
    k : int, optional
        Pivot searches for sampled betweenness (default :func:`default_pivots`). Giving
        ``k`` asks for sampling even on a small network. ``k >= n`` is exact.
    seed : int
        Seeds the pivot sample and Leiden. The result records it.

    Returns
    -------
    MetricsResult
        ``nodes`` (a DataFrame, columns in :data:`COLUMNS`), ``communities`` and the
        method (``betweenness_method``, ``k``, ``seed``, ...).

    See Also
    --------
    brokers : the top brokers with why; write_metrics_neo4j : store as node properties.

    Examples
    --------
    >>> G = nx.DiGraph(periods=["2024-Q1"])
    >>> for n in "abc": G.add_node(n, type="Service", name=n, district=None)
    >>> G.add_edge("a", "b", referrals=6); G.add_edge("b", "c", referrals=4)
    >>> r = centrality(G)
    >>> r.betweenness_method, float(r.nodes.set_index("id").loc["b", "betweenness"])
    ('exact', 0.5)
    """
    _check_options(exact_max_nodes, k, seed)
    clock = {}
    t0 = time.perf_counter()
    nodes, A, W, V, peer_counts = referral_matrices(G, weight)
    n = len(nodes)
    attrs = [G.nodes[v] for v in nodes]
    partners = ((A + A.T) > 0).astype(float)
    df = pd.DataFrame(
        {
            "id": nodes,
            "name": [a.get("name") for a in attrs],
            "type": [a.get("type") for a in attrs],
            "district": [a.get("district") for a in attrs],
            "in_volume": np.asarray(V.sum(axis=0)).ravel().round().astype("int64"),
            "out_volume": np.asarray(V.sum(axis=1)).ravel().round().astype("int64"),
            "weighted_degree": np.asarray(W.sum(axis=0) + W.sum(axis=1)).ravel(),
            "degree": np.diff(partners.tocsr().indptr).astype("int64"),
            "peer_links": peer_counts,
        }
    )
    if weight == "referrals" or weight is None:
        df["weighted_degree"] = df["weighted_degree"].round().astype("int64")
    clock["volumes"] = time.perf_counter() - t0

    t = time.perf_counter()
    M = (W + W.T).tocsr()
    labels = leiden(nodes, M, weight is not None, seed) if n else np.zeros(0, int)
    clock["communities"] = time.perf_counter() - t

    t = time.perf_counter()
    if k is None and n > exact_max_nodes:
        k = default_pivots(n)
    districts = pd.factorize(df["district"].fillna(""))[0]
    bt = hop_betweenness(A, k, seed, strata=(labels, districts))
    clock["betweenness"] = time.perf_counter() - t

    t = time.perf_counter()
    pr = sparse_pagerank(W)
    clock["pagerank"] = time.perf_counter() - t
    t = time.perf_counter()
    con = sparse_constraint(W)
    clock["constraint"] = time.perf_counter() - t

    df["betweenness"] = normalise(bt["raw"], n)
    df["route_share"] = bt["raw"] / bt["pairs"] if bt["pairs"] else 0.0
    df["pagerank"] = pr
    df["constraint"] = con
    df["community"] = labels
    P = partners.tocsr()
    df["communities_reached"] = [
        len({labels[i], *labels[P.indices[P.indptr[i] : P.indptr[i + 1]]].tolist()})
        for i in range(n)
    ]
    names = {d: v.get("name", d) for d, v in G.graph.get("districts", {}).items()}
    df["org_kind"] = [a.get("org_kind") for a in attrs]
    communities = community_rows(df, W, labels, names) if n else []
    df = df.drop(columns="org_kind")
    clock["total"] = time.perf_counter() - t0
    return MetricsResult(
        nodes=df,
        communities=communities,
        periods=list(G.graph.get("periods", [])),
        weight=weight,
        betweenness_method=bt["method"],
        k=bt["k"],
        seed=seed,
        exact_max_nodes=exact_max_nodes,
        reachable_pairs=bt["pairs"],
        links=int(A.nnz),
        district_names=names,
        seconds={key: round(v, 4) for key, v in clock.items()},
    )
