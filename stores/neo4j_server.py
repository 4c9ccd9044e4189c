"""A throw-away local Neo4j Community 5.26 server for development and CI.

No Docker and no Neo4j tarball: the jars come from Maven Central through Maven
(``ecosystem/neo4j/pom.xml``) and the server runs on Java 17 straight from them
(``org.neo4j.server.CommunityEntryPoint``).

Everything lives in one folder, the *home* (see :func:`server_home`)::

    <home>/maven/pom.xml   copy of the pom, where mvn runs
    <home>/lib/            the jars (or $GRIDVOICES_NEO4J_LIB / ``lib_dir=``, to share them)
    <home>/conf/neo4j.conf rewritten at every start
    <home>/import/         the only folder LOAD CSV can read
    <home>/data/ logs/ run/
    <home>/state.json      pid, port, uri, user, password... (mode 0600)

The server listens on 127.0.0.1 only, with authentication on. Its password is
``$NEO4J_PASSWORD`` or a generated one kept in ``state.json``; it is never put in
argv, log lines or exception messages.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "NEO4J_VERSION",
    "Neo4jServerError",
    "ServerInfo",
    "ensure_jars",
    "local_connection",
    "reset",
    "server_home",
    "start",
    "status",
    "stop",
]

NEO4J_VERSION = "5.26.0"
JAVA_MAJOR = 17
USER = "neo4j"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"

_POM = Path(__file__).resolve().parent / "neo4j" / "pom.xml"
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


# --------------------------------------------------------------------------- jars


def ensure_jars(home: str | Path | None = None, *, lib_dir: str | Path | None = None) -> Path:
    """Resolve the Neo4j jars with Maven, once.

    Skipped when the lib folder already holds ``neo4j-5.26.0.jar``. Otherwise
    copies ``pom.xml`` to ``<home>/maven`` and runs ``mvn -q -B
    dependency:copy-dependencies`` into the lib folder (~237 jars, 128 MB).

    Parameters
    ----------
    home
        Server home, see :func:`server_home`.
    lib_dir
        Where the jars go; default ``$GRIDVOICES_NEO4J_LIB`` or ``<home>/lib``.
        Pointing several homes at one lib folder shares the jars.

    Returns
    -------
    Path
        The lib folder.

    Raises
    ------
    Neo4jServerError
        If Maven is missing or fails (the message ends with its output's tail).
    """
    home = server_home(home)
    lib = _lib_dir(home, lib_dir)
    if (lib / _MARKER_JAR).is_file():
        return lib
    lib.parent.mkdir(parents=True, exist_ok=True)
    with _locked(lib.parent / f".{lib.name}.lock"):
        if (lib / _MARKER_JAR).is_file():  # another process finished meanwhile
            return lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jServerError(
                "Maven (mvn) is not on PATH; it is needed once to fetch the Neo4j jars"
            )
        if not _POM.is_file():
            raise Neo4jServerError(f"missing {_POM} (is the package installed completely?)")
        maven_dir = home / "maven"
        maven_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_POM, maven_dir / "pom.xml")
        partial = lib.parent / f".{lib.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        cmd = [
            mvn,
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(maven_dir / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={partial}",
        ]
        try:
            proc = subprocess.run(
                cmd,
                cwd=maven_dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=1800,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise Neo4jServerError(f"could not run Maven to fetch the Neo4j jars: {exc}") from exc
        if proc.returncode != 0 or not (partial / _MARKER_JAR).is_file():
            shutil.rmtree(partial, ignore_errors=True)
            raise Neo4jServerError(
                f"Maven failed to fetch the Neo4j {NEO4J_VERSION} jars "
                f"(exit {proc.returncode}, pom {maven_dir / 'pom.xml'}); last output:\n"
                + _tail_text(proc.stdout, 25)
            )
        lib.mkdir(parents=True, exist_ok=True)
        # The marker jar moves last, so a half-copied lib is never taken as complete.
        jars = sorted(partial.iterdir(), key=lambda p: p.name == _MARKER_JAR)
        for jar in jars:
            os.replace(jar, lib / jar.name)
        shutil.rmtree(partial, ignore_errors=True)
    return lib


# --------------------------------------------------------------------------- java


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run(
            [java, "-version"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _find_java() -> str:
    """Java 17: $GRIDVOICES_JAVA, else $JAVA_HOME, else PATH, else /usr/lib/jvm/*17*."""
    explicit = os.environ.get("GRIDVOICES_JAVA")
    if explicit:
        major = _java_major(explicit)
        if major != JAVA_MAJOR:
            raise Neo4jServerError(
                f"GRIDVOICES_JAVA={explicit} is "
                + (f"Java {major}" if major else "not a working java")
                + f"; the local Neo4j server needs Java {JAVA_MAJOR}"
            )
        return explicit
    candidates: list[str] = []
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidates.append(str(Path(java_home) / "bin" / "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    candidates += sorted(str(p) for p in Path("/usr/lib/jvm").glob("*17*/bin/java"))
    seen: list[str] = []
    for java in candidates:
        if java in seen:
            continue
        seen.append(java)
        if _java_major(java) == JAVA_MAJOR:
            return java
    raise Neo4jServerError(
        f"no Java {JAVA_MAJOR} found (tried {', '.join(seen) or 'nothing'}); "
        "install it or set GRIDVOICES_JAVA to its java binary"
    )


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


# --------------------------------------------------------------------------- helpers


def _size_bytes(size: str, what: str) -> int:
    match = _SIZE_RE.match(size.strip())
    if not match:
        raise Neo4jServerError(f"{what} {size!r} is not a size like 512m or 2g")
    return (
        int(match.group(1))
        * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    )


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like Netty: a port whose old connections linger in TIME_WAIT is usable.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:]) or "(no output)"


