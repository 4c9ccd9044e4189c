"""Per-period links beside each REFERS, so a path search over some periods reads no properties.

Beside each ``REFERS`` relationship (which keeps the period lists), every period in which
the pair carried referrals (count > 0) gets a relationship of its own type, ``FLOW_2024_Q1``
for ``2024-Q1``. A shortest-path search over a subset of periods is then the plain
breadth-first search over those types: Neo4j 5.26 filters by type while expanding, whereas a
predicate on the REFERS period lists reads a property chain per relationship, 5-10x slower
on the national graph (issue 17, P5b; benchmarks/README.md).

Type names are spliced into query text, so they are only ever built from periods that match
the schema's strict ``PERIOD_RE``; the values compared stay ``$parameters``. (Neo4j 5.26's
dynamic ``$(...)`` types are not used: ``CREATE`` fixed the type once per query and
``allShortestPaths`` ignored a ``$any(...)`` type filter.)

Which periods have links is recorded on one ``(:GraphModel {name: 'gridvoices'})`` node
(``link_periods``), written in the same transaction as the links; a database from before
the links has no such node and is linked in full by its next one-transaction import, or,
when it is too large for one transaction, by ``gridvoices relink`` in batches
(:meth:`gridvoices.stores.neo4j_store.Neo4jStore.link_periods`).
"""

from __future__ import annotations

from collections.abc import Iterable

from gridvoices.ecosystem.schema import PERIOD_RE

__all__ = [
    "LINK_PREFIX",
    "link_type",
    "link_types",
    "link_clause",
    "unlink",
    "MODEL",
    "RECORD_LINKS",
    "relink_all",
    "relink_in_batches",
    "unmatched_links",
    "REFERS_PERIODS",
]

LINK_PREFIX = "FLOW_"


def link_type(period: str) -> str:
    """The relationship type of ``period``'s links: ``2024-Q1`` -> ``FLOW_2024_Q1``.

    >>> link_type("2024-03")
    'FLOW_2024_03'
    """
    if not isinstance(period, str) or not PERIOD_RE.match(period):
        raise ValueError(f"{period!r} is not a period (YYYY, YYYY-Qn or YYYY-MM)")
    return LINK_PREFIX + period.replace("-", "_")


def link_types(periods: Iterable[str]) -> str:
    """A type alternation for a pattern, ``FLOW_2024_Q1|FLOW_2024_Q2``, from validated periods."""
    return "|".join(link_type(p) for p in sorted(set(periods)))


def link_clause(periods: Iterable[str], a: str, b: str, ps: str, cs: str) -> str:
    """Cypher that creates ``a``'s links to ``b`` for each of ``periods`` with a count > 0.

    ``ps`` and ``cs`` are expressions for the pair's parallel period and count lists. One
    ``FOREACH`` per period (its type fixed in the text), the period itself compared as
    ``$link_periods[k]``: pass ``{"link_periods": sorted(set(periods))}`` with the query.
    """
    out = []
    for k, p in enumerate(sorted(set(periods))):
        live = (
            f"any(j IN range(0, size({ps}) - 1) WHERE {ps}[j] = $link_periods[{k}] AND {cs}[j] > 0)"
        )
        out.append(
            f"FOREACH (_ IN CASE WHEN {live} THEN [1] ELSE [] END | "
            f"CREATE ({a})-[:{link_type(p)}]->({b}))"
        )
    return "\n".join(out)


def unlink(periods: Iterable[str], a: str, b: str) -> str:
    """Cypher deleting ``a``'s links to ``b`` of ``periods``, before they are made again.

    The types are named and the pattern is a comprehension from the bound ``a``: an
    untyped ``MATCH (a)-[x]->(b)`` in a subquery was planned as a scan of every
    relationship in the database for each row written."""
    if not set(periods):
        return ""
    return f"FOREACH (x IN [({a})-[y:{link_types(periods)}]->({b}) | y] | DELETE x)"


# Every period some REFERS carries (a scan of every REFERS: seconds on a national graph).
REFERS_PERIODS = "MATCH ()-[r:REFERS]->() UNWIND r.periods AS p RETURN DISTINCT p ORDER BY p"

MODEL = "OPTIONAL MATCH (m:GraphModel {name: 'gridvoices'}) RETURN m.link_periods AS periods"

RECORD_LINKS = """
MERGE (m:GraphModel {name: 'gridvoices'})
WITH m, coalesce(m.link_periods, []) AS had
SET m.link_periods = had + [p IN $link_periods WHERE NOT p IN had]
"""


def relink_all(periods: Iterable[str]) -> str:
    """Links for every REFERS of a database written before the links existed."""
    return f"""
MATCH (a)-[r:REFERS]->(b)
{unlink(periods, "a", "b")}
{link_clause(periods, "a", "b", "r.periods", "r.counts")}
"""


def relink_in_batches(periods: Iterable[str], rows: int = 10_000) -> str:
    """:func:`relink_all` in transactions of ``rows`` REFERS each, for a database too large
    to link in one (run in an auto-commit session). Each batch unlinks before it links, so
    a run cut off part way and started again leaves every pair linked once."""
    return f"""
MATCH (a)-[r:REFERS]->(b)
CALL (a, r, b) {{
{unlink(periods, "a", "b")}
{link_clause(periods, "a", "b", "r.periods", "r.counts")}
}} IN TRANSACTIONS OF {int(rows)} ROWS
"""


def unmatched_links(periods: Iterable[str]) -> str:
    """Cypher counting the REFERS whose links of ``periods`` (the recorded ones) differ from
    their own period lists: derived data out of step with its records (``gridvoices check``).
    Pass ``{"link_periods": sorted(set(periods))}``."""
    return f"""
MATCH (a)-[r:REFERS]->(b)
WITH a, b, [j IN range(0, size(r.periods) - 1)
            WHERE r.periods[j] IN $link_periods AND r.counts[j] > 0 | r.periods[j]] AS live
WITH live, [(a)-[y:{link_types(periods)}]->(b) | type(y)] AS have
WHERE size(have) <> size(live)
   OR any(p IN live WHERE NOT '{LINK_PREFIX}' + replace(p, '-', '_') IN have)
RETURN count(*) AS n
"""
