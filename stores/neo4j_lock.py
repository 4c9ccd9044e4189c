"""One writer at a time in a Neo4j database: a lock node with a heartbeat.

``(:WriterLock {lock: 'writer', client, pid, host, command, since, beat})`` is
created (unique on ``lock``) by the process that writes, from before it
validates until after its commit, and a background thread moves ``beat`` every
few seconds. A second writer finds it and waits or refuses, naming the holder. A
lock whose holder is gone - its process no longer runs on this machine, or its
beat is older than :data:`STALE` seconds - is taken over at once: a killed
import blocks nobody for long, and a partial bulk import it left is removed by
the next command (see :meth:`gridvoices.stores.neo4j_store.Neo4jStore.settle_unfinished_import`).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import asdict

from gridvoices.stores.locks import Holder, StoreBusy, pid_alive, this_holder

__all__ = ["LOCK_CONSTRAINT", "Neo4jLock", "STALE", "BEAT"]

# Seconds between heartbeats, and without one after which a holder counts as gone.
BEAT = 2.0
STALE = 15

LOCK_CONSTRAINT = (
    "CREATE CONSTRAINT writer_lock IF NOT EXISTS FOR (l:WriterLock) REQUIRE l.lock IS UNIQUE"
)

HOLDER = """
MATCH (l:WriterLock {lock: 'writer'})
RETURN l.client AS client, l.pid AS pid, l.host AS host, l.command AS command,
       l.since AS since, duration.inSeconds(l.beat, datetime()).seconds AS idle
"""
TAKE = """
CREATE (:WriterLock {lock: 'writer', client: $client, pid: $pid, host: $host,
        command: $command, since: $since, beat: datetime()})
"""
DROP = "MATCH (l:WriterLock {lock: 'writer', client: $client}) DELETE l"
BEAT_Q = """
MATCH (l:WriterLock {lock: 'writer', client: $client}) SET l.beat = datetime() RETURN count(l) AS n
"""


def _holder(row: dict) -> Holder:
    return Holder(**{k: row[k] for k in ("client", "pid", "host", "command", "since")})


def gone(row: dict) -> bool:
    """Whether the lock's holder has stopped: no such process here, or no beat for STALE s."""
    if row["host"] == socket.gethostname() and not pid_alive(int(row["pid"])):
        return True
    return row["idle"] >= STALE


class Neo4jLock:
    """The write lock of one Neo4j database, re-entrant within a store object."""

    def __init__(self, driver, database: str):
        self.driver = driver
        self.database = database
        self.me: Holder | None = None
        self._depth = 0
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self.lost = False

    @property
    def held(self) -> bool:
        return self._depth > 0

    def holder(self) -> dict | None:
        """The lock node as a row (with ``idle`` seconds), or None."""
        with self.driver.session(database=self.database) as s:
            rows = s.run(HOLDER).data()
        return rows[0] if rows else None

    def acquire(self, wait: float = 0, what: str = "this Neo4j database") -> None:
        """Take the lock, waiting up to ``wait`` s; raise StoreBusy naming the holder."""
        import neo4j.exceptions

        if self._depth:
            self._depth += 1
            return
        me = this_holder()
        start = time.monotonic()
        while True:
            try:
                with self.driver.session(database=self.database) as s:
                    other = s.execute_write(_take, asdict(me))
            except neo4j.exceptions.ConstraintError:
                other = self.holder()  # created by another writer this very moment
            if other is None:
                break
            waited = time.monotonic() - start
            if waited >= wait:
                raise StoreBusy(what, _holder(other), waited if wait else None)
            time.sleep(0.5)
        self.me, self._depth, self.lost = me, 1, False
        self._stop.clear()
        self._beat = threading.Thread(target=self._beating, name="neo4j-lock-beat", daemon=True)
        self._beat.start()

    def release(self) -> None:
        if not self._depth:
            return
        self._depth -= 1
        if self._depth:
            return
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
        try:
            with self.driver.session(database=self.database) as s:
                s.run(DROP, client=self.me.client).consume()
        finally:
            self.me = None

    def _beating(self) -> None:
        client = self.me.client
        while not self._stop.wait(BEAT):
            try:
                with self.driver.session(database=self.database) as s:
                    if s.run(BEAT_Q, client=client).single()["n"] == 0:
                        self.lost = True
                        return
            except Exception:  # a missed beat is survivable; STALE allows several
                continue


def _take(tx, me: dict) -> dict | None:
    """Create the lock (taking over a gone holder's); the live holder's row if held."""
    rows = tx.run(HOLDER).data()
    if rows:
        if not gone(rows[0]):
            return rows[0]
        tx.run(DROP, client=rows[0]["client"]).consume()
    tx.run(TAKE, **me).consume()
    return None
