"""Cypher fragments shared by the named queries (module constants, values as $parameters)."""

from __future__ import annotations

from gridvoices.ecosystem.periods import select_periods

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
    return select_periods(db.periods(), periods)
