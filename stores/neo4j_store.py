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

import os
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

WRITE = {
    "districts": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:District, n._source = $src, n._import = $imp, n.name = row.name, n.borders = row.borders
""",
    "organisations": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:Organisation, n._source = $src, n._import = $imp, n.name = row.name, n.kind = row.kind,
    n.commissioned = row.commissioned
""",
    "services": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:Service, n._source = $src, n._import = $imp, n.name = row.name,
    n.organisation = row.organisation,
    n.districts = row.districts, n.domain = row.domain, n.chime = row.chime,
    n.lived_experience_led = row.lived_experience_led, n.active = row.active
WITH n, row
CALL (n) { MATCH (n)-[old:RUN_BY|IN_DISTRICT]->() DELETE old }
WITH n, row
MATCH (o:Entity {id: row.organisation})
MERGE (n)-[:RUN_BY]->(o)
WITH n, row
UNWIND row.districts AS d
MATCH (dd:Entity {id: d})
MERGE (n)-[:IN_DISTRICT]->(dd)
""",
    "groups": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:Group, n._source = $src, n._import = $imp, n.name = row.name, n.fellowship = row.fellowship,
    n.district = row.district, n.cadence = row.cadence
WITH n, row
CALL (n) { MATCH (n)-[old:IN_DISTRICT]->() DELETE old }
WITH n, row
MATCH (d:Entity {id: row.district})
MERGE (n)-[:IN_DISTRICT]->(d)
""",
    "navigators": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:Navigator, n._source = $src, n._import = $imp, n.role = row.role,
    n.lived_experience = row.lived_experience,
    n.based_at = row.based_at
WITH n, row
CALL (n) { MATCH (n)-[old:BASED_AT]->() DELETE old }
WITH n, row
MATCH (b:Entity {id: row.based_at})
MERGE (n)-[:BASED_AT]->(b)
""",
    "referrals": """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
MERGE (a)-[r:REFERS]->(b)
WITH r, row, coalesce(r.periods, []) AS ps
WITH r, row, [i IN range(0, size(ps) - 1) WHERE NOT ps[i] IN row.periods] AS keep
SET r.periods = [i IN keep | r.periods[i]] + row.periods,
    r.counts = [i IN keep | r.counts[i]] + row.counts,
    r.accepted = [i IN keep | r.accepted[i]] + row.accepted,
    r.sources = [i IN keep | r.sources[i]] + [p IN row.periods | $src],
    r.imports = [i IN keep | r.imports[i]] + [p IN row.periods | $imp]
SET r.total = reduce(s = 0, c IN r.counts | s + c)
""",
    "feedback": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:Feedback, n._source = $src, n._import = $imp, n.about = row.about,
    n.about_to = row.about_to, n.period = row.period, n.giver = row.giver,
    n.rating = row.rating, n.chime = row.chime, n.barrier = row.barrier,
    n.comment = row.comment, n.channel = row.channel
WITH n, row
CALL (n) { MATCH (n)-[old:ABOUT|ABOUT_TO]->() DELETE old }
WITH n, row
MATCH (a:Entity {id: row.about})
MERGE (n)-[:ABOUT]->(a)
WITH n, row WHERE row.about_to IS NOT NULL
MATCH (b:Entity {id: row.about_to})
MERGE (n)-[:ABOUT_TO]->(b)
""",
    "peer_links": """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
MERGE (a)-[r:PEER_LINK {kind: row.kind}]->(b)
SET r.strength = row.strength, r._source = $src, r._import = $imp
""",
}

# Borders are derived from every district's list, so either side may list a pair.
REBUILD_BORDERS = """
MATCH (:District)-[old:BORDERS]-(:District) DELETE old
WITH count(*) AS _
MATCH (a:District)
UNWIND a.borders AS code
MATCH (b:Entity {id: code}) WHERE b:District AND b <> a
MERGE (a)-[:BORDERS]-(b)
"""

