"""The local server's ground: its home folder, state file, errors and processes."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NEO4J_VERSION = "5.26.0"
JAVA_MAJOR = 17
USER = "neo4j"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"

_POM = Path(__file__).resolve().parent.parent / "neo4j" / "pom.xml"
_MARKER_JAR = f"neo4j-{NEO4J_VERSION}.jar"
_STATE = "state.json"
_MIN_PASSWORD = 8  # dbms.security.auth_minimum_password_length's default
_SIZE_RE = re.compile(r"^(\d+)([kmg]?)$", re.IGNORECASE)
_JVM_OPTS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)
# Folders reset() may delete; lib/ and maven/ are kept.
_RESETTABLE = ("data", "logs", "run", "conf", "import")

# Servers launched by this very process, so stop() can reap them (no zombies).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


class Neo4jServerError(RuntimeError):
    """The local Neo4j server could not be set up, started, reached or stopped."""


@dataclass(frozen=True)
class ServerInfo:
    """A running local server. The password is not a field: use :meth:`auth`."""

    uri: str
    user: str
    port: int
    pid: int
    home: Path
    version: str
    edition: str
    startup_seconds: float

    def auth(self) -> tuple[str, str]:
        """Return ``(user, password)``, read from the home's ``state.json``.

        Raises
        ------
        Neo4jServerError
            If the state file holds no password.
        """
        password = _read_state(self.home).get("password")
        if not password:
            raise Neo4jServerError(f"no password recorded in {self.home / _STATE}")
        return self.user, password


# --------------------------------------------------------------------------- paths


def server_home(path: str | Path | None = None) -> Path:
    """Return the folder holding the local server (not created).

    Parameters
    ----------
    path
        Explicit folder; default ``$GRIDVOICES_NEO4J_HOME`` or
        ``~/.cache/gridvoices/neo4j``.

    Returns
    -------
    Path
        Absolute path of the home.
    """
    if path is None:
        path = os.environ.get("GRIDVOICES_NEO4J_HOME") or (
            Path.home() / ".cache" / "gridvoices" / "neo4j"
        )
    return Path(path).expanduser().resolve()


def _lib_dir(home: Path, lib_dir: str | Path | None) -> Path:
    if lib_dir is None:
        lib_dir = os.environ.get("GRIDVOICES_NEO4J_LIB") or home / "lib"
    return Path(lib_dir).expanduser().resolve()


# --------------------------------------------------------------------------- state


def _read_state(home: Path) -> dict[str, Any]:
    path = home / _STATE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise Neo4jServerError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        state = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Neo4jServerError(f"{path} is not valid JSON ({exc.msg}); delete it") from exc
    if not isinstance(state, dict):
        raise Neo4jServerError(f"{path} does not hold a JSON object; delete it")
    return state


def _write_state(home: Path, state: dict[str, Any]) -> None:
    home.mkdir(parents=True, exist_ok=True)
    path = home / _STATE
    tmp = home / f".{_STATE}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state, fh, indent=2, sort_keys=True)
            fh.write("\n")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- processes


def _alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        _CHILDREN.pop(pid, None)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is not alive
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _is_our_server(pid: int, home: Path) -> bool:
    """Is ``pid`` alive and the Neo4j server of ``home`` (guards against pid reuse)?"""
    if pid <= 0 or not _alive(pid):
        return False
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: trust the pid
        return True
    return ENTRY_POINT.encode() in argv and f"--home-dir={home}".encode() in argv


def _recorded_pid(home: Path, state: dict[str, Any]) -> int | None:
    pid = state.get("pid")
    if isinstance(pid, int) and _is_our_server(pid, home):
        return pid
    try:  # the server writes run/neo4j.pid itself; useful if state.json was lost
        pid = int((home / "run" / "neo4j.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_our_server(pid, home) else None


def _wait_exit(pid: int, timeout: float) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        try:
            child.wait(timeout=max(timeout, 0))
        except subprocess.TimeoutExpired:
            return False
        _CHILDREN.pop(pid, None)
        return True
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True
