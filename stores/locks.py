"""One writer at a time: who holds a store's write lock, and the file lock of the embedded store.

An import validates against what is stored and then writes; two imports interleaving
could each pass validation against a state the other is about to change. Every writer
therefore takes the store's write lock before validating and keeps it until its
commit. The embedded store uses an OS file lock beside the SQLite file (released by
the kernel when the holder dies, however it dies); Neo4j uses a lock node
(:mod:`gridvoices.stores.neo4j_lock`). Both describe their holder the same way.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from gridvoices.ecosystem.issues import StoreError

__all__ = ["Holder", "StoreBusy", "FileLock", "this_holder", "pid_alive", "POLL"]

# Seconds between attempts while waiting for a lock.
POLL = 0.2


@dataclass(frozen=True)
class Holder:
    """Who holds (or asks for) a write lock."""

    client: str  # unique per lock taken: tells a holder from a later one with the same pid
    pid: int
    host: str
    command: str
    since: str  # ISO time, UTC

    def describe(self) -> str:
        here = self.host == socket.gethostname()
        where = f"pid {self.pid}" + ("" if here else f" on {self.host}")
        return f"{where} ({self.command}), since {self.since}"


def this_holder() -> Holder:
    """This process, as a lock holder."""
    argv = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else ["python"]
    command = " ".join(argv)
    if len(command) > 120:
        command = command[:117] + "..."
    return Holder(
        client=uuid.uuid4().hex,
        pid=os.getpid(),
        host=socket.gethostname(),
        command=command,
        since=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except OSError as e:
        return e.errno == errno.EPERM
    return True


class StoreBusy(StoreError):
    """Another import holds the store's write lock (and we were not asked to wait, or long)."""

    def __init__(self, what: str, holder: Holder | None, waited: float | None = None):
        who = holder.describe() if holder else "another process"
        tail = (
            f"; waited {waited:.0f} s"
            if waited
            else "; run again when it has finished, or pass --wait to queue behind it"
        )
        super().__init__(f"{what} is being written by {who}{tail}")
        self.holder = holder


class FileLock:
    """An exclusive, re-entrant ``flock`` on ``path``, recording its holder in the file.

    >>> import tempfile, pathlib
    >>> lock = FileLock(pathlib.Path(tempfile.mkdtemp()) / "x.lock", "the store")
    >>> with lock:
    ...     lock.held
    True
    """

    def __init__(self, path: Path, what: str, *, wait: float = 0):
        self.path = Path(path)
        self.what = what
        self.wait = wait
        self._fd: int | None = None
        self._depth = 0

    @property
    def held(self) -> bool:
        return self._fd is not None

    def holder(self) -> Holder | None:
        """Who the file says holds the lock (it may have just let go)."""
        try:
            return Holder(**json.loads(self.path.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def acquire(self) -> None:
        """Take the lock; wait up to ``self.wait`` s (``math.inf``: forever, 0: not at all)."""
        if self._depth:
            self._depth += 1
            return
        wait = self.wait
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        start = time.monotonic()
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    waited = time.monotonic() - start
                    if waited >= wait:
                        shown = waited if wait else None
                        raise StoreBusy(self.what, self.holder(), shown) from None
                    time.sleep(POLL)
            me = json.dumps(asdict(this_holder())).encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, me, 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd, self._depth = fd, 1

    def release(self) -> None:
        if not self._depth:
            return
        self._depth -= 1
        if self._depth:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)  # the next reader sees no stale holder
        finally:
            os.close(fd)  # closing drops the flock

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
