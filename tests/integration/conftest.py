"""Fixtures for tests against a real Neo4j.

The server comes from NEO4J_URI/NEO4J_PASSWORD, or from the local server that
`gridvoices neo4j start` (and .ci/run) started. In CI a missing server fails the
run; on a developer machine the tests are skipped with the reason.
"""

from __future__ import annotations

import os

import pytest
from gridvoices.stores.neo4j_store import Neo4jConnectionError, Neo4jStore


@pytest.fixture(scope="session")
def neo4j_store():
    try:
        store = Neo4jStore.connect()
    except Neo4jConnectionError as e:
        if os.environ.get("CI"):
            pytest.fail(f"Neo4j is required in CI and is not reachable: {e}")
        pytest.skip(f"no Neo4j: {e}")
    yield store
    store.clear()
    store.close()


@pytest.fixture
def neo4j(neo4j_store):
    """An empty Neo4j store for one test; emptied again afterwards."""
    neo4j_store.clear()
    yield neo4j_store
    neo4j_store.clear()
