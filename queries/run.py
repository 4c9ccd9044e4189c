"""Answer a named query on either store: Cypher on Neo4j, NetworkX on the embedded store."""

from __future__ import annotations

import networkx as nx

from queries.graph import build_graph
from queries.isolated import isolated_services, isolated_services_cypher
from queries.paths import referral_paths, referral_paths_cypher, shortest_paths, shortest_paths_cypher
from queries.summary import summary, summary_cypher

__all__ = ["load_graph", "answer", "NAMED_QUERIES"]

# name -> (graph form, Cypher form)
NAMED_QUERIES = {
    "summary": (summary, summary_cypher),
    "shortest_paths": (shortest_paths, shortest_paths_cypher),
    "referral_paths": (referral_paths, referral_paths_cypher),
    "isolated": (isolated_services, isolated_services_cypher),
}


def load_graph(store, periods: list[str] | None = None) -> nx.DiGraph:
    """The NetworkX projection of whatever ``store`` holds, for the chosen periods."""
    return build_graph(store.read(), periods)


def answer(store, name: str, *args, periods: list[str] | None = None, engine: str | None = None,
           **kwargs):
    """Run named query ``name``: Cypher on Neo4j, the graph form otherwise (or ``engine="graph"``)."""
    graph_form, cypher_form = NAMED_QUERIES[name]
    use_cypher = (engine or ("cypher" if store.kind == "neo4j" else "graph")) == "cypher"
    if use_cypher:
        return cypher_form(store, *args, periods=periods, **kwargs)
    return graph_form(load_graph(store, periods), *args, **kwargs)
