"""One start/stop cycle of the throw-away local Neo4j server in a temporary home.

The jars are shared, not re-downloaded: ``ensure_jars(server_home())`` fills (once) the
default home's lib folder (or ``$GRIDVOICES_NEO4J_LIB``), and the temporary home's
server runs from it through ``start(..., lib_dir=...)``.
"""

from __future__ import annotations

import ipaddress
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from gridvoices.stores import neo4j_server as ns

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("neo4j-home")


@pytest.fixture(scope="module")
def info(home: Path) -> Iterator[ns.ServerInfo]:
    lib = ns.ensure_jars(ns.server_home())
    started = ns.start(home, lib_dir=lib, heap="512m", timeout=180)
    try:
        yield started
    finally:
        ns.stop(home)


@pytest.fixture(scope="module")
def driver(info: ns.ServerInfo) -> Iterator[neo4j.Driver]:
    with neo4j.GraphDatabase.driver(info.uri, auth=info.auth()) as drv:
        yield drv


def _listening(pid: int) -> list[tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]]:
    """(address, port) of the TCP sockets ``pid`` listens on, from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A = LISTEN
                continue
            hex_addr, hex_port = local.split(":")
            raw = b"".join(
                bytes.fromhex(hex_addr[i : i + 8])[::-1] for i in range(0, len(hex_addr), 8)
            )
            found.append((ipaddress.ip_address(raw), int(hex_port, 16)))
    return found


def test_version_is_526_community(info: ns.ServerInfo, driver: neo4j.Driver) -> None:
    assert info.version.startswith("5.26")
    assert info.edition == "community"
    records = driver.execute_query("CALL dbms.components() YIELD versions, edition").records
    assert records[0]["versions"][0].startswith("5.26")
    assert records[0]["edition"] == "community"
    assert info.uri == f"bolt://127.0.0.1:{info.port}"
    assert info.startup_seconds > 0


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
def test_listens_on_loopback_only(info: ns.ServerInfo) -> None:
    sockets = _listening(info.pid)
    assert info.port in {port for _, port in sockets}
    for addr, port in sockets:
        v4 = addr.ipv4_mapped if isinstance(addr, ipaddress.IPv6Address) else addr
        assert str(v4 or addr) == "127.0.0.1", f"listening on {addr}:{port}"


def test_settings(info: ns.ServerInfo, home: Path, driver: neo4j.Driver) -> None:
    records = driver.execute_query(
        "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value",
        names=[
            "server.directories.import",
            "server.default_listen_address",
            "server.http.enabled",
            "dbms.security.auth_enabled",
        ],
    ).records
    settings = {r["name"]: r["value"] for r in records}
    assert settings == {
        "server.directories.import": str(home.resolve() / "import"),
        "server.default_listen_address": "127.0.0.1",
        "server.http.enabled": "false",
        "dbms.security.auth_enabled": "true",
    }
    assert (home / "import").is_dir()


def test_password_kept_secret(info: ns.ServerInfo, home: Path) -> None:
    user, password = info.auth()
    assert user == "neo4j" and len(password) >= 8
    assert password not in repr(info) and password not in str(info)
    state = home / "state.json"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    for path in [*(home / "logs").iterdir(), home / "conf" / "neo4j.conf"]:
        assert password.encode() not in path.read_bytes(), f"password leaked into {path}"
    assert password.encode() not in Path(f"/proc/{info.pid}/cmdline").read_bytes()
    with pytest.raises(neo4j.exceptions.AuthError):
        with neo4j.GraphDatabase.driver(info.uri, auth=("neo4j", "neo4j")) as drv:
            drv.verify_connectivity()


def test_status_start_again_and_local_connection(info: ns.ServerInfo, home: Path) -> None:
    assert ns.status(home) == info
    assert ns.start(home).pid == info.pid  # already running: same server
    assert ns.local_connection(home) == (info.uri, "neo4j", info.auth()[1])


def test_cli(info: ns.ServerInfo, home: Path) -> None:
    from typer.testing import CliRunner

    from gridvoices.cli.neo4j import neo4j_app

    runner = CliRunner()
    result = runner.invoke(neo4j_app, ["status", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert info.uri in result.output
    password = info.auth()[1]
    result = runner.invoke(neo4j_app, ["env", "--home", str(home)])
    assert result.exit_code == 0
    assert f"export NEO4J_URI={info.uri}" in result.output
    assert password not in result.output
    result = runner.invoke(neo4j_app, ["env", "--home", str(home), "--show-password"])
    assert "export NEO4J_PASSWORD=" in result.output and password in result.output


def test_stop(info: ns.ServerInfo, home: Path) -> None:
    from typer.testing import CliRunner

    from gridvoices.cli.neo4j import neo4j_app

    assert ns.stop(home) is True
    assert not Path(f"/proc/{info.pid}").exists()
    with pytest.raises(ProcessLookupError):
        os.kill(info.pid, 0)
    assert ns.status(home) is None
    assert ns.local_connection(home) is None
    assert ns.stop(home) is False
    result = CliRunner().invoke(neo4j_app, ["status", "--home", str(home)])
    assert result.exit_code == 1
