"""The Neo4j store: the official driver, unique constraints, batched ``UNWIND … MERGE``.

Graph model (documented in docs/data-model.md)::

    (:Entity:District {id, name, borders})-[:BORDERS]-(:District)
    (:Entity:Organisation {id, name, kind, commissioned})
    (:Entity:Service {id, name, organisation, districts, domain, chime, ...})
        -[:RUN_BY]->(:Organisation), -[:IN_DISTRICT]->(:District)
    (:Entity:Group {id, name, fellowship, district, cadence})-[:IN_DISTRICT]->(:District)
    (:Entity:Navigator {id, role, lived_experience, based_at})-[:BASED_AT]->(Service|Organisation)
    (Service|Group)-[:REFERS {periods, counts, accepted, total}]->(Service|Group)
    (Navigator|Group)-[:PEER_LINK {kind, strength}]->(Service|Group)

One ``REFERS`` relationship per ordered pair holds its periods as parallel
lists, so path queries see each pair once whatever the number of periods.
An unknown accepted count is stored as -1 (Neo4j lists cannot hold null).
An import runs in one managed transaction (all rows or none), except a large
import into an empty database, which :mod:`gridvoices.stores.neo4j_bulk` writes in many
transactions and removes again if it fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
from gridvoices.ecosystem.issues import ImportRejected, Report, StoreError
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.loaders.provenance import Source, still_referenced
from gridvoices.stores import neo4j_bulk as bulk
from gridvoices.stores import outcome
from gridvoices.stores.check import recheck_written
from gridvoices.stores.locks import StoreBusy
from gridvoices.stores.neo4j_cypher import (
    DELETE_STALE,
    EXISTING_IDS,
    READ,
    REBUILD_BORDERS,
    RECORD_SOURCE,
    REL_TABLE,
    SOURCES,
    STALE_PEER_LINKS,
    STALE_REFERRALS,
    STILL_REFERENCED,
    WRITE,
    referral_rows,
    rows_for,
)
from gridvoices.stores.neo4j_errors import (
    PARTIAL_LEFT,
    STALE_SECONDS,
    ImportInProgressError,
    Neo4jConnectionError,
    connection_settings,
    recheck_issues,
    rolled_back,
)
from gridvoices.stores.neo4j_lock import LOCK_CONSTRAINT, Neo4jLock

__all__ = [
    "Neo4jStore",
    "Neo4jConnectionError",
    "ImportInProgressError",
    "connection_settings",
]

_BATCH = 10_000

CONSTRAINTS = (
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    bulk.MARKER_CONSTRAINT,
    LOCK_CONSTRAINT,
)


class Neo4jStore:
    """A Neo4j database as the ecosystem store."""

    kind = "neo4j"

    def __init__(
        self,
        driver,
        database: str = "neo4j",
        *,
        bulk_min_rows: int = bulk.BULK_MIN_ROWS,
        stale_after: float = bulk.STALE_AFTER,
    ):
        """Open the store; refuse (or, once stale, clean up) an unfinished bulk import.

        ``bulk_min_rows``: an import of at least this many rows into an empty
        database takes the bulk path. ``stale_after``: seconds without progress
        after which an unfinished bulk import is taken for dead and removed.
        """
        self.driver = driver
        self.database = database
        self.bulk_min_rows = bulk_min_rows
        self.stale_after = stale_after
        self._periods: list[str] | None = None
        self._settings: dict | None = None  # set by connect(): a probe after an interrupt
        self.lock = Neo4jLock(driver, database)
        self._constraints()
        self.settle_unfinished_import()

    @classmethod
    def connect(cls, uri=None, user=None, password=None, database=None, **options) -> Neo4jStore:
        import neo4j

        cfg = connection_settings(uri, user, password, database)
        driver = neo4j.GraphDatabase.driver(
            cfg["uri"],
            auth=(cfg["user"], cfg["password"] or ""),
            # Unknown-label warnings on an empty database are noise to a user.
            notifications_min_severity="OFF",
        )
        try:
            driver.verify_connectivity()
        except Exception as e:  # the driver's message never includes the password
            driver.close()
            raise Neo4jConnectionError(
                f"cannot connect to Neo4j at {cfg['uri']} as {cfg['user']}: {type(e).__name__}: {e}"
            ) from None
        try:
            store = cls(driver, cfg["database"], **options)
            store._settings = cfg
            return store
        except BaseException:
            driver.close()
            raise

    def _constraints(self) -> None:
        for q in CONSTRAINTS:
            self.driver.execute_query(q, database_=self.database)

    @contextmanager
    def writing(self, wait: float = 0) -> Iterator[None]:
        """Hold the database's write lock (``wait`` s for it; see :mod:`.neo4j_lock`).

        Raises :class:`gridvoices.stores.locks.StoreBusy` naming the holder.
        """
        self.lock.acquire(wait, f"the Neo4j database {self.database!r}")
        try:
            yield
        finally:
            self.lock.release()

    def settle_unfinished_import(self) -> None:
        """Remove a dead bulk import's partial data, or refuse while one still runs.

        An import is dead when no live process holds the write lock (its holder's
        process is gone, or its heartbeat stopped: seconds, see :mod:`.neo4j_lock`),
        or when it made no progress for ``stale_after`` s.

        Raises
        ------
        ImportInProgressError
            If a bulk import has not finished and its process still runs.
        """
        with self.driver.session(database=self.database) as s:
            marker = bulk.unfinished(s)
        if marker is None:
            return
        if not self.lock.held and marker["idle"] < self.stale_after:
            try:
                self.lock.acquire(0)  # taken: the import's process is gone
            except StoreBusy as e:
                raise ImportInProgressError(
                    f"an import into this Neo4j database (source {marker['source']!r}, started "
                    f"{marker['started']}, by {e.holder.describe() if e.holder else 'another'}"
                    f" process) has not finished; its partial data is not read. Wait for it "
                    f"to finish; if its process is stopped, its partial data is removed by "
                    f"the next command, at most {STALE_SECONDS} s after it stopped."
                ) from None
            taken = True
        else:
            taken = False
        try:
            self._periods = None
            with self.driver.session(database=self.database) as s:
                bulk.discard(s, marker["import_id"])
        finally:
            if taken:
                self.lock.release()

    def stored(self, source: Source) -> str:
        """After an interrupt: did ``source``'s import commit? (see :mod:`.outcome`)."""
        import neo4j

        if self._settings is None:
            return "unknown"
        cfg = self._settings
        with neo4j.GraphDatabase.driver(cfg["uri"], auth=(cfg["user"], cfg["password"] or "")) as d:
            rows, _, _ = d.execute_query(
                "OPTIONAL MATCH (s:Source {import_id: $imp}) "
                "OPTIONAL MATCH (m:ImportInProgress {import_id: $imp}) "
                "RETURN s IS NOT NULL AS stored, m IS NOT NULL AS partial",
                imp=source.import_id,
                database_=self.database,
            )
        if rows[0]["stored"]:
            return "stored"
        if rows[0]["partial"]:
            return PARTIAL_LEFT
        return "nothing"

    def query(self, cypher: str, params: dict | None = None, *, write: bool = False) -> list[dict]:
        """Run one parameterised Cypher statement; read-only unless ``write``."""
        import neo4j

        records, _, _ = self.driver.execute_query(
            cypher,
            parameters_=params or {},
            database_=self.database,
            routing_=neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ,
        )
        return [r.data() for r in records]

    def run_readonly(self, cypher: str, params: dict | None = None) -> list[dict]:
        """Run user Cypher that the server plans as a read, in a READ transaction.

        Refuses (:class:`gridvoices.stores.cypher_guard.CypherRefused`) writes, LOAD CSV,
        administration, SHOW/TERMINATE and procedures beyond describing the graph.
        """
        return self.run_user(cypher, params)

    def run_user(
        self, cypher: str, params: dict | None = None, *, write: bool = False, admin: bool = False
    ) -> list[dict]:
        """Run a user's Cypher: reads only unless ``write``; LOAD CSV, SHOW, TERMINATE,
        ``dbms.*`` and other administration only with ``admin`` (see :mod:`.cypher_guard`)."""
        import neo4j
        from gridvoices.stores.cypher_guard import vet

        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        with self.driver.session(database=self.database, default_access_mode=mode) as s:
            vet(s, cypher, params, write=write, admin=admin)
            run = s.execute_write if write else s.execute_read
            return run(lambda tx: [r.data() for r in tx.run(cypher, params or {})])

    def existing_ids(self) -> dict[str, set[str]]:
        self.settle_unfinished_import()
        out: dict[str, set[str]] = {n: set() for n, e in ENTITIES.items() if e.is_node}
        for r in self.query(EXISTING_IDS):
            if r["entity"]:
                out[r["entity"]].add(r["id"])
        return out

    def write(
        self,
        tables: dict[str, pd.DataFrame],
        progress: Callable | None = None,
        *,
        source: Source | None = None,
    ) -> None:
        """Write the tables in one transaction (or the bulk path), holding the write lock."""
        probe = (lambda: self.stored(source)) if source is not None else (lambda: "unknown")
        with self.writing(), outcome.writing(probe):
            self._write(tables, progress, source)

    def _write(self, tables, progress, source: Source | None) -> None:
        self.settle_unfinished_import()
        self._periods = None
        if source is not None and self._bulk_write(tables, progress, source):
            return
        batches: list[tuple[str, str, list[dict]]] = []
        for name in ENTITIES:
            if name not in tables or tables[name].empty:
                continue
            df = tables[name]
            rows = referral_rows(df) if name == "referrals" else rows_for(name, df)
            for i in range(0, len(rows), _BATCH):
                batches.append((name, WRITE[name], rows[i : i + _BATCH]))
        rebuild = source is not None or ("districts" in tables and not tables["districts"].empty)
        tag = {"src": source.name if source else "", "imp": source.import_id if source else ""}

        def work(tx):
            done: dict[str, int] = {}
            for name, q, rows in batches:
                tx.run(q, rows=rows, **tag).consume()
                done[name] = done.get(name, 0) + len(rows)
                if progress:
                    progress(name, done[name], None)
            if source is not None:
                self._replace_stale(tx, source, tag)
                # Validation saw the store before this transaction: look again, inside it.
                wrote = {k: len(v) for k, v in tables.items()}
                if problems := recheck_written(tx, wrote, source.import_id):
                    raise ImportRejected(Report(recheck_issues(source, problems)))
            if rebuild:
                tx.run(REBUILD_BORDERS).consume()

        import neo4j.exceptions

        try:
            with self.driver.session(database=self.database) as s:
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

    def _bulk_write(
        self, tables: dict[str, pd.DataFrame], progress: Callable | None, source: Source
    ) -> bool:
        """Write a large import into an empty database; False when it does not qualify."""
        if sum(len(df) for df in tables.values()) < self.bulk_min_rows:
            return False
        import neo4j.exceptions

        tag = {"src": source.name, "imp": source.import_id}

        def finish(tx) -> None:
            if "districts" in tables and not tables["districts"].empty:
                tx.run(REBUILD_BORDERS).consume()
            tx.run(RECORD_SOURCE, format=source.format, at=source.imported_at, **tag).consume()

        try:
            return bulk.bulk_write(
                self.driver, self.database, tables, source, progress, finish=finish
            )
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

    @staticmethod
    def _replace_stale(tx, source: Source, tag: dict) -> None:
        tx.run(STALE_REFERRALS, **tag).consume()
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

    def sources(self) -> list[dict]:
        self.settle_unfinished_import()
        out = []
        for r in self.query(SOURCES):
            rows: dict[str, int] = {}
            for k in r["kinds"]:
                rows[k] = rows.get(k, 0) + 1
            rows.update(referrals=r["referrals"], peer_links=r["peer_links"])
            order = list(ENTITIES)
            rows = {k: rows[k] for k in order if rows.get(k)}
            out.append(
                {
                    "source": r["source"],
                    "format": r["format"],
                    "imported_at": r["imported_at"],
                    "rows": rows,
                }
            )
        return out

    def read(self) -> dict[str, pd.DataFrame]:
        self.settle_unfinished_import()
        out = {}
        for name, e in ENTITIES.items():
            rows = self.query(READ[name])
            df = pd.DataFrame(rows, columns=e.column_names)
            df = df.sort_values(list(e.key), kind="stable").reset_index(drop=True)
            for c in e.columns:
                if c.type in ("enum_list", "ref_list"):
                    df[c.name] = df[c.name].map(lambda v: list(v) if v is not None else [])
                elif c.type == "bool":
                    df[c.name] = df[c.name].astype(bool)
                elif c.type == "int":
                    df[c.name] = df[c.name].astype("Int64")
                elif c.type == "float":
                    df[c.name] = df[c.name].astype("Float64")
                else:
                    df[c.name] = df[c.name].astype(object).where(df[c.name].notna(), None)
            out[name] = df
        return out

    def periods(self) -> list[str]:
        # Scanning every REFERS relationship is seconds on a national graph; a store
        # object is short-lived, and a write through it forgets the answer.
        if self._periods is not None:
            return list(self._periods)
        self.settle_unfinished_import()
        rows = self.query(
            "CALL () { MATCH ()-[r:REFERS]->() UNWIND r.periods AS p RETURN p "
            "UNION MATCH (f:Feedback) RETURN f.period AS p } RETURN p ORDER BY p"
        )
        self._periods = [r["p"] for r in rows]
        return list(self._periods)

    def clear(self) -> None:
        """Delete every ecosystem node and relationship (used by tests)."""
        self._periods = None
        with self.driver.session(database=self.database) as s:
            s.run(
                "MATCH (n) WHERE n:Entity OR n:Source OR n:ImportInProgress "
                "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
            ).consume()

    def close(self) -> None:
        self.driver.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
