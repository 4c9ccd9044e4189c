"""Ids from what a person types: an exact id, else a unique name, else a unique prefix."""

from __future__ import annotations

from collections.abc import Mapping

from gridvoices.ecosystem.errors import QueryError

__all__ = ["resolve", "node_names", "district_names", "organisation_names"]

_SHOW = 8  # candidates listed when a name is ambiguous


def resolve(names: Mapping[str, str], text: str, *, what: str = "service or group") -> str:
    """The id ``text`` stands for among ``names`` (id -> name).

    An exact id wins; then a name equal to ``text`` (ignoring case and spaces at the ends);
    then an id or name that starts with it. More than one match is an error that lists them.

    >>> hubs = {"svc-hub": "Lantern Recovery Hub", "svc-hub2": "Lantern Housing"}
    >>> resolve(hubs, "svc-hub"), resolve(hubs, "lantern recovery hub")
    ('svc-hub', 'svc-hub')
    >>> resolve(hubs, "Lantern")
    Traceback (most recent call last):
    ...
    gridvoices.ecosystem.errors.QueryError: 'Lantern' could mean 2 services or groups: ...
    """
    if text in names:
        return text
    key = text.strip().casefold()
    if not key:
        raise QueryError(f"give a {what} id or name")
    for test in (
        lambda i, n: (n or "").casefold() == key,
        lambda i, n: i.casefold().startswith(key) or (n or "").casefold().startswith(key),
    ):
        found = sorted(i for i, n in names.items() if test(i, n))
        if len(found) == 1:
            return found[0]
        if found:
            shown = "; ".join(f"{i} ({names[i]})" for i in found[:_SHOW])
            more = f"; and {len(found) - _SHOW} more" if len(found) > _SHOW else ""
            raise QueryError(
                f"{text!r} could mean {len(found)} {_plural(what)}: {shown}{more}. "
                "Give the id or more of the name."
            )
    raise QueryError(f"{text!r} is not a node: {text!r} is not a known {what} id or name")


def _plural(what: str) -> str:
    return " or ".join(w + "s" for w in what.split(" or "))


def node_names(store) -> dict[str, str]:
    """Id -> name of every node of the graph a store holds: services, groups and navigators
    (pseudonymous: their id is their name)."""
    if store.kind == "neo4j":
        rows = store.query(
            "MATCH (n) WHERE n:Service OR n:Group OR n:Navigator "
            "RETURN n.id AS id, coalesce(n.name, n.id) AS name"
        )
        return {r["id"]: r["name"] for r in rows}
    cur = store.conn.execute(
        'SELECT id, name FROM "services" UNION ALL SELECT id, name FROM "groups" '
        'UNION ALL SELECT id, id FROM "navigators"'
    )
    return dict(cur.fetchall())


def district_names(store) -> dict[str, str]:
    """District code -> name."""
    return _id_names(store, "District", "districts")


def organisation_names(store) -> dict[str, str]:
    """Organisation id -> name."""
    return _id_names(store, "Organisation", "organisations")


def _id_names(store, label: str, table: str) -> dict[str, str]:
    # label and table come from the two fixed calls above, never from input.
    if store.kind == "neo4j":
        rows = store.query(f"MATCH (d:{label}) RETURN d.id AS id, d.name AS name")
        return {r["id"]: r["name"] for r in rows}
    return dict(store.conn.execute(f'SELECT id, name FROM "{table}"').fetchall())