def _tail_file(path: Path, lines: int, offset: int = 0) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except OSError:
        return ""
    text = data.decode("utf-8", "replace").replace("\x06", "")  # the server's start signal
    return _tail_text(text, lines) if text.strip() else ""


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "********") if secret else text


def _conf_text(home: Path, port: int, pagecache: str) -> str:
    settings = {
        "server.default_listen_address": "127.0.0.1",
        "server.bolt.listen_address": f"127.0.0.1:{port}",
        "server.bolt.advertised_address": f"127.0.0.1:{port}",
        "server.http.enabled": "false",
        "server.https.enabled": "false",
        "dbms.security.auth_enabled": "true",
        "server.directories.import": str(home / "import"),
        "server.directories.data": str(home / "data"),
        "server.directories.logs": str(home / "logs"),
        "server.directories.run": str(home / "run"),
        "dbms.usage_report.enabled": "false",
        # Without it Neo4j sizes the page cache at ~half the machine's RAM.
        "server.memory.pagecache.size": pagecache,
        # A dev server needs no query log (and so can never log a parameter).
        "db.logs.query.enabled": "OFF",
        # Keep a dev server's transaction logs small.
        "db.tx_log.rotation.retention_policy": "1 files",
    }
    lines = [
        "# Written by ecosystem/neo4j_server.py at every start; edits are lost.",
        *(f"{key}={value}" for key, value in settings.items()),
    ]
    return "\n".join(lines) + "\n"


def _driver(uri: str, auth: tuple[str, str]) -> Any:
    from neo4j import GraphDatabase

    return GraphDatabase.driver(
        uri, auth=auth, connection_timeout=3.0, max_transaction_retry_time=0
    )


def _components(driver: Any) -> tuple[str, str]:
    records = driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
        database_="system",
    ).records
    for rec in records:
        if rec["name"] == "Neo4j Kernel":
            return str(rec["versions"][0]), str(rec["edition"])
    rec = records[0]
    return str(rec["versions"][0]), str(rec["edition"])


def _probe(home: Path, state: dict[str, Any], pid: int) -> ServerInfo | None:
    """Connect with the recorded password; the running server's info, or None."""
    from neo4j.exceptions import Neo4jError, ServiceUnavailable

    uri, user, password = state.get("uri"), state.get("user", USER), state.get("password")
    if not (uri and password):
        return None
    try:
        with _driver(uri, (user, password)) as driver:
            version, edition = _components(driver)
    except (Neo4jError, ServiceUnavailable, OSError):
        return None
    except Exception:  # driver errors outside its hierarchy: treat as "not answering"
        return None
    return _info(home, state, pid, version, edition)


def _info(home: Path, state: dict[str, Any], pid: int, version: str, edition: str) -> ServerInfo:
    return ServerInfo(
        uri=str(state["uri"]),
        user=str(state.get("user", USER)),
        port=int(state["port"]),
        pid=pid,
        home=home,
        version=version,
        edition=edition,
        startup_seconds=float(state.get("startup_seconds") or 0.0),
    )


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
