"""The queries' own exception."""

from __future__ import annotations

__all__ = ["QueryError"]


class QueryError(ValueError):
    """A query was asked something it cannot answer (unknown id, bad option)."""
