"""What every compact (embedded-store) form shares: the chosen periods, the compact referral
graph and node attributes, and the hop limit.

On a national graph (50,000 services, 1,000,000 flow rows) building the NetworkX projection
takes longer than a person will wait for one answer, so the embedded store keeps the referral
graph in compact form beside the tables (:mod:`gridvoices.stores.adjacency`, rewritten by every
import in the same transaction). Each question keeps its compact form beside its NetworkX and
Cypher forms: ``summary_sql`` in :mod:`gridvoices.queries.summary`, the isolation forms in
:mod:`gridvoices.queries.isolation.compact`, the path forms in
:mod:`gridvoices.queries.paths.compact`. Parity tests hold the forms to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from gridvoices.ecosystem.errors import QueryError
from gridvoices.ecosystem.periods import select_periods

# Defined here, not in queries.paths.forms (which uses it too): importing that module would load
# NetworkX into a cold answer that needs none.
MAX_HOPS = 8

__all__ = [
    "MAX_HOPS",
    "adjacency",
    "degrees",
    "chosen_periods",
    "node_attributes",
]


def chosen_periods(store, periods: Iterable[str] | None) -> list[str]:
    """The chosen periods that exist in the store, sorted; None means all."""
    return select_periods(store.periods(), periods)


def adjacency(store):
    """The store's compact referral graph (:meth:`EmbeddedStore.compact`)."""
    return store.compact()


def node_attributes(store) -> tuple[list, list, list]:
    """Names, first districts and whether active, by node number of :func:`adjacency`."""
    c = store.conn
    rows = c.execute(
        "SELECT name, json_extract(districts, '$[0]'), active FROM services ORDER BY id"
    ).fetchall()
    rows += c.execute("SELECT name, district, 1 FROM groups ORDER BY id").fetchall()
    return [r[0] for r in rows], [r[1] for r in rows], [bool(r[2]) for r in rows]


def degrees(adj, flow: np.ndarray) -> np.ndarray:
    """Per node, how many edges with flow it has (in and out)."""
    live = flow > 0
    return np.bincount(adj.eu[live], minlength=adj.n) + np.bincount(adj.ev[live], minlength=adj.n)


def _check_k(k: int) -> None:
    """The hop bound every path query accepts (graph, SQL and Cypher forms alike)."""
    if not isinstance(k, int) or not 1 <= k <= MAX_HOPS:
        raise QueryError(f"k must be a whole number of hops from 1 to {MAX_HOPS}, not {k!r}")
