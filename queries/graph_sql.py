"""The NetworkX projection of the embedded store, read with SQL rather than through pandas.

:func:`gridvoices.queries.graph.build_graph` projects the typed tables ``store.read()``
returns as DataFrames. For one question from a fresh process on a county, loading pandas
and converting every table costs more than the analysis: :func:`read_graph` builds the same
graph (the same nodes, edges, attributes and order, with the same Python types) from
SQLite rows. Both hand their typed records to :mod:`gridvoices.queries.graph_records`, which
makes the nodes, edges and lookups; ``tests/unit/test_graph_sql.py`` holds the two graphs to
each other on the shipped data, the tiny fixture and a generated ecosystem.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial

import networkx as nx
from gridvoices.ecosystem.periods import select_periods
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.queries.graph_records import add_nodes, add_peer_links, lookups, referral_edges
from gridvoices.stores import flow_columns

__all__ = ["read_graph"]

# The referral flows are columns (gridvoices.stores.flow_columns), not SQL rows.
_FEEDBACK_PERIODS = "SELECT DISTINCT period FROM feedback"


def _convert(kind: str):
    # What stores.sqlite_store._from_sql and graph._records make of a stored value.
    if kind in ("enum_list", "ref_list"):
        return lambda v: None if v is None else json.loads(v)
    if kind == "bool":
        return bool
    if kind == "int":
        return lambda v: None if v is None else int(v)
    if kind == "float":
        return lambda v: None if v is None else float(v)
    return None


def _records(conn, name: str, where: str = "", params: tuple = ()) -> list[dict]:
    """Rows of entity ``name`` as dicts of its columns, typed, in key order."""
    e = ENTITIES[name]
    cols = ", ".join(f'"{c}"' for c in e.column_names)
    order = ", ".join(f'"{k}"' for k in e.key)
    sql = f'SELECT {cols} FROM "{name}" {where} ORDER BY {order}'
    convert = [(c.name, _convert(c.type)) for c in e.columns]
    out = []
    for row in conn.execute(sql, params):
        out.append({n: (f(v) if f else v) for (n, f), v in zip(convert, row, strict=True)})
    return out


def read_graph(store, periods: Iterable[str] | None = None) -> nx.DiGraph:
    """:func:`~gridvoices.queries.graph.build_graph` of the embedded ``store``, from SQL.

    Parameters
    ----------
    store : SQLiteStore
        The embedded store (anything with a ``conn`` to its SQLite database).
    periods : iterable of str, optional
        Referral periods to include (default: all).

    Returns
    -------
    nx.DiGraph
        As :func:`~gridvoices.queries.graph.build_graph` returns for ``store.read()``.

    See Also
    --------
    gridvoices.queries.graph.build_graph : the same projection of DataFrames (either store).
    """
    c = store.conn
    districts, borders, orgs = lookups(_records(c, "districts"), _records(c, "organisations"))
    flows = flow_columns.of(store)
    feedback_periods = {p for (p,) in c.execute(_FEEDBACK_PERIODS) if p is not None}
    all_periods = sorted(feedback_periods.union(flows.periods))
    chosen = select_periods(all_periods, periods)
    G = nx.DiGraph()
    G.graph.update(
        districts=districts,
        borders=borders,
        organisations=orgs,
        periods=chosen,
        all_periods=all_periods,
    )
    add_nodes(
        G,
        _records(c, "services"),
        _records(c, "groups"),
        _records(c, "navigators"),
        orgs,
    )
    if chosen != all_periods:
        # As graph.build_graph: outputs about some periods are protected with all of them.
        G.graph["disclosure_source"] = partial(read_graph, store)
    if chosen and len(flows):
        rows = flow_columns.rows(flows, chosen, positive=True)
        G.add_edges_from(referral_edges(rows, G.graph.setdefault("accepted_cells", {})))
    if periods is None:
        G.graph["feedback"] = _records(c, "feedback")
    else:
        wanted = json.dumps(sorted(set(periods)))
        G.graph["feedback"] = _records(
            c, "feedback", "WHERE period IN (SELECT value FROM json_each(?))", (wanted,)
        )
    add_peer_links(G, _records(c, "peer_links"))
    return G
