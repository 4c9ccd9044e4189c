"""The queries' own exception."""

from __future__ import annotations

__all__ = ["QueryError", "OptionError"]


class QueryError(ValueError):
    """A query was asked something it cannot answer (unknown id, bad option)."""


class OptionError(QueryError):
    """An option out of range: ``option`` names it as the Python API spells it (``seed_nodes``),
    so the CLI can say ``--seed-nodes`` instead.

    >>> str(OptionError("top", "must be 0 or more")), OptionError("top", "must be 0").flag()
    ('top must be 0 or more', '--top must be 0')
    """

    def __init__(self, option: str, rest: str) -> None:
        super().__init__(f"{option} {rest}")
        self.option, self.rest = option, rest

    def flag(self) -> str:
        return f"--{self.option.replace('_', '-')} {self.rest}"
