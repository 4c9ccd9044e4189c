"""``check(store)``: is the store whole? The same question answered by both back ends.

Every reference resolves, the derived structures agree with the records they are
derived from (the embedded store's compact referral graph; Neo4j's relationships
and per-pair lists), and no import is left half done. Run after every fault in
the fault-injection tests (tests/faults/) and by ``gridvoices check``.
"""

from __future__ import annotations

from gridvoices.loaders.provenance import REFERENCES
from gridvoices.stores.neo4j_links import unmatched_links

__all__ = ["check", "check_neo4j", "recheck_written"]

# Entity table -> its node label (fixed constants; never user input in Cypher text).
_LABEL = {
    "districts": "District",
    "organisations": "Organisation",
    "services": "Service",
    "groups": "Group",
    "navigators": "Navigator",
    "feedback": "Feedback",
}
# A property reference and the relationship that must mirror it.
_MIRROR = {
    ("services", "organisation"): "RUN_BY",
    ("services", "districts"): "IN_DISTRICT",
    ("groups", "district"): "IN_DISTRICT",
    ("navigators", "based_at"): "BASED_AT",
    ("feedback", "about"): "ABOUT",
    ("feedback", "about_to"): "ABOUT_TO",
}


def check(store) -> list[str]:
    """Every integrity problem of ``store`` as a sentence; an empty list when it is whole.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from gridvoices.stores.sqlite_store import SQLiteStore
    >>> check(SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "g.sqlite"))
    []
    """
    if store.kind == "embedded":
        from gridvoices.stores.integrity import check_sqlite

        return check_sqlite(store.conn)
    if store.kind == "neo4j":
        return check_neo4j(store)
    raise ValueError(f"no integrity check for a {store.kind!r} store")


def _dangling(
    table: str, col: str, is_list: bool, refs: tuple[str, ...], written: bool = False
) -> str:
    label = _LABEL[table]
    wanted = " OR ".join(f"m:{_LABEL[r]}" for r in refs)
    values = f"n.{col}" if is_list else f"[n.{col}]"
    only = " WHERE n._import = $imp" if written else ""
    return (
        f"MATCH (n:{label}){only} UNWIND coalesce({values}, []) AS ref WITH n, ref "
        f"WHERE ref IS NOT NULL OPTIONAL MATCH (m:Entity {{id: ref}}) WITH n, ref, m "
        f"WHERE m IS NULL OR NOT ({wanted}) RETURN n.id AS id, ref LIMIT 20"
    )


def _mirror(table: str, col: str, is_list: bool, rel: str) -> str:
    label = _LABEL[table]
    values = f"n.{col}" if is_list else f"[n.{col}]"
    return (
        f"MATCH (n:{label}) WITH n, [v IN coalesce({values}, []) WHERE v IS NOT NULL] AS want "
        f"CALL (n) {{ MATCH (n)-[:{rel}]->(m) RETURN collect(m.id) AS have }} "
        f"WITH n, want, have WHERE any(v IN want WHERE NOT v IN have) "
        f"OR any(v IN have WHERE NOT v IN want) RETURN n.id AS id LIMIT 20"
    )


_ENDPOINTS = (
    ("REFERS", "Service|Group", "Service|Group"),
    ("PEER_LINK", "Navigator|Group", "Service|Group"),
)
_LISTS = """
MATCH ()-[r:REFERS]->()
WHERE NOT (size(r.periods) = size(r.counts) = size(r.accepted) = size(r.sources)
           = size(r.imports)) OR size(r.periods) = 0
      OR r.total <> reduce(s = 0, c IN r.counts | s + c)
RETURN count(r) AS n
"""
_KINDS = """
MATCH (n:Entity)
WITH n, size([l IN labels(n) WHERE l IN $kinds]) AS k WHERE k <> 1
RETURN count(n) AS n
"""
_UNRECORDED = """
MATCH (n:Entity) WHERE n._source IS NOT NULL AND n._source <> ''
  AND NOT EXISTS { MATCH (:Source {name: n._source}) }
RETURN DISTINCT n._source AS source LIMIT 20
"""


def check_neo4j(store) -> list[str]:
    """:func:`check` for the Neo4j store (one read query per rule)."""
    problems: list[str] = []
    q = store.query
    marker = q("MATCH (m:ImportInProgress) RETURN m.source AS source, m.import_id AS id")
    for m in marker:
        problems.append(f"an import of source {m['source']!r} has not finished (partial data)")
    for table, col, is_list, refs in REFERENCES:
        if table not in _LABEL:
            continue
        for r in q(_dangling(table, col, is_list, refs)):
            problems.append(f"{table} {r['id']}: {col} {r['ref']!r} is not stored")
        rel = _MIRROR.get((table, col))
        if rel is not None:
            for r in q(_mirror(table, col, is_list, rel)):
                problems.append(f"{table} {r['id']}: {col} and its {rel} relationships differ")
    for rel, src, dst in _ENDPOINTS:
        bad = q(f"MATCH (a)-[r:{rel}]->(b) WHERE NOT a:{src} OR NOT b:{dst} RETURN count(r) AS n")[
            0
        ]["n"]
        if bad:
            problems.append(f"{bad} {rel} relationships join the wrong kinds of node")
    n = q(_LISTS)[0]["n"]
    if n:
        problems.append(f"{n} REFERS relationships have inconsistent period lists or totals")
    if linked := store.period_links():
        n = q(unmatched_links(linked), {"link_periods": sorted(set(linked))})[0]["n"]
        if n:
            problems.append(
                f"{n} REFERS relationships and their per-period links differ "
                "(`gridvoices relink` makes them again)"
            )
    n = q(_KINDS, {"kinds": list(_LABEL.values())})[0]["n"]
    if n:
        problems.append(f"{n} nodes are not exactly one kind of entity")
    for r in q(_UNRECORDED):
        problems.append(f"records of source {r['source']!r}, which is not recorded")
    return problems


# Relationships this import wrote (by its tag) against the rows it meant to write: a
# MATCH on a missing endpoint drops a row silently instead of failing.
_WRITTEN_RELS = {
    "referrals": "MATCH ()-[r:REFERS]->() WHERE $imp IN r.imports "
    "RETURN sum(size([i IN r.imports WHERE i = $imp])) AS n",
    "peer_links": "MATCH ()-[r:PEER_LINK {_import: $imp}]->() RETURN count(r) AS n",
}


def recheck_written(tx, rows: dict[str, int], imp: str) -> list[str]:
    """Inside a Neo4j write transaction: references of what import ``imp`` wrote that do
    not resolve now (another import may have changed the store since validation).

    ``rows``: table -> rows written. An empty list when every reference resolves.
    """
    problems = []
    for table, col, is_list, refs in REFERENCES:
        if table in _LABEL and rows.get(table):
            for r in tx.run(_dangling(table, col, is_list, refs, written=True), imp=imp):
                problems.append(f"{table} {r['id']}: {col} {r['ref']!r} is no longer stored")
    for table, q in _WRITTEN_RELS.items():
        if rows.get(table):
            n = tx.run(q, imp=imp).single()["n"] or 0
            if n != rows[table]:
                problems.append(
                    f"{table}: {rows[table] - n} of {rows[table]} rows name a service, group "
                    "or navigator that is no longer stored"
                )
    return problems
