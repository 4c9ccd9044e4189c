"""The projection's nodes, peer links and lookups, made from typed records (one definition).

Both readers of a store build the same graph: :func:`gridvoices.queries.graph.build_graph`
from DataFrames and :func:`gridvoices.queries.graph_sql.read_graph` from SQLite rows. Each
turns its rows into plain dicts (the entity's columns, typed) and hands them here, so the
attributes of a node, the order nodes are added in and the sum of a referral edge are
written once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gridvoices.ecosystem.vocab import FELLOWSHIP_DOMAIN

if TYPE_CHECKING:
    # Annotations only: the disclosure layer's SQL reader uses referral_edges without NetworkX.
    import networkx as nx

__all__ = ["add_nodes", "add_peer_links", "lookups", "referral_edges"]


def lookups(district_rows: Iterable[dict], org_rows: Iterable[dict]) -> tuple[dict, set, dict]:
    """``(districts, borders, organisations)`` as the graph keeps them in ``G.graph``.

    Examples
    --------
    >>> d, b, o = lookups([{"id": "a", "name": "A", "borders": ["b"]}], [])
    >>> d, [sorted(pair) for pair in b]
    ({'a': {'name': 'A', 'borders': ['b']}}, [['a', 'b']])
    """
    districts = {
        r["id"]: {"name": r["name"], "borders": list(r["borders"] or [])} for r in district_rows
    }
    borders = {frozenset((d, b)) for d, v in districts.items() for b in v["borders"] if b != d}
    orgs = {
        r["id"]: {"name": r["name"], "kind": r["kind"], "commissioned": bool(r["commissioned"])}
        for r in org_rows
    }
    return districts, borders, orgs


def _place(r: dict) -> dict:
    # Coordinates only as a pair (the map view draws a point); absent keys, not None, keep
    # graphs without places as they were.
    out = {}
    lat, lon = r.get("latitude"), r.get("longitude")
    if lat is not None and lon is not None:
        out.update(latitude=float(lat), longitude=float(lon))
    if r.get("postcode"):
        out["postcode"] = r["postcode"]
    return out


def add_nodes(
    G: nx.DiGraph,
    services: Iterable[dict],
    groups: Iterable[dict],
    navigators: Iterable[dict],
    orgs: dict,
) -> None:
    """Add services, then groups, then navigators (each in key order) to ``G``.

    A navigator takes the district and organisation of the service it is based at; based
    elsewhere (an organisation), it has no district.
    """
    for r in services:
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
    for r in groups:
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
    for r in navigators:
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


def referral_edges(rows: Iterable[tuple], accepted_cells: dict | None = None) -> list[tuple]:
    """One edge per ordered pair from ``(source, target, period, count, accepted)`` rows
    sorted by (source, target, period); ``accepted`` None when unknown.

    ``accepted_cells`` (when given) gets each known, non-zero accepted count by ``(u, v)``
    and period.

    Examples
    --------
    >>> referral_edges([("a", "b", "2024-Q1", 5, None), ("a", "b", "2024-Q2", 2, 1)])
    [('a', 'b', {'referrals': 7, 'accepted': 1, 'by_period': {'2024-Q1': 5, '2024-Q2': 2}})]
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
            if accepted_cells is not None and int(acc):
                accepted_cells.setdefault((u, v), {})[p] = int(acc)
    return edges


def add_peer_links(G: nx.DiGraph, rows: Iterable[dict]) -> None:
    """Mark peer links on edges of ``G``, adding a zero-referral edge where none carried one."""
    for r in rows:
        u, v = r["source"], r["target"]
        if not G.has_edge(u, v):
            G.add_edge(u, v, referrals=0, accepted=None, by_period={})
        strength = 1.0 if r["strength"] is None else float(r["strength"])
        G.edges[u, v].update(peer_kind=r["kind"], strength=strength)
