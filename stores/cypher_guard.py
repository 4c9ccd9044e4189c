"""What a user's Cypher may do, asked of the server before it runs.

A READ transaction stops a statement writing data, but not the server fetching a
URL (``LOAD CSV``), reading its configuration (``CALL dbms.listConfig()``),
listing users or ending other people's transactions (``SHOW``/``TERMINATE``),
or clearing caches. Matching the text is easy to fool (comments, backticks), so
the server is asked instead: ``EXPLAIN`` plans the statement without running it,
and its query type and plan operators say what it would do.
"""

from __future__ import annotations

import neo4j.exceptions

__all__ = ["CypherRefused", "vet", "READ_PROCEDURES"]

# Procedures a read-only caller may use: they describe the graph, nothing else.
READ_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
    }
)
# Plan operators that reach outside the graph or administer the server.
_ADMIN_OPERATORS = {
    "LoadCSV": "LOAD CSV (the server would read a file or URL)",
    "TerminateTransactions": "TERMINATE TRANSACTIONS",
    "AdministrationCommand": "an administration command",
}


class CypherRefused(neo4j.exceptions.ClientError):
    """The statement does more than the caller allowed; it was not run.

    A driver ``ClientError``, so callers that report Neo4j's refusals report this too.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self._reason = reason

    @property
    def message(self) -> str:  # type: ignore[override]
        return self._reason


def _operators(plan: dict | None):
    if not plan:
        return
    yield plan.get("operatorType", "").split("@")[0], (plan.get("args") or {}).get("Details")
    for child in plan.get("children") or ():
        yield from _operators(child)


def vet(session, statement: str, params: dict | None = None, *, write=False, admin=False) -> str:
    """Plan ``statement`` with ``EXPLAIN`` and refuse what the caller did not allow.

    Returns the server's query type (``r``, ``rw``, ``w`` or ``s``). Raises
    :class:`CypherRefused` when the statement writes without ``write``, or reads
    files/URLs, calls a procedure beyond :data:`READ_PROCEDURES`, shows or ends
    transactions, users or settings, without ``admin``.
    """
    summary = session.run("EXPLAIN " + statement, params or {}).consume()
    kind = summary.query_type or "?"
    if admin:
        return kind
    hint = "; not run (an administrator may allow it with --admin)"
    for op, details in _operators(summary.plan):
        if op in _ADMIN_OPERATORS:
            raise CypherRefused(f"{_ADMIN_OPERATORS[op]} is refused{hint}")
        if op.startswith("Show"):
            raise CypherRefused(f"SHOW commands are refused{hint}")
        if op == "ProcedureCall":
            name = (details or "").split("(")[0].strip()
            if name not in READ_PROCEDURES and not write:
                raise CypherRefused(f"the procedure {name or '?'} is refused{hint}")
            if name.startswith("dbms.") or name == "db.clearQueryCaches":
                raise CypherRefused(f"the procedure {name} is refused{hint}")
    if kind != "r" and not write:
        what = "changes the schema or the server" if kind == "s" else "writes"
        raise CypherRefused(
            f"the statement {what} (query type {kind!r}); read mode runs only read queries"
        )
    return kind
