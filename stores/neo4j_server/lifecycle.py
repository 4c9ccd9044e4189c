"""Start, stop, reset and ask after the local server (the launch itself: :mod:`.launch`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from pathlib import Path

from gridvoices.stores.neo4j_server.base import (
    _RESETTABLE,
    _STATE,
    Neo4jServerError,
    ServerInfo,
    _locked,
    _read_state,
    _recorded_pid,
    _wait_exit,
    _write_state,
    server_home,
)
from gridvoices.stores.neo4j_server.conf import _probe
from gridvoices.stores.neo4j_server.launch import _start_locked

# --------------------------------------------------------------------------- public


def status(home: str | Path | None = None) -> ServerInfo | None:
    """Return the running server's info, or None.

    A recorded pid that is gone, belongs to another program, or whose server
    does not answer counts as not running.

    Parameters
    ----------
    home
        Server home, see :func:`server_home`.

    Returns
    -------
    ServerInfo or None
    """
    home = server_home(home)
    state = _read_state(home)
    pid = _recorded_pid(home, state)
    if pid is None:
        return None
    return _probe(home, state, pid)


def local_connection(home: str | Path | None = None) -> tuple[str, str, str] | None:
    """Return ``(uri, user, password)`` of a running local server, or None.

    For callers that fall back on the local server when ``NEO4J_URI`` is unset.

    Parameters
    ----------
    home
        Server home, see :func:`server_home`.

    Returns
    -------
    tuple of str, or None
    """
    info = status(home)
    if info is None:
        return None
    user, password = info.auth()
    return info.uri, user, password


def start(
    home: str | Path | None = None,
    *,
    port: int | None = None,
    heap: str = "1g",
    pagecache: str = "256m",
    timeout: float = 90,
    lib_dir: str | Path | None = None,
) -> ServerInfo:
    """Start the local server (or return the one already running).

    Parameters
    ----------
    home
        Server home, see :func:`server_home`.
    port
        Bolt port on 127.0.0.1; default the previous one if free, else a free one.
        If the server already runs, it must be None or its port.
    heap
        JVM maximum heap (``-Xmx``), e.g. ``1g``.
    pagecache
        ``server.memory.pagecache.size``.
    timeout
        Seconds to wait for the server to answer.
    lib_dir
        Jar folder; default ``$GRIDVOICES_NEO4J_LIB`` or ``<home>/lib``
        (fetched by :func:`ensure_jars` if missing).

    Returns
    -------
    ServerInfo

    Raises
    ------
    Neo4jServerError
        If Java 17 or the jars are missing, the port is taken, or the server
        dies, times out or rejects the password. The message ends with the
        last log lines.
    """
    home = server_home(home)
    home.mkdir(parents=True, exist_ok=True)
    with _locked(home / ".server.lock"):
        state = _read_state(home)
        pid = _recorded_pid(home, state)
        if pid is not None:
            info = _probe(home, state, pid)
            if info is not None and port not in (None, info.port):
                raise Neo4jServerError(
                    f"the Neo4j server of {home} already runs on port {info.port}; "
                    f"stop it first to move it to {port}"
                )
            if info is not None:
                return info
            raise Neo4jServerError(
                f"a Neo4j server (pid {pid}) of {home} is running but does not answer on "
                f"{state.get('uri', '?')}; stop it first (gridvoices neo4j stop)"
            )
        return _start_locked(home, state, port, heap, pagecache, timeout, lib_dir)


def stop(home: str | Path | None = None, timeout: float = 60) -> bool:
    """Stop the local server.

    Sends SIGTERM, waits up to ``timeout`` seconds, then SIGKILLs.

    Parameters
    ----------
    home
        Server home, see :func:`server_home`.
    timeout
        Seconds to wait for a clean shutdown (Neo4j 5.26 takes ~10 s).

    Returns
    -------
    bool
        Whether a running server was stopped.
    """
    home = server_home(home)
    if not home.exists():
        return False
    with _locked(home / ".server.lock"):
        return _stop_locked(home, timeout)


def _stop_locked(home: Path, timeout: float) -> bool:
    state = _read_state(home)
    pid = _recorded_pid(home, state)
    stopped = False
    if pid is not None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        if not _wait_exit(pid, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            if not _wait_exit(pid, 15):
                raise Neo4jServerError(f"the Neo4j server (pid {pid}) survived SIGKILL")
        stopped = True
    if state.get("pid") is not None:
        state["pid"] = None
        _write_state(home, state)
    return stopped


def reset(home: str | Path | None = None) -> None:
    """Stop the server and delete its data, logs, config, import folder and state.

    The jars (``lib/``) and ``maven/`` are kept, so the next start is quick and
    gets a fresh database and password.

    Parameters
    ----------
    home
        Server home, see :func:`server_home`.
    """
    home = server_home(home)
    if not home.exists():
        return
    with _locked(home / ".server.lock"):
        _stop_locked(home, 60)
        for name in _RESETTABLE:
            target = home / name
            if target.is_symlink():
                target.unlink()
            elif target.exists():
                shutil.rmtree(target)
        (home / _STATE).unlink(missing_ok=True)
