"""The server's configuration file, and asking a running server who it is."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from gridvoices.stores.neo4j_server.base import _SIZE_RE, USER, Neo4jServerError, ServerInfo

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
        # LOAD CSV reads files from the import folder only, and no network address at all
        # (Neo4j 5 names the setting internal.*; it is the documented dbms.cypher.ip_blocklist):
        # a statement must not make the server fetch a URL of its author's choice.
        "server.directories.import": str(home / "import"),
        "internal.dbms.cypher_ip_blocklist": "0.0.0.0/0,::/0",
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
        "# Written by gridvoices.stores.neo4j_server at every start; edits are lost.",
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