READ = {
    "districts": "MATCH (n:District) RETURN n.id AS id, n.name AS name, n.borders AS borders",
    "organisations": "MATCH (n:Organisation) RETURN n.id AS id, n.name AS name, n.kind AS kind, "
    "n.commissioned AS commissioned",
    "services": "MATCH (n:Service) RETURN n.id AS id, n.name AS name, "
    "n.organisation AS organisation, n.districts AS districts, n.domain AS domain, "
    "n.chime AS chime, n.lived_experience_led AS lived_experience_led, n.active AS active",
    "groups": "MATCH (n:Group) RETURN n.id AS id, n.name AS name, n.fellowship AS fellowship, "
    "n.district AS district, n.cadence AS cadence",
    "navigators": "MATCH (n:Navigator) RETURN n.id AS id, n.role AS role, "
    "n.lived_experience AS lived_experience, n.based_at AS based_at",
    "referrals": """
MATCH (a)-[r:REFERS]->(b)
UNWIND range(0, size(r.periods) - 1) AS i
RETURN a.id AS source, b.id AS target, r.periods[i] AS period, r.counts[i] AS count,
       CASE WHEN r.accepted[i] < 0 THEN null ELSE r.accepted[i] END AS accepted
""",
    "peer_links": "MATCH (a)-[r:PEER_LINK]->(b) RETURN a.id AS source, b.id AS target, "
    "r.kind AS kind, r.strength AS strength",
    "feedback": "MATCH (n:Feedback) RETURN n.id AS id, n.about AS about, n.about_to AS about_to, "
    "n.period AS period, n.giver AS giver, n.rating AS rating, n.chime AS chime, "
    "n.barrier AS barrier, n.comment AS comment, n.channel AS channel",
}

# Re-importing a source: drop its flow entries and peer links the new import did not
# contain, check nothing else refers to its stale nodes, then delete them.
STALE_REFERRALS = """
MATCH ()-[r:REFERS]->() WHERE $src IN r.sources
WITH r, [i IN range(0, size(r.periods) - 1)
         WHERE NOT (r.sources[i] = $src AND r.imports[i] <> $imp)] AS keep
SET r.periods = [i IN keep | r.periods[i]], r.counts = [i IN keep | r.counts[i]],
    r.accepted = [i IN keep | r.accepted[i]], r.sources = [i IN keep | r.sources[i]],
    r.imports = [i IN keep | r.imports[i]]
SET r.total = reduce(s = 0, c IN r.counts | s + c)
WITH r WHERE size(r.periods) = 0
DELETE r
"""

STALE_PEER_LINKS = """
MATCH ()-[r:PEER_LINK {_source: $src}]->() WHERE r._import <> $imp DELETE r
"""

_STALE = "(x._source = $src AND x._import <> $imp)"
STILL_REFERENCED = f"""
MATCH (n:Entity {{_source: $src}}) WHERE n._import <> $imp
CALL (n) {{
  MATCH (m)-[r:RUN_BY|IN_DISTRICT|BASED_AT|REFERS|PEER_LINK|ABOUT|ABOUT_TO]->(n)
  WHERE NOT {_STALE.replace("x.", "m.")}
  RETURN m.id AS ref, type(r) AS how
  UNION
  MATCH (n)-[r:REFERS|PEER_LINK]->(m)
  RETURN m.id AS ref, type(r) AS how
  UNION
  MATCH (m:District) WHERE n.id IN m.borders AND NOT {_STALE.replace("x.", "m.")}
  RETURN m.id AS ref, 'BORDERS' AS how
}}
RETURN CASE WHEN n:District THEN 'districts' WHEN n:Organisation THEN 'organisations'
            WHEN n:Service THEN 'services' WHEN n:Group THEN 'groups'
            WHEN n:Feedback THEN 'feedback' ELSE 'navigators' END AS entity, n.id AS id, how, ref
ORDER BY id, ref
LIMIT 20
"""

DELETE_STALE = """
MATCH (n:Entity {_source: $src}) WHERE n._import <> $imp DETACH DELETE n
"""

RECORD_SOURCE = """
MERGE (s:Source {name: $src})
SET s.format = $format, s.imported_at = $at, s.import_id = $imp
"""

SOURCES = """
MATCH (s:Source)
CALL (s) {
  MATCH (n:Entity {_source: s.name})
  RETURN collect(CASE WHEN n:District THEN 'districts' WHEN n:Organisation THEN 'organisations'
                 WHEN n:Service THEN 'services' WHEN n:Group THEN 'groups'
                 WHEN n:Feedback THEN 'feedback' ELSE 'navigators' END) AS kinds
}
CALL (s) {
  MATCH ()-[r:REFERS]->() WHERE s.name IN r.sources
  RETURN sum(size([x IN r.sources WHERE x = s.name])) AS referrals
}
CALL (s) { MATCH ()-[r:PEER_LINK {_source: s.name}]->() RETURN count(r) AS peer_links }
RETURN s.name AS source, s.format AS format, s.imported_at AS imported_at, kinds,
       referrals, peer_links
ORDER BY source
"""

