"""Answer a named query on either store: Cypher on Neo4j; SQL and the compact graph, or
NetworkX, on the embedded store.

Query modules are imported when a query asks for them: a one-off CLI question
should not pay for loading NetworkX and pandas when its answer needs neither.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["load_graph", "answer", "NAMED_QUERIES", "SQL_FORMS"]

# name -> (graph form, Cypher form, whether the Cypher form also needs the projection),
# as "module:function".
NAMED_QUERIES = {
    "summary": (
        "gridvoices.queries.summary:summary",
        "gridvoices.queries.summary:summary_cypher",
        False,
    ),
    "shortest_paths": (
        "gridvoices.queries.paths.forms:shortest_paths",
        "gridvoices.queries.paths.forms:shortest_paths_cypher",
        False,
    ),
    "referral_paths": (
        "gridvoices.queries.paths.forms:referral_paths",
        "gridvoices.queries.paths.forms:referral_paths_cypher",
        False,
    ),
    "isolated": (
        "gridvoices.queries.isolation.isolated:isolated_services",
        "gridvoices.queries.isolation.isolated:isolated_services_cypher",
        False,
    ),
    "isolation": (
        "gridvoices.queries.isolation.flags:isolation",
        "gridvoices.queries.isolation.flags:isolation_cypher",
        True,
    ),
    "barriers": (
        "gridvoices.queries.barriers.forms:barriers",
        "gridvoices.queries.barriers.forms:barriers_cypher",
        True,
    ),
    "coverage": (
        "gridvoices.queries.coverage:coverage",
        "gridvoices.queries.coverage:coverage_cypher",
        False,
    ),
    "feedback": (
        "gridvoices.queries.feedback:feedback_summary",
        "gridvoices.queries.feedback:feedback_summary_cypher",
        False,
    ),
}

# The named answers queries.disclosure protects (its DISCLOSED that are named queries here;
# a unit test keeps the two equal) — kept here so other answers never import the layer.
_DISCLOSED = frozenset({"summary", "barriers", "feedback"})

# Forms for the embedded store that answer in a fresh process without building the whole
# graph: SQL over the tables and the compact referral graph (see queries/sql.py).
SQL_FORMS = {
    "summary": "gridvoices.queries.summary:summary_sql",
    "shortest_paths": "gridvoices.queries.paths.compact:shortest_paths_sql",
    "referral_paths": "gridvoices.queries.paths.compact:referral_paths_sql",
    "isolated": "gridvoices.queries.isolation.compact:isolated_sql",
    "isolation": "gridvoices.queries.isolation.compact:isolation_sql",
}


def _load(ref: str):
    module, name = ref.split(":")
    return getattr(import_module(module), name)


def load_graph(store, periods: list[str] | None = None):
    """The NetworkX projection (``nx.DiGraph``) of whatever ``store`` holds, for the
    chosen periods."""
    if store.kind == "embedded":
        # Straight from SQL: the same graph without loading pandas (queries/graph_sql.py).
        from gridvoices.queries.graph_sql import read_graph

        return read_graph(store, periods)
    from gridvoices.queries.graph import build_graph

    return build_graph(store.read(), periods)


def answer(
    store, name: str, *args, periods: list[str] | None = None, engine: str | None = None, **kwargs
):
    """Run named query ``name`` with ``engine``: "cypher" (default on Neo4j), "sql" (default
    on the embedded store where a SQL form exists) or "graph" (NetworkX on the projection)."""
    result = _answer(store, name, *args, periods=periods, engine=engine, **kwargs)
    if name not in _DISCLOSED:  # the layer, and the graph it reads, only when it applies
        return result
    from gridvoices.queries.disclosure import disclose_store

    return disclose_store(store, name, result, periods)


def _answer(store, name: str, *args, periods=None, engine=None, **kwargs):
    graph_ref, cypher_ref, needs_graph = NAMED_QUERIES[name]
    if engine is None:
        engine = "cypher" if store.kind == "neo4j" else "sql" if name in SQL_FORMS else "graph"
    if engine == "sql":
        return _load(SQL_FORMS[name])(store, *args, periods=periods, **kwargs)
    if engine == "graph":
        return _load(graph_ref)(load_graph(store, periods), *args, **kwargs)
    cypher_form = _load(cypher_ref)
    if needs_graph:
        return cypher_form(store, load_graph(store, periods), *args, periods=periods, **kwargs)
    return cypher_form(store, *args, periods=periods, **kwargs)
