"""Launch the server's JVM and wait for its first answer (password set on first start).

Split from :mod:`.lifecycle`, which holds the lock around :func:`_start_locked`.
"""

from __future__ import annotations

import datetime as _dt
import os
import secrets
import subprocess
import time
from pathlib import Path
from typing import Any

from gridvoices.stores.neo4j_server.base import (
    _CHILDREN,
    _JVM_OPTS,
    _MIN_PASSWORD,
    _STATE,
    ENTRY_POINT,
    NEO4J_VERSION,
    USER,
    Neo4jServerError,
    ServerInfo,
    _write_state,
)
from gridvoices.stores.neo4j_server.conf import (
    _components,
    _conf_text,
    _driver,
    _free_port,
    _info,
    _port_free,
    _scrub,
    _size_bytes,
    _tail_file,
)
from gridvoices.stores.neo4j_server.jars import _find_java, ensure_jars


def _start_locked(
    home: Path,
    state: dict[str, Any],
    port: int | None,
    heap: str,
    pagecache: str,
    timeout: float,
    lib_dir: str | Path | None,
) -> ServerInfo:
    heap_bytes = _size_bytes(heap, "heap")
    _size_bytes(pagecache, "pagecache")
    if heap_bytes < 256 << 20:
        raise Neo4jServerError(f"heap {heap!r} is too small; give at least 256m")
    java = _find_java()
    lib = ensure_jars(home, lib_dir=lib_dir)

    if port is None:
        previous = state.get("port")
        port = previous if isinstance(previous, int) and _port_free(previous) else _free_port()
    elif not 0 < port < 65536:
        raise Neo4jServerError(f"port {port} is out of range")
    elif not _port_free(port):
        raise Neo4jServerError(f"port 127.0.0.1:{port} is already in use")

    env_password = os.environ.get("NEO4J_PASSWORD")
    fresh = not (home / "data" / "databases" / "system").exists()
    needs_init = fresh or bool(state.get("password_pending"))
    if env_password:
        password, source = env_password, "NEO4J_PASSWORD"
    elif state.get("password"):
        password, source = str(state["password"]), str(state.get("password_source", "generated"))
    elif needs_init:
        password, source = secrets.token_urlsafe(24), "generated"
    else:
        raise Neo4jServerError(
            f"{home / 'data'} was initialised with a password that is not recorded in "
            f"{home / _STATE}; set NEO4J_PASSWORD to it, or run reset (deletes the data)"
        )
    described = (
        "the password from NEO4J_PASSWORD"
        if env_password
        else f"the password recorded in {home / _STATE}"
    )
    if needs_init and (len(password) < _MIN_PASSWORD or password == "neo4j"):
        raise Neo4jServerError(
            f"{described} is too short: Neo4j needs at least {_MIN_PASSWORD} characters"
        )

    for sub in ("conf", "import", "logs", "run", "data"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    (home / "conf" / "neo4j.conf").write_text(_conf_text(home, port, pagecache), encoding="utf-8")

    uri = f"bolt://127.0.0.1:{port}"
    state = {
        **state,
        "home": str(home),
        "pid": None,
        "port": port,
        "uri": uri,
        "user": USER,
        "password_pending": needs_init,
        "lib_dir": str(lib),
        "java": java,
        "heap": heap,
        "neo4j_version": NEO4J_VERSION,
    }
    if needs_init:  # on disk (0600) before the server can take it
        state.update(password=password, password_source=source)
    # Otherwise the recorded password is replaced only once the server has accepted
    # the new one: a wrong NEO4J_PASSWORD must not overwrite the right one.
    _write_state(home, state)

    xms = f"{min(512 << 20, heap_bytes) >> 20}m"
    argv = [
        java,
        f"-Xms{xms}",
        f"-Xmx{heap}",
        *_JVM_OPTS,
        "-cp",
        f"{lib}/*",
        ENTRY_POINT,
        f"--home-dir={home}",
        f"--config-dir={home / 'conf'}",
    ]
    user_log = home / "logs" / "neo4j.log"
    log_offset = user_log.stat().st_size if user_log.exists() else 0
    console = home / "logs" / "console.log"
    began = time.monotonic()
    started_at = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    with open(console, "wb") as out:
        try:
            proc = subprocess.Popen(
                argv,
                cwd=home,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            raise Neo4jServerError(f"could not launch {java}: {exc}") from exc
    _CHILDREN[proc.pid] = proc
    state.update(pid=proc.pid, started_at=started_at, startup_seconds=None)
    _write_state(home, state)

    def fail(reason: str) -> Neo4jServerError:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        _CHILDREN.pop(proc.pid, None)
        state["pid"] = None
        _write_state(home, state)
        logs = [
            f"--- {p.name} ---\n{t}"
            for p, t in (
                (console, _tail_file(console, 20)),
                (user_log, _tail_file(user_log, 20, log_offset)),
            )
            if t
        ]
        detail = "\n".join(logs) or "(the logs are empty)"
        return Neo4jServerError(_scrub(f"{reason}\n{detail}", password))

    try:
        version, edition = _wait_ready(
            proc, uri, password, described, needs_init, began + timeout, fail
        )
    except Neo4jServerError:
        raise
    except BaseException:  # e.g. KeyboardInterrupt: do not leave a half-started server
        fail("start interrupted")
        raise
    state.update(password=password, password_source=source, password_pending=False)
    state["startup_seconds"] = round(time.monotonic() - began, 2)
    _write_state(home, state)
    return _info(home, state, proc.pid, version, edition)


def _wait_ready(
    proc: subprocess.Popen[bytes],
    uri: str,
    password: str,
    described: str,
    needs_init: bool,
    deadline: float,
    fail: Any,
) -> tuple[str, str]:
    """Poll Bolt until it answers; set the initial password; return (version, edition)."""
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

    login = (USER, "neo4j") if needs_init else (USER, password)
    retried_login = False
    while True:
        if proc.poll() is not None:
            raise fail(f"the Neo4j server exited with code {proc.returncode} while starting")
        if time.monotonic() >= deadline:
            raise fail(f"the Neo4j server did not answer on {uri} in time")
        try:
            with _driver(uri, login) as driver:
                driver.verify_connectivity()
                if needs_init:
                    driver.execute_query(
                        "ALTER CURRENT USER SET PASSWORD FROM 'neo4j' TO $new",
                        new=password,
                        database_="system",
                    )
            with _driver(uri, (USER, password)) as driver:
                version, edition = _components(driver)
                driver.execute_query("RETURN 1")  # the default database is online
            return version, edition
        except AuthError as exc:
            if needs_init and not retried_login:
                # An earlier start may have changed the password and died before
                # recording it: try the target password once (Neo4j locks a user out
                # after 3 failed attempts).
                login, needs_init, retried_login = (USER, password), False, True
                continue
            which = "the default password neo4j" if needs_init else described
            raise fail(
                f"the server rejected {which} ({exc.code}); its data folder was "
                "initialised with another one: set NEO4J_PASSWORD to that, "
                "or run reset (deletes the data)"
            ) from None
        except (ServiceUnavailable, SessionExpired, OSError):
            pass
        except Neo4jError as exc:
            if not (exc.code or "").startswith("Neo.TransientError"):
                raise fail(f"the server refused the start-up queries: {exc.code}") from None
        time.sleep(0.25)
