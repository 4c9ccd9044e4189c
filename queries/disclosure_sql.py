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

from collections.abc import Iterable, Iterator
from functools import partial

from gridvoices.ecosystem.periods import select_periods
from gridvoices.queries.graph_records import referral_edges
from gridvoices.stores import flow_columns

__all__ = ["ReferralCells", "disclosure_graph"]

_NODES = """
SELECT s.id, json_extract(s.districts, '$[0]'), s.organisation, o.kind
FROM services s LEFT JOIN organisations o ON o.id = s.organisation ORDER BY s.id
"""
_GROUPS = "SELECT id, district FROM groups ORDER BY id"
# The referral flows are columns (gridvoices.stores.flow_columns), not SQL rows.
_FEEDBACK_PERIODS = "SELECT DISTINCT period FROM feedback"


class _Edges:
    """``G.edges`` as the disclosure layer uses it: iterated, or called with ``data=True``."""

    def __init__(self, edges: list[tuple[str, str, dict]]):
        self._edges = edges
        self._by_pair: dict[tuple[str, str], dict] | None = None

    def __call__(self, data: bool = False) -> list:
        return list(self._edges) if data else [(u, v) for u, v, _ in self._edges]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((u, v) for u, v, _ in self._edges)

    def __getitem__(self, uv: tuple[str, str]) -> dict:
        # Indexed on first use (the edges are complete by then): a scan per lookup made
        # the layer's pass over every edge quadratic, hours on a national store.
        if self._by_pair is None:
            self._by_pair = {(u, v): d for u, v, d in self._edges}
        return self._by_pair[uv]


class ReferralCells:
    """The part of the graph :mod:`gridvoices.queries.disclosure` reads, without NetworkX.

    ``graph`` (a dict), ``nodes`` (node -> attribute dict) and ``edges`` (iterated as
    ``(u, v)`` pairs, or ``edges(data=True)`` as ``(u, v, attributes)``), in the order a
    ``networkx.DiGraph`` of the same edges would give them. Importing NetworkX alone costs
    a one-off ``summary`` more than the answer; this is all the layer needs of it.
    """

    def __init__(self, nodes: dict[str, dict], edges: list[tuple[str, str, dict]], **graph):
        self.nodes = nodes
        self.edges = _Edges(edges)
        self.graph = graph


def disclosure_graph(store, periods: Iterable[str] | None = None) -> ReferralCells:
    """Referral edges of the chosen ``periods`` (default all) with what disclosure reads.

    Parameters
    ----------
    store : SQLiteStore
        The embedded store (anything with a ``conn`` to its SQLite database).
    periods : iterable of str, optional
        Periods to include, as :func:`~gridvoices.queries.graph.build_graph` takes them.

    Returns
    -------
    ReferralCells
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
    flows = flow_columns.of(store)
    feedback_periods = {p for (p,) in c.execute(_FEEDBACK_PERIODS) if p is not None}
    all_periods = sorted(feedback_periods.union(flows.periods))
    chosen = select_periods(all_periods, periods)
    nodes = {
        sid: {"district": district, "organisation": org, "org_kind": kind}
        for sid, district, org, kind in c.execute(_NODES)
    }
    for gid, district in c.execute(_GROUPS):
        nodes[gid] = {"district": district, "organisation": None, "org_kind": "mutual_aid"}
    edges: list[tuple[str, str, dict]] = []
    accepted_cells: dict = {}
    G = ReferralCells(
        nodes, edges, periods=chosen, all_periods=all_periods, accepted_cells=accepted_cells
    )
    if chosen != all_periods:
        # As graph.build_graph: some periods' answers are protected with all of them.
        G.graph["disclosure_source"] = partial(disclosure_graph, store)
    if not chosen:
        return G
    edges += referral_edges(flow_columns.rows(flows, chosen, positive=True), accepted_cells)
    # A DiGraph lists edges by source node in node order (services, then groups), each
    # source's in the order added; the figures, and so the protection, follow that order.
    place = {n: i for i, n in enumerate(nodes)}
    edges.sort(key=lambda e: place.get(e[0], len(place)))
    return G
