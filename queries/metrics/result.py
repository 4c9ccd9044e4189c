"""The result of :func:`~gridvoices.queries.metrics.centrality.centrality`, its columns, and
the top brokers read from it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.metrics.brandes import SHIFT
from gridvoices.queries.metrics.pagerank import DAMPING

__all__ = ["COLUMNS", "MetricsResult", "brokers"]

COLUMNS: dict[str, str] = {
    "id": "service or group id",
    "name": "its name",
    "type": "Service or Group",
    "district": "its (first) district code",
    "in_volume": "referrals it received in the periods",
    "out_volume": "referrals it made in the periods",
    "weighted_degree": "sum of the weight of its referral links in and out "
    "(in_volume + out_volume when weighted by referrals)",
    "degree": "number of distinct services and groups it refers to or receives from",
    "peer_links": "peer links touching it (navigators, groups); not used by the other measures",
    "betweenness": "directed hop betweenness, normalised by (n-1)(n-2): how much referral "
    "routes between others depend on it",
    "route_share": "share of all shortest referral routes (between pairs with a route) "
    "that pass through it",
    "pagerank": "long-run share of a random walk along referrals (weighted, damping 0.85)",
    "constraint": "Burt's constraint on mutual referral weights: low = its partners are not "
    "linked to each other (it spans a structural hole); NaN with no partner",
    "community": "Leiden community on the undirected weighted referral network (0 = largest)",
    "communities_reached": "number of communities among it and its referral partners",
}


@dataclass
class MetricsResult:
    """Centrality, brokerage and communities of a referral network, with how they were made.

    ``nodes`` has one row per service and group (columns in :data:`COLUMNS`, sorted by
    id). ``communities`` has one summary per community, largest first. The other fields
    record the choices, so the result explains itself.
    """

    nodes: pd.DataFrame
    communities: list[dict]
    periods: list[str]
    weight: str | None
    betweenness_method: str
    k: int | None
    seed: int
    exact_max_nodes: int
    reachable_pairs: float
    links: int
    district_names: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def method(self) -> dict:
        """The choices behind the numbers (network, weights, betweenness, communities)."""
        sampled = self.betweenness_method == "sampled"
        return {
            "network": "referral network: services and groups, an edge u->v when u referred "
            "anyone to v in the periods; navigators and peer links excluded",
            "weight": self.weight,
            "betweenness_method": self.betweenness_method,
            "betweenness_distance": "hops",
            "k": self.k,
            "seed": self.seed,
            "exact_max_nodes": self.exact_max_nodes,
            "pivot_sampling": (
                f"{self.k - self.k // 2} forward + {self.k // 2} backward pivot searches, "
                f"systematic sample over (community, district), shifted linear scaling "
                f"(shift {SHIFT})"
                if sampled
                else None
            ),
            "reachable_pairs": self.reachable_pairs,
            "reachable_pairs_estimated": sampled,
            "pagerank_damping": DAMPING,
            "community_method": "leiden (igraph, modularity)",
            "community_resolution": 1.0,
            "community_seed": self.seed,
            "seconds": dict(self.seconds),
        }

    def notes(self) -> list[str]:
        """Plain sentences saying how the figures were made."""
        n = len(self.nodes)
        if self.betweenness_method == "exact":
            bt = (
                f"Betweenness is exact (Brandes) over {n} services and groups "
                f"(at most {self.exact_max_nodes} are computed exactly)."
            )
        else:
            bt = (
                f"Betweenness is estimated from k={self.k} pivot searches (seed {self.seed}), "
                f"because {n} nodes exceed the exact limit of {self.exact_max_nodes}."
            )
        w = (
            "referral counts"
            if self.weight == "referrals"
            else (self.weight or "links (unweighted)")
        )
        return [
            f"Referral network of {n} services and groups and {self.links} referral links; "
            "navigators and peer links carry no referrals and are left out.",
            bt + " Distance is hops: a broker is a node referrals must pass through.",
            f"PageRank, constraint and communities are weighted by {w}. "
            f"Communities: Leiden (modularity), resolution 1, seed {self.seed}.",
        ]

    def as_dict(self) -> dict:
        """JSON-ready: periods, method, notes, columns, nodes and communities."""
        df = self.nodes.astype(object).where(self.nodes.notna(), None)
        return {
            "periods": list(self.periods),
            "method": self.method,
            "notes": self.notes(),
            "columns": dict(COLUMNS),
            "nodes": df.to_dict("records"),
            "communities": self.communities,
        }


def _share(x: float) -> str:
    if x >= 0.01:
        return f"{x:.0%}"
    return f"{x:.1%}" if x >= 0.001 else "<0.1%"


def brokers(result: MetricsResult, top: int = 10) -> list[dict]:
    """The ``top`` brokers: highest betweenness first, with a sentence saying why.

    Nodes no shortest route passes through are never brokers. Ties go to the lower
    constraint, then to the id.

    Returns
    -------
    list of dict
        ``rank``, ``id``, ``name``, ``type``, ``district``, ``district_name``,
        ``betweenness``, ``route_share``, ``constraint`` (None when undefined),
        ``pagerank``, ``community``, ``communities_reached``, ``why``.

    Examples
    --------
    >>> import networkx as nx
    >>> from gridvoices.queries.metrics import centrality
    >>> G = nx.DiGraph(periods=["2024-Q1"])
    >>> for n in "abc": G.add_node(n, type="Service", name=n, district=None)
    >>> G.add_edge("a", "b", referrals=6); G.add_edge("b", "c", referrals=4)
    >>> b = brokers(centrality(G))[0]
    >>> b["id"], round(b["route_share"], 2)
    ('b', 0.33)
    >>> b["why"].split(";")[0]
    'carries 33% of shortest referral routes'
    """
    if not isinstance(top, int) or top < 0:
        raise QueryError(f"top must be a whole number >= 0, not {top!r}")
    df = result.nodes[result.nodes["betweenness"] > 0].copy()
    df["_c"] = df["constraint"].fillna(np.inf)
    df = df.sort_values(["betweenness", "_c", "id"], ascending=[False, True, True]).head(top)
    est = " (estimated)" if result.betweenness_method == "sampled" else ""
    sole = {c["sole_gateway"]: c for c in result.communities if c["sole_gateway"]}
    out = []
    for rank, r in enumerate(df.itertuples(index=False), start=1):
        con = None if pd.isna(r.constraint) else float(r.constraint)
        reach = int(r.communities_reached)
        bridge = (
            f"bridges {reach} communities"
            if reach > 1
            else "all its partners are in its own community"
        )
        con_text = "constraint n/a" if con is None else f"constraint {con:.2f}"
        if r.id in sole and sole[r.id]["size"] > 1:
            bridge += (
                f"; the only link between its community ({sole[r.id]['size']} services and "
                "groups) and the rest"
            )
        out.append(
            {
                "rank": rank,
                "id": r.id,
                "name": r.name,
                "type": r.type,
                "district": r.district,
                "district_name": result.district_names.get(r.district, r.district),
                "betweenness": float(r.betweenness),
                "route_share": float(r.route_share),
                "constraint": con,
                "pagerank": float(r.pagerank),
                "community": int(r.community),
                "communities_reached": reach,
                "why": f"carries {_share(r.route_share)} of shortest referral routes{est}; "
                f"{con_text} — {bridge}",
            }
        )
    return out
