"""The NetworkX projection of the embedded store, read with SQL rather than through pandas.

:func:`gridvoices.queries.graph.build_graph` projects the typed tables ``store.read()``
returns as DataFrames. For one question from a fresh process on a county, loading pandas
and converting every table costs more than the analysis: :func:`read_graph` builds the same
graph (the same nodes, edges, attributes and order, with the same Python types) from
SQLite rows. ``tests/unit/test_graph_sql.py`` holds the two to each other on the shipped
data, the tiny fixture and a generated ecosystem; a change to one needs the same change in
the other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial

import networkx as nx
from gridvoices.ecosystem.periods import select_periods
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.ecosystem.vocab import FELLOWSHIP_DOMAIN
from gridvoices.queries.graph import _place
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
    districts = {
        r["id"]: {"name": r["name"], "borders": list(r["borders"] or [])}
        for r in _records(c, "districts")
    }
    borders = {frozenset((d, b)) for d, v in districts.items() for b in v["borders"] if b != d}
    orgs = {
        r["id"]: {"name": r["name"], "kind": r["kind"], "commissioned": bool(r["commissioned"])}
        for r in _records(c, "organisations")
    }
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
    for r in _records(c, "services"):
        ds = list(r["districts"] or [])
        org = orgs.get(r["organisation"], {})
        G.add_node(
            r["id"],
            type="Service",
            name=r["name"],
            districts=ds,
            district=ds[0] if ds else None,
            organisation=r["organisation"],
            org_kind=org.get("kind"),
            domain=r["domain"],
            chime=list(r["chime"] or []),
            lived_experience_led=bool(r["lived_experience_led"]),
            active=bool(r["active"]),
            **_place(r),
        )
    for r in _records(c, "groups"):
        G.add_node(
            r["id"],
            type="Group",
            name=r["name"],
            districts=[r["district"]],
            district=r["district"],
            organisation=None,
            org_kind="mutual_aid",
            domain=FELLOWSHIP_DOMAIN.get(r["fellowship"], "peer_mutual_aid"),
            fellowship=r["fellowship"],
            cadence=r["cadence"],
            lived_experience_led=True,
            active=True,
            **_place(r),
        )
    for r in _records(c, "navigators"):
        base = r["based_at"]
        if base in G:
            district, org = G.nodes[base]["district"], G.nodes[base]["organisation"]
        else:
            district, org = None, base
        G.add_node(
            r["id"],
            type="Navigator",
            name=r["id"],
            role=r["role"],
            lived_experience=bool(r["lived_experience"]),
            based_at=base,
            district=district,
            districts=[district] if district else [],
            organisation=org,
            org_kind=orgs.get(org, {}).get("kind"),
            domain="recovery_coaching",
            lived_experience_led=bool(r["lived_experience"]),
            active=True,
        )
    if chosen != all_periods:
        # As graph.build_graph: outputs about some periods are protected with all of them.
        G.graph["disclosure_source"] = partial(read_graph, store)
    if chosen and len(flows):
        rows = flow_columns.rows(flows, chosen, positive=True)
        G.add_edges_from(_referral_edges(rows, G.graph.setdefault("accepted_cells", {})))
    if periods is None:
        G.graph["feedback"] = _records(c, "feedback")
    else:
        wanted = json.dumps(sorted(set(periods)))
        G.graph["feedback"] = _records(
            c, "feedback", "WHERE period IN (SELECT value FROM json_each(?))", (wanted,)
        )
    for r in _records(c, "peer_links"):
        u, v = r["source"], r["target"]
        if not G.has_edge(u, v):
            G.add_edge(u, v, referrals=0, accepted=None, by_period={})
        strength = 1.0 if r["strength"] is None else float(r["strength"])
        G.edges[u, v].update(peer_kind=r["kind"], strength=strength)
    return G


def _referral_edges(rows, accepted_cells: dict) -> list[tuple[str, str, dict]]:
    """One edge per ordered pair from flow rows sorted by (source, target, period).

    ``accepted_cells`` gets each known, non-zero accepted count by ``(u, v)`` and period.
    """
    edges: list[tuple[str, str, dict]] = []
    last = None
    d: dict = {}
    for u, v, p, n, acc in rows:
        if (u, v) != last:
            last = (u, v)
            d = {"referrals": 0, "accepted": None, "by_period": {}}
            edges.append((u, v, d))
        d["referrals"] += int(n)
        d["by_period"][p] = int(n)
        if acc is not None:
            d["accepted"] = (d["accepted"] or 0) + int(acc)
            if int(acc):
                accepted_cells.setdefault((u, v), {})[p] = int(acc)
    return edges
