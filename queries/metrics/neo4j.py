"""Write the measures back to Neo4j as node properties (a fixed allow-list, values as
parameters)."""

from __future__ import annotations

import math

import numpy as np
from gridvoices.ecosystem.errors import QueryError
from gridvoices.queries.metrics.result import MetricsResult

__all__ = ["NEO4J_PROPERTIES", "write_metrics_neo4j"]

# Written back to Neo4j: a fixed allow-list, never taken from input.
NEO4J_PROPERTIES = (
    "in_volume",
    "out_volume",
    "weighted_degree",
    "degree",
    "betweenness",
    "route_share",
    "pagerank",
    "constraint",
    "community",
    "communities_reached",
)
_WRITE_BATCH = 10_000
_WRITE = (
    "UNWIND $rows AS row\n"
    "MATCH (n:Entity {id: row.id}) WHERE n:Service OR n:Group\n"
    "SET "
    + ", ".join(f"n.{p} = row.{p}" for p in NEO4J_PROPERTIES)
    + ",\n    n.metrics_periods = $periods, n.metrics_betweenness_method = $method,\n"
    "    n.metrics_k = $k, n.metrics_seed = $seed\n"
    "RETURN count(n) AS written"
)


def _value(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    return v


def write_metrics_neo4j(store, result: MetricsResult, *, batch: int = _WRITE_BATCH) -> int:
    """Write the node measures to Neo4j as properties of the matching Service/Group nodes.

    Writes :data:`NEO4J_PROPERTIES` and ``metrics_periods``, ``metrics_betweenness_method``,
    ``metrics_k`` and ``metrics_seed``, so a query or a style can tell which run they
    came from. The property names are fixed in this module and every value is a
    parameter. An undefined constraint removes the property. The statement is batched
    ``UNWIND``, one transaction per batch, and running it again overwrites.

    Returns
    -------
    int
        Number of nodes written (ids with no node in the store are skipped).
    """
    if getattr(store, "kind", None) != "neo4j":
        raise QueryError("metrics can only be written back to the neo4j store")
    cols = ["id", *NEO4J_PROPERTIES]
    records = result.nodes[cols].to_dict("records")
    rows = [{c: _value(r[c]) for c in cols} for r in records]
    params = {
        "periods": list(result.periods),
        "method": result.betweenness_method,
        "k": result.k,
        "seed": result.seed,
    }
    written = 0
    for i in range(0, len(rows), batch):
        res = store.query(_WRITE, {**params, "rows": rows[i : i + batch]}, write=True)
        written += res[0]["written"] if res else 0
    return written
