"""Reaching a Neo4j server, and the errors a user sees when it fails or an import is unfinished."""

from __future__ import annotations

import os

from gridvoices.ecosystem.issues import Issue, StoreError
from gridvoices.loaders.provenance import Source
from gridvoices.stores.neo4j_lock import STALE as STALE_SECONDS

__all__ = [
    "Neo4jConnectionError",
    "ImportInProgressError",
    "connection_settings",
    "rolled_back",
    "recheck_issues",
    "PARTIAL_LEFT",
    "STALE_SECONDS",
]

PARTIAL_LEFT = (
    "the import did not finish and part of it is still in the database: the next "
    "gridvoices command removes it (within seconds), leaving the database as before"
)


def rolled_back(e: BaseException, why: str) -> StoreError:
    """The error for a failed import, saying truthfully whether anything is left."""
    if getattr(e, "partial_left", False):
        return StoreError(f"{why}; {PARTIAL_LEFT}")
    return StoreError(f"Neo4j rolled the import back, nothing was stored: {why}")


def recheck_issues(source: Source, problems: list[str]) -> list:
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
