"""The graph the disclosure layer reads, straight from the embedded store's SQL.

:func:`gridvoices.queries.disclosure.disclose_store` protects a ``summary`` or ``barriers``
answer with every figure the outputs can publish. Those figures read only the referral
edges (their cells per period and the accepted count) and three attributes of each end
(district, organisation kind, organisation). Building them from ``store.read()`` and
:func:`~gridvoices.queries.graph.build_graph` loads pandas and every table (feedback
included) for an answer SQL already gave in milliseconds; here the same edges and
attributes come from four SQL queries, in :func:`build_graph`'s order (nodes and
edges by key), so the figures, and therefore the protection, are the same.
``tests/unit/test_disclosure_sql.py`` checks that parity.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import networkx as nx
from gridvoices.ecosystem.periods import select_periods

__all__ = ["disclosure_graph"]

_NODES = """
SELECT s.id, json_extract(s.districts, '$[0]'), s.organisation, o.kind
FROM services s LEFT JOIN organisations o ON o.id = s.organisation ORDER BY s.id
"""
_GROUPS = "SELECT id, district FROM groups ORDER BY id"
_PERIODS = "SELECT period FROM referrals UNION SELECT period FROM feedback"
_FLOWS = """
SELECT source, target, period, count, accepted FROM referrals
WHERE count > 0 AND period IN (SELECT value FROM json_each(?))
ORDER BY source, target, period
"""


def disclosure_graph(store, periods: Iterable[str] | None = None) -> nx.DiGraph:
    """Referral edges of the chosen ``periods`` (default all) with what disclosure reads.

    Parameters
    ----------
    store : SQLiteStore
        The embedded store (anything with a ``conn`` to its SQLite database).
    periods : iterable of str, optional
        Periods to include, as :func:`~gridvoices.queries.graph.build_graph` takes them.

    Returns
    -------
    nx.DiGraph
        Nodes: services and groups with ``district``, ``organisation`` and ``org_kind``;
        edges: ``referrals``, ``accepted`` (None when no row said) and ``by_period``;
        ``G.graph``: ``periods`` (the chosen) and ``all_periods``. Peer links and
        navigators are left out: they carry no referral figures.

    Examples
    --------
    >>> import sqlite3
    >>> from types import SimpleNamespace
    >>> c = sqlite3.connect(":memory:")
    >>> c.executescript('''
    ...   CREATE TABLE organisations (id, kind); CREATE TABLE groups (id, district);
    ...   CREATE TABLE services (id, districts, organisation);
    ...   CREATE TABLE referrals (source, target, period, count, accepted);
    ...   CREATE TABLE feedback (period);
    ...   INSERT INTO organisations VALUES ('o', 'nhs');
    ...   INSERT INTO services VALUES ('a', '["D1"]', 'o'), ('b', '["D2"]', 'o');
    ...   INSERT INTO referrals VALUES ('a', 'b', 'Q1', 3, NULL), ('a', 'b', 'Q2', 5, 4);
    ... ''') and None
    >>> G = disclosure_graph(SimpleNamespace(conn=c))
    >>> G.edges["a", "b"], G.nodes["b"]["district"], G.graph["periods"]
    ({'referrals': 8, 'accepted': 4, 'by_period': {'Q1': 3, 'Q2': 5}}, 'D2', ['Q1', 'Q2'])
    """
    c = store.conn
    all_periods = sorted(p for (p,) in c.execute(_PERIODS) if p is not None)
    chosen = select_periods(all_periods, periods)
    G = nx.DiGraph(periods=chosen, all_periods=all_periods)
    for sid, district, org, kind in c.execute(_NODES):
        G.add_node(sid, district=district, organisation=org, org_kind=kind)
    for gid, district in c.execute(_GROUPS):
        G.add_node(gid, district=district, organisation=None, org_kind="mutual_aid")
    if not chosen:
        return G
    # One edge per ordered pair, rows summed as graph.build_graph's _referral_edges does.
    last, d = None, {}
    edges = []
    for u, v, p, n, acc in c.execute(_FLOWS, (json.dumps(chosen),)):
        if (u, v) != last:
            last, d = (u, v), {"referrals": 0, "accepted": None, "by_period": {}}
            edges.append((u, v, d))
        d["referrals"] += int(n)
        d["by_period"][p] = int(n)
        if acc is not None:
            d["accepted"] = (d["accepted"] or 0) + int(acc)
    G.add_edges_from(edges)
    return G
