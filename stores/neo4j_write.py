"""Writing an import into the Neo4j store: one managed transaction, or the bulk path.

The one-transaction path upserts every table with batched ``UNWIND … MERGE``, drops what
a replaced source no longer holds, and re-checks every reference inside the transaction
(validation saw the store before it began). A large import into an empty database takes
:mod:`gridvoices.stores.neo4j_bulk` instead. Both are called by
:meth:`gridvoices.stores.neo4j_store.Neo4jStore.write`, which holds the write lock.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from gridvoices.ecosystem.issues import ImportRejected, Report, StoreError
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.loaders.provenance import Source, still_referenced
from gridvoices.stores import neo4j_bulk as bulk
from gridvoices.stores.check import recheck_written
from gridvoices.stores.neo4j_cypher import (
    DELETE_STALE,
    REBUILD_BORDERS,
    RECORD_SOURCE,
    REL_TABLE,
    STALE_PEER_LINKS,
    STILL_REFERENCED,
    WRITE,
    referral_rows,
    relinked,
    rows_for,
    stale_referrals,
)
from gridvoices.stores.neo4j_errors import ImportInProgressError, recheck_issues, rolled_back
from gridvoices.stores.neo4j_links import MODEL, RECORD_LINKS, REFERS_PERIODS, relink_all

__all__ = ["write_one_transaction", "write_bulk"]

_BATCH = 10_000


def write_one_transaction(
    driver,
    database: str,
    tables: dict[str, pd.DataFrame],
    progress: Callable | None,
    source: Source | None,
) -> None:
    """Every table in one managed transaction: all rows or none."""
    batches: list[tuple[str, str, list[dict]]] = []
    for name in ENTITIES:
        if name not in tables or tables[name].empty:
            continue
        df = tables[name]
        rows = referral_rows(df) if name == "referrals" else rows_for(name, df)
        for i in range(0, len(rows), _BATCH):
            batches.append((name, rows[i : i + _BATCH]))
    rebuild = source is not None or ("districts" in tables and not tables["districts"].empty)
    tag = {"src": source.name if source else "", "imp": source.import_id if source else ""}

    def work(tx):
        # Every period with links after this import: the recorded ones and the new ones.
        linked = _linked_periods(tx)
        cover = [] if linked is None else sorted(set(linked) | set(bulk.link_periods(tables)))
        tag["link_periods"] = cover
        queries = {**WRITE, "referrals": relinked(WRITE["referrals"], cover)}
        done: dict[str, int] = {}
        for name, rows in batches:
            tx.run(queries[name], rows=rows, **tag).consume()
            done[name] = done.get(name, 0) + len(rows)
            if progress:
                progress(name, done[name], None)
        if source is not None:
            _replace_stale(tx, source, tag)
            # Validation saw the store before this transaction: look again, inside it.
            wrote = {k: len(v) for k, v in tables.items()}
            if problems := recheck_written(tx, wrote, source.import_id):
                raise ImportRejected(Report(recheck_issues(source, problems)))
        if rebuild:
            tx.run(REBUILD_BORDERS).consume()
        if linked is not None:
            tx.run(RECORD_LINKS, link_periods=cover).consume()

    import neo4j.exceptions

    try:
        with driver.session(database=database) as s:
            s.execute_write(work)
    except neo4j.exceptions.Neo4jError as e:
        hint = ""
        if "MemoryPoolOutOfMemory" in (e.code or "") or "memory" in (e.message or "").lower():
            hint = (
                " Into a database that already holds data the import is one transaction; "
                "give the server more heap "
                "(`gridvoices neo4j start --heap 12g` for a national data set) or import "
                "in parts."
            )
        raise StoreError(
            f"Neo4j rolled the import back, nothing was stored: {e.message}{hint}"
        ) from None


def write_bulk(
    driver,
    database: str,
    tables: dict[str, pd.DataFrame],
    progress: Callable | None,
    source: Source,
) -> bool:
    """The bulk path (see :mod:`.neo4j_bulk`); False when the database is not empty."""
    import neo4j.exceptions

    tag = {"src": source.name, "imp": source.import_id}

    def finish(tx) -> None:
        if "districts" in tables and not tables["districts"].empty:
            tx.run(REBUILD_BORDERS).consume()
        tx.run(RECORD_SOURCE, format=source.format, at=source.imported_at, **tag).consume()
        tx.run(RECORD_LINKS, link_periods=bulk.link_periods(tables)).consume()

    try:
        return bulk.bulk_write(driver, database, tables, source, progress, finish=finish)
    except neo4j.exceptions.ConstraintError as e:
        if "ImportInProgress" in (e.message or ""):
            raise ImportInProgressError(
                "another import into this Neo4j database started at the same moment; "
                "nothing was stored, run this one again when it has finished"
            ) from None
        raise rolled_back(e, e.message) from None
    except neo4j.exceptions.Neo4jError as e:
        raise rolled_back(e, e.message) from None
    except Exception as e:
        raise rolled_back(e, f"{type(e).__name__}: {e}") from e


# A database written before the per-period links is linked in the import's own
# transaction only up to this many REFERS: every one gains up to a link per period, and a
# national graph's million would not fit one transaction's memory. A larger one keeps no
# links (no :GraphModel record), so subset-period paths filter the lists, slower but right,
# until `gridvoices relink` links it in batches (Neo4jStore.link_periods).
RELINK_MAX = 100_000


def _linked_periods(tx) -> list[str] | None:
    """The periods whose links every REFERS has after this import's relinking, or None
    for a database written before the links that is too large to link here."""
    recorded = tx.run(MODEL).single()["periods"]
    if recorded is not None:
        return list(recorded)
    refers = tx.run("MATCH ()-[r:REFERS]->() RETURN count(r) AS n").single()["n"]
    if refers > RELINK_MAX:
        return None
    periods = [r["p"] for r in tx.run(REFERS_PERIODS)]
    if periods:
        tx.run(relink_all(periods), link_periods=sorted(set(periods))).consume()
    return periods


def _replace_stale(tx, source: Source, tag: dict) -> None:
    tx.run(stale_referrals(tag["link_periods"]), **tag).consume()
    tx.run(STALE_PEER_LINKS, **tag).consume()
    refs = [
        (r["entity"], r["id"], REL_TABLE[r["how"]], r["ref"])
        for r in tx.run(STILL_REFERENCED, **tag)
    ]
    if refs:
        # Raising inside the transaction function rolls the whole import back.
        raise ImportRejected(Report(still_referenced(source, refs)))
    tx.run(DELETE_STALE, **tag).consume()
    tx.run(RECORD_SOURCE, format=source.format, at=source.imported_at, **tag).consume()