_REL_TABLE = {
    "RUN_BY": "services",
    "IN_DISTRICT": "services/groups",
    "BASED_AT": "navigators",
    "REFERS": "referrals",
    "PEER_LINK": "peer_links",
    "BORDERS": "districts",
    "ABOUT": "feedback",
    "ABOUT_TO": "feedback",
}

EXISTING_IDS = """
MATCH (n:Entity)
RETURN n.id AS id,
       CASE WHEN n:District THEN 'districts' WHEN n:Organisation THEN 'organisations'
            WHEN n:Service THEN 'services' WHEN n:Group THEN 'groups'
            WHEN n:Navigator THEN 'navigators' WHEN n:Feedback THEN 'feedback' END AS entity
"""


STALE_SECONDS = 15  # stores.neo4j_lock.STALE, spelled out for the message
_PARTIAL_LEFT = (
    "the import did not finish and part of it is still in the database: the next "
    "gridvoices command removes it (within seconds), leaving the database as before"
)


def _rolled_back(e: BaseException, why: str) -> StoreError:
    """The error for a failed import, saying truthfully whether anything is left."""
    if getattr(e, "partial_left", False):
        return StoreError(f"{why}; {_PARTIAL_LEFT}")
    return StoreError(f"Neo4j rolled the import back, nothing was stored: {why}")


def _recheck_issues(source: Source, problems: list[str]) -> list:
    from gridvoices.ecosystem.issues import Issue

    return [
        Issue(
            source.name,
            None,
            None,
            "unknown-reference",
            f"{p}: another import changed "
            "the store since validation; nothing was stored, import again",
        )
        for p in problems
    ]


class Neo4jConnectionError(Exception):
    """The Neo4j server could not be reached or refused the credentials."""


class ImportInProgressError(Neo4jConnectionError, StoreError):
    """A bulk import into the database has not finished: its partial graph must not be read.

    Both a connection error (the CLI reports it when opening the store) and a
    store error (an import reports it).
    """


def connection_settings(
    uri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> dict:
    """Resolve the connection: options, then NEO4J_* variables, then a running local server."""
    uri = uri or os.environ.get("NEO4J_URI")
    user = user or os.environ.get("NEO4J_USERNAME")
    password = password or os.environ.get("NEO4J_PASSWORD")
    database = database or os.environ.get("NEO4J_DATABASE") or "neo4j"
    if uri is None or password is None:
        from gridvoices.stores.neo4j_server import local_connection

        local = local_connection()
        if local is not None and uri in (None, local[0]):
            uri, user, password = local[0], user or local[1], password or local[2]
    if uri is None:
        raise Neo4jConnectionError(
            "no Neo4j to connect to: set NEO4J_URI (and NEO4J_USERNAME, NEO4J_PASSWORD) "
            "or start a local one with `gridvoices neo4j start`"
        )
    return {"uri": uri, "user": user or "neo4j", "password": password, "database": database}


def _rows_for(name: str, df: pd.DataFrame) -> list[dict]:
    cols = bulk.column_lists(name, df)
    names = list(cols)
    return [dict(zip(names, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]


def _referral_rows(df: pd.DataFrame) -> list[dict]:
    """Group flow rows by ordered pair: one row per pair with parallel period lists."""
    c = bulk.pair_columns(df)
    f = c["first"]
    return [
        {
            "source": s,
            "target": t,
            "periods": c["period"][f[i] : f[i + 1]],
            "counts": c["count"][f[i] : f[i + 1]],
            "accepted": c["accepted"][f[i] : f[i + 1]],
        }
        for i, (s, t) in enumerate(zip(c["source"], c["target"], strict=True))
    ]


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
            return _PARTIAL_LEFT
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
            rows = _referral_rows(df) if name == "referrals" else _rows_for(name, df)
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
                    raise ImportRejected(Report(_recheck_issues(source, problems)))
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
            raise _rolled_back(e, e.message) from None
        except neo4j.exceptions.Neo4jError as e:
            raise _rolled_back(e, e.message) from None
        except Exception as e:
            raise _rolled_back(e, f"{type(e).__name__}: {e}") from e

    @staticmethod
    def _replace_stale(tx, source: Source, tag: dict) -> None:
        tx.run(STALE_REFERRALS, **tag).consume()
        tx.run(STALE_PEER_LINKS, **tag).consume()
        refs = [
            (r["entity"], r["id"], _REL_TABLE[r["how"]], r["ref"])
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
