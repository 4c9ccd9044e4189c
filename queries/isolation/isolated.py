"""Isolated services: active services and groups with no referral in or out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gridvoices.queries.cypher import flow, resolve_periods

if TYPE_CHECKING:
    # Only for hints: the embedded store's SQL form imports this module for _reason, and a
    # cold question should not load NetworkX for that.
    import networkx as nx

__all__ = ["isolated_services", "isolated_services_cypher"]


def _reason(periods: list[str]) -> str:
    span = f"{periods[0]}..{periods[-1]}" if len(periods) > 1 else (periods or ["any period"])[0]
    return f"no referral in or out in {span} (0 in, 0 out)"


def isolated_services(G: nx.DiGraph) -> list[dict]:
    """Active services and groups with no referral in or out in the graph's periods.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``type``, ``district``, ``reason``; sorted by id.

    See Also
    --------
    isolated_services_cypher : the same answer from Neo4j.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph(periods=["2024-Q1"])
    >>> for n in "abc": G.add_node(n, type="Service", name=n, district=None, active=True)
    >>> G.add_edge("a", "b", referrals=3)
    >>> [r["id"] for r in isolated_services(G)]
    ['c']
    """
    periods = list(G.graph.get("periods", []))
    out = []
    for n, a in G.nodes(data=True):
        if a.get("type") not in ("Service", "Group") or not a.get("active", True):
            continue
        flows = [e for *_, e in G.in_edges(n, data=True)] + [
            e for *_, e in G.out_edges(n, data=True)
        ]
        if not any(e.get("referrals", 0) > 0 for e in flows):
            out.append(
                {
                    "id": n,
                    "name": a.get("name"),
                    "type": a["type"],
                    "district": a.get("district"),
                    "reason": _reason(periods),
                }
            )
    return sorted(out, key=lambda r: r["id"])


_ISOLATED = f"""
MATCH (n:Entity) WHERE ((n:Service AND n.active) OR n:Group)
  AND NOT EXISTS {{ MATCH (n)-[r:REFERS]-() WHERE {flow("r")} > 0 }}
RETURN n.id AS id, n.name AS name, CASE WHEN n:Service THEN 'Service' ELSE 'Group' END AS type,
       CASE WHEN n:Service THEN n.districts[0] ELSE n.district END AS district
ORDER BY id
"""


def isolated_services_cypher(db, *, periods: Iterable[str] | None = None) -> list[dict]:
    """The :func:`isolated_services` answer from Neo4j.

    See Also
    --------
    isolated_services : the same answer from a NetworkX graph.
    """
    chosen = resolve_periods(db, periods)
    rows = db.query(_ISOLATED, {"periods": chosen})
    return [{**r, "reason": _reason(chosen)} for r in rows]
