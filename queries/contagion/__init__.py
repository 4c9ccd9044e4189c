"""Peer contagion: recovery spreading peer to peer and cascading into organisations.

Two classic diffusion models run over the spread network of a graph built by
:func:`gridvoices.queries.graph.build_graph` for the chosen periods (so every analysis
answers for a period or a range of periods):

* **Independent cascade** (:func:`independent_cascade`): a node that becomes
  active gets one chance to activate each out-neighbour ``v``, succeeding with
  the edge's probability ``p(u, v)``.
* **Linear threshold** (:func:`linear_threshold`): a node activates once the
  summed weight of its active in-neighbours reaches its threshold.

Edge probabilities (:func:`edge_probabilities`; the formula is :data:`FORMULA`)
come from referral counts and peer-link strength and can be overridden. Seeds
default to the active lived-experience-led services, mutual-aid groups and
navigators (:func:`default_seeds`). The Monte Carlo runs are vectorised
(:mod:`gridvoices.queries.contagion.sim`) and repeat exactly from ``seed``.

Explanations, each item with a ``why`` carrying the numbers:
:func:`activation_table` (each node's chance), :func:`most_probable_paths`
(the likeliest chain from the seeds into each organisation kind or district),
:func:`cascade_stops` (borders and links where the cascade dies out). What
would help: :func:`suggest_links` (greedy influence maximisation).
"""

from __future__ import annotations

from gridvoices.queries.contagion.edges import (
    FORMULA,
    EdgeProbabilities,
    default_seeds,
    edge_probabilities,
    normalised_weights,
)
from gridvoices.queries.contagion.explain import activation_table, most_probable_paths
from gridvoices.queries.contagion.models import CascadeResult, independent_cascade, linear_threshold
from gridvoices.queries.contagion.stops import cascade_stops
from gridvoices.queries.contagion.suggest import default_candidates, suggest_links

__all__ = [
    "FORMULA",
    "EdgeProbabilities",
    "CascadeResult",
    "edge_probabilities",
    "default_seeds",
    "independent_cascade",
    "linear_threshold",
    "normalised_weights",
    "activation_table",
    "most_probable_paths",
    "cascade_stops",
    "suggest_links",
    "default_candidates",
]
