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
transactions and removes again if it fails (the writing itself: :mod:`.neo4j_write`).

Readers never wait for a writer and never read a half-done import. A one-transaction
import is invisible until it commits; the tables are read between two looks at the
sources' import ids and read again if an import committed in between. While a bulk import
into the empty database runs, the last committed state is the empty store: it reads as
empty (:meth:`Neo4jStore.first_import` says why), it is not refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
from gridvoices.ecosystem.issues import StoreError
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.loaders.provenance import Source
from gridvoices.stores import neo4j_bulk as bulk
from gridvoices.stores import outcome
from gridvoices.stores.locks import StoreBusy
from gridvoices.stores.neo4j_cypher import EXISTING_IDS, READ, REBUILD_BORDERS, SOURCES
from gridvoices.stores.neo4j_errors import (
    PARTIAL_LEFT,
    ImportInProgressError,
    Neo4jConnectionError,
    connection_settings,
)
from gridvoices.stores.neo4j_links import (
    MODEL,
    RECORD_LINKS,
    REFERS_PERIODS,
    relink_in_batches,
)
from gridvoices.stores.neo4j_lock import LOCK_CONSTRAINT, Neo4jLock
from gridvoices.stores.neo4j_write import write_bulk, write_one_transaction

__all__ = [
    "Neo4jStore",
    "Neo4jConnectionError",
    "ImportInProgressError",
    "connection_settings",
    "REBUILD_BORDERS",
]

# What a reader compares before and after reading the tables: every committed import
# moves its source's import_id, and a bulk import in progress has a marker.
GENERATION = """
OPTIONAL MATCH (s:Source) WITH collect([s.name, s.import_id]) AS sources
OPTIONAL MATCH (m:ImportInProgress)
RETURN sources, collect(m.import_id) AS unfinished
"""
# An import commits at most once in seconds; a read missing one this often is not racing.
_READ_TRIES = 10

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
        self._links: list[str] | None = None
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
        """Remove a dead bulk import's partial data; note a running one (:meth:`first_import`).

        An import is dead when no live process holds the write lock (its holder's
        process is gone, or its heartbeat stopped: seconds, see :mod:`.neo4j_lock`),
        or when it made no progress for ``stale_after`` s. A running one makes this
        store read as empty, the last committed state, until it has finished.
        """
        self._pending = None
        with self.driver.session(database=self.database) as s:
            marker = bulk.unfinished(s)
        if marker is None:
            return
        if not self.lock.held and marker["idle"] < self.stale_after:
            try:
                self.lock.acquire(0)  # taken: the import's process is gone
            except StoreBusy as e:
                marker["holder"] = e.holder.describe() if e.holder else "another process"
                self._pending = marker
                return
            taken = True
        else:
            taken = False
        try:
            self._periods = self._links = None
            with self.driver.session(database=self.database) as s:
                bulk.discard(s, marker["import_id"])
        finally:
            if taken:
                self.lock.release()

    def first_import(self) -> dict | None:
        """The bulk import into this empty database that is still running, or None.

        While it runs nothing is committed: the store reads as empty. The marker's
        ``source``, ``started`` and ``holder`` (who runs it) are for the message.
        """
        self.settle_unfinished_import()
        return self._pending

    def first_import_message(self, marker: dict) -> str:
        return (
            f"no data yet in this Neo4j database: its first import (source "
            f"{marker['source']!r}, started {marker['started']}, by {marker['holder']}) is "
            "still running and nothing is committed yet; ask again when it has finished"
        )

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
        out: dict[str, set[str]] = {n: set() for n, e in ENTITIES.items() if e.is_node}
        if self.first_import() is not None:
            return out
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
        self._periods = self._links = None
        rows = sum(len(df) for df in tables.values())
        if source is not None and rows >= self.bulk_min_rows:
            if write_bulk(self.driver, self.database, tables, progress, source):
                return
        write_one_transaction(self.driver, self.database, tables, progress, source)

    def sources(self) -> list[dict]:
        if self.first_import() is not None:
            return []
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
        """Every table as the last committed import left it (empty while the first runs)."""
        for _ in range(_READ_TRIES):
            if self.first_import() is not None:
                return self._tables({name: [] for name in ENTITIES})
            before = self.query(GENERATION)
            rows = {name: self._rows(name) for name in ENTITIES}
            if self.query(GENERATION) == before:
                return self._tables(rows)
        raise StoreError(
            f"imports into this Neo4j database committed during each of {_READ_TRIES} "
            "reads of it; ask again when they have finished"
        )

    def _rows(self, name: str) -> list[list]:
        # One record holding every row: the driver pays ~25 us per record, so 200,000 flows
        # as records took 9 s and as one list take under 2 s (measured).
        cols = ", ".join(ENTITIES[name].column_names)
        q = f"CALL () {{ {READ[name]} }} RETURN collect([{cols}]) AS rows"
        return self.query(q)[0]["rows"]

    @staticmethod
    def _tables(rows: dict[str, list[list]]) -> dict[str, pd.DataFrame]:
        out = {}
        for name, e in ENTITIES.items():
            df = pd.DataFrame(rows[name], columns=e.column_names)
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
        if self.first_import() is not None:
            return []
        rows = self.query(
            "CALL () { MATCH ()-[r:REFERS]->() UNWIND r.periods AS p RETURN p "
            "UNION MATCH (f:Feedback) RETURN f.period AS p } RETURN p ORDER BY p"
        )
        self._periods = [r["p"] for r in rows]
        return list(self._periods)

    def period_links(self) -> list[str] | None:
        """The periods whose per-period links (:mod:`.neo4j_links`) every REFERS has, or
        None for a database written before the links (linked by its next import)."""
        if self._links is None:
            rows = self.query(MODEL)
            if not rows or rows[0]["periods"] is None:
                return None
            self._links = list(rows[0]["periods"])
        return list(self._links)

    def link_periods(self, batch: int = 10_000, wait: float = 0) -> list[str]:
        """Give every REFERS its per-period links (:mod:`.neo4j_links`) and record them; the
        periods linked. For a database written before the links and too large for an
        import to link in its own transaction (``neo4j_write.RELINK_MAX``).

        Runs in transactions of ``batch`` REFERS under the write lock, so no import changes
        the flows meanwhile. Until the last batch is done no record says the links are
        there, so a search over some periods keeps filtering the lists (slower, right);
        a run cut off part way is simply started again.
        """
        with self.writing(wait):
            periods = [r["p"] for r in self.query(REFERS_PERIODS)]
            recorded = self.period_links()
            if recorded is not None and set(periods) <= set(recorded):
                return recorded
            params = {"link_periods": sorted(set(periods))}
            with self.driver.session(database=self.database) as s:
                if periods:
                    s.run(relink_in_batches(periods, batch), params).consume()
                s.execute_write(lambda tx: tx.run(RECORD_LINKS, params).consume())
            self._links = None
            return self.period_links() or []

    def clear(self) -> None:
        """Delete every ecosystem node and relationship (used by tests)."""
        self._periods = self._links = None
        with self.driver.session(database=self.database) as s:
            # Relationships first, in bounded transactions: on a national graph 10,000
            # nodes carry about a million of them (REFERS and the per-period links), more
            # than one transaction may hold in memory.
            s.run(
                "MATCH (:Entity)-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS"
            ).consume()
            s.run(
                "MATCH (n) WHERE n:Entity OR n:Source OR n:ImportInProgress OR n:GraphModel "
                "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
            ).consume()

    def close(self) -> None:
        self.driver.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
