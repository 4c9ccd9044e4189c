"""`gridvoices cypher` read mode means read: the server is asked (EXPLAIN) what a statement does."""

from __future__ import annotations

import pytest
from gridvoices.stores.cypher_guard import CypherRefused

pytestmark = pytest.mark.neo4j

HINT = "; not run (an administrator may allow it with --admin)"


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "CREATE (:Entity {id: 'x'})",
            "the statement writes (query type 'w'); read mode runs only read queries",
        ),
        (
            "LOAD CSV FROM 'http://127.0.0.1:9/x' AS r RETURN r",
            "LOAD CSV (the server would read a file or URL) is refused" + HINT,
        ),
        (
            "LOAD/**/CSV FROM 'file:///etc/passwd' AS r RETURN r",
            "LOAD CSV (the server would read a file or URL) is refused" + HINT,
        ),
        ("CALL dbms.listConfig()", "the procedure dbms.listConfig is refused" + HINT),
        ("CALL `dbms`.listConfig()", "the procedure dbms.listConfig is refused" + HINT),
        ("CALL db.clearQueryCaches()", "the procedure db.clearQueryCaches is refused" + HINT),
        ("SHOW USERS", "an administration command is refused" + HINT),
        ("SHOW TRANSACTIONS", "SHOW commands are refused" + HINT),
        (
            "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
            "TERMINATE TRANSACTIONS is refused" + HINT,
        ),
    ],
)
def test_read_mode_refuses_more_than_reading(neo4j, statement, message):
    with pytest.raises(CypherRefused) as refused:
        neo4j.run_readonly(statement)
    assert refused.value.message == message
    assert neo4j.query("MATCH (n:Entity) RETURN count(n) AS n") == [{"n": 0}]


def test_reads_and_describing_procedures_run(neo4j, tiny):
    from gridvoices.stores.store import import_paths

    import_paths(neo4j, [tiny])
    assert neo4j.run_readonly("MATCH (s:Service) RETURN count(s) AS n") == [{"n": 3}]
    assert {"label": "Service"} in neo4j.run_readonly("CALL db.labels()")


def test_write_needs_write_and_admin_needs_admin(neo4j):
    neo4j.run_user("CREATE (:Entity:District {id: 'D9'})", write=True)
    with pytest.raises(CypherRefused, match="LOAD CSV"):
        neo4j.run_user("LOAD CSV FROM 'file:///x.csv' AS r RETURN r", write=True)
    assert neo4j.run_user("CALL dbms.components() YIELD edition RETURN edition", admin=True)


def test_the_local_server_blocks_load_csv_from_the_network(neo4j):
    from neo4j.exceptions import ClientError

    for url in ("http://127.0.0.1:9/x", "http://[::1]:9/x", "http://10.0.0.1:9/x"):
        with pytest.raises(ClientError, match="blocked via the configuration"):
            neo4j.run_user(f"LOAD CSV FROM '{url}' AS r RETURN r", admin=True)
