"""Cypher fragments shared by the named queries (module constants, values as $parameters)."""

from __future__ import annotations

__all__ = ["FLOW", "flow", "resolve_periods"]


def flow(rel: str) -> str:
    """Sum of a REFERS relationship's counts over ``$periods``."""
    return (
        f"reduce(s = 0, i IN range(0, size({rel}.periods) - 1) | "
        f"s + CASE WHEN {rel}.periods[i] IN $periods THEN {rel}.counts[i] ELSE 0 END)"
    )


FLOW = flow("r")


def resolve_periods(db, periods) -> list[str]:
    """The chosen periods that exist in the Neo4j store, sorted; None means all."""
    available = db.periods()
    if periods is None:
        return available
    wanted = set(periods)
    return [p for p in available if p in wanted]
