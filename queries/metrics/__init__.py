"""Centrality and brokerage on the referral network: who carries flow, who bridges.

What network
------------
Every measure here is computed on the *referral network* of
:func:`gridvoices.queries.graph.referral_graph`: the services and groups, with an edge
``u -> v`` wherever ``u`` referred anyone to ``v`` in the periods the graph was
built for. Every service and group is a row, the ones with no referral included
(their measures are 0, or NaN for constraint). Navigators and peer links carry no
referrals, so they are left out of volumes, betweenness, PageRank, constraint and
communities. Each row's ``peer_links`` column gives the number of peer links that
touch it, so that part of the picture is not lost.

The measures (:data:`COLUMNS` explains each column), one module each
---------------------------------------------------------------------
* **Volumes**: referrals received (``in_volume``) and sent (``out_volume``), their
  weighted sum (``weighted_degree``), and the number of distinct partners (``degree``);
  computed in :mod:`~gridvoices.queries.metrics.centrality`.
* **Betweenness** (:mod:`~gridvoices.queries.metrics.brandes`): directed, with distance
  in *hops*, exact when the network has at most ``exact_max_nodes`` nodes (default
  2,000), above that estimated from ``k`` pivot searches (:func:`default_pivots`).
  ``route_share`` is the plainer figure: the share of all shortest referral routes
  (ordered pairs where a route exists) that pass *through* the node.
* **PageRank** (:mod:`~gridvoices.queries.metrics.pagerank`): weighted by ``weight``,
  damping 0.85, as :func:`networkx.pagerank`.
* **Constraint** (:mod:`~gridvoices.queries.metrics.constraint`): Burt's structural holes
  on mutual referral weights, as :func:`networkx.constraint`.
* **Communities** (:mod:`~gridvoices.queries.metrics.communities`): Leiden on the
  undirected network weighted by mutual referrals; ``communities_reached`` counts the
  communities among a node and its partners.

:func:`centrality` runs them all and returns a :class:`MetricsResult`; :func:`brokers`
reads the top brokers from it, each with a ``why``; :func:`write_metrics_neo4j` stores
the measures as node properties.
"""

from __future__ import annotations

from gridvoices.queries.metrics.brandes import (
    DEFAULT_EXACT_MAX_NODES,
    MAX_PIVOTS,
    MIN_PIVOTS,
    SHIFT,
    betweenness,
    default_pivots,
)

# The function, not its module: ``gridvoices.queries.metrics.centrality`` as an attribute is
# the function; the module stays importable by its full name.
from gridvoices.queries.metrics.centrality import centrality
from gridvoices.queries.metrics.constraint import burt_constraint
from gridvoices.queries.metrics.neo4j import NEO4J_PROPERTIES, write_metrics_neo4j
from gridvoices.queries.metrics.result import COLUMNS, MetricsResult, brokers

__all__ = [
    "COLUMNS",
    "DEFAULT_EXACT_MAX_NODES",
    "MAX_PIVOTS",
    "MIN_PIVOTS",
    "NEO4J_PROPERTIES",
    "SHIFT",
    "MetricsResult",
    "betweenness",
    "brokers",
    "burt_constraint",
    "centrality",
    "default_pivots",
    "write_metrics_neo4j",
]
