"""Answer a named query on either store: Cypher on Neo4j, NetworkX on the embedded store."""

from __future__ import annotations

import networkx as nx

from queries.barriers import barriers, barriers_cypher
from queries.coverage import coverage, coverage_cypher
from queries.feedback import feedback_summary, feedback_summary_cypher
from queries.graph import build_graph
from queries.isolated import isolated_services, isolated_services_cypher
from queries.isolation import isolation, isolation_cypher
from queries.paths import (
    referral_paths,
    referral_paths_cypher,
    shortest_paths,
    shortest_paths_cypher,
)
from queries.sql import isolated_sql, referral_paths_sql, shortest_paths_sql, summary_sql
from queries.summary import summary, summary_cypher

__all__ = ["load_graph", "answer", "NAMED_QUERIES"]

# name -> (graph form, Cypher form, whether the Cypher form also needs the projection)
NAMED_QUERIES = {
    "summary": (summary, summary_cypher, False),
    "shortest_paths": (shortest_paths, shortest_paths_cypher, False),
    "referral_paths": (referral_paths, referral_paths_cypher, False),
    "isolated": (isolated_services, isolated_services_cypher, False),
    "isolation": (isolation, isolation_cypher, True),
    "barriers": (barriers, barriers_cypher, True),
    "coverage": (coverage, coverage_cypher, False),
    "feedback": (feedback_summary, feedback_summary_cypher, False),
}

# SQL forms on the embedded store: answers in a fresh process without building the
# whole graph (see queries/sql.py).
SQL_FORMS = {
    "summary": summary_sql,
    "shortest_paths": shortest_paths_sql,
    "referral_paths": referral_paths_sql,
    "isolated": isolated_sql,
}


def load_graph(store, periods: list[str] | None = None) -> nx.DiGraph:
    """The NetworkX projection of whatever ``store`` holds, for the chosen periods."""
    return build_graph(store.read(), periods)


def answer(
    store, name: str, *args, periods: list[str] | None = None, engine: str | None = None, **kwargs
):
    """Run named query ``name`` with ``engine``: "cypher" (default on Neo4j), "sql" (default
    on the embedded store where a SQL form exists) or "graph" (NetworkX on the projection)."""
    graph_form, cypher_form, needs_graph = NAMED_QUERIES[name]
    if engine is None:
        engine = "cypher" if store.kind == "neo4j" else "sql" if name in SQL_FORMS else "graph"
    if engine == "sql":
        return SQL_FORMS[name](store, *args, periods=periods, **kwargs)
    if engine == "graph":
        return graph_form(load_graph(store, periods), *args, **kwargs)
    if needs_graph:
        return cypher_form(store, load_graph(store, periods), *args, periods=periods, **kwargs)
    return cypher_form(store, *args, periods=periods, **kwargs)
