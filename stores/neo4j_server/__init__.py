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

from gridvoices.stores.neo4j_server.base import (
    NEO4J_VERSION,
    Neo4jServerError,
    ServerInfo,
    server_home,
)
from gridvoices.stores.neo4j_server.jars import ensure_jars
from gridvoices.stores.neo4j_server.lifecycle import local_connection, reset, start, status, stop

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
