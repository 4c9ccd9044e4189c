"""Choosing periods: single periods and inclusive ranges (``2024-Q1..2024-Q3``)."""

from __future__ import annotations

from collections.abc import Iterable

from gridvoices.ecosystem.schema import PERIOD_RE

__all__ = ["choose_periods", "PeriodError"]


class PeriodError(ValueError):
    """A period option that is not a period or a range of periods."""


def choose_periods(available: Iterable[str], specs: Iterable[str] | None) -> list[str] | None:
    """Resolve ``--period`` options against the periods in the data; None means all.

    Examples
    --------
    >>> choose_periods(["2024-Q1", "2024-Q2", "2024-Q3"], ["2024-Q2..2024-Q3"])
    ['2024-Q2', '2024-Q3']
    >>> choose_periods(["2024-Q1"], None) is None
    True
    """
    specs = [s for s in (specs or []) if s]
    if not specs:
        return None
    avail = sorted(set(available))
    chosen: set[str] = set()
    for spec in specs:
        lo, sep, hi = spec.partition("..")
        ends = [lo, hi] if sep else [lo]
        for e in ends:
            if not PERIOD_RE.match(e):
                raise PeriodError(
                    f"{spec!r} is not a period (2024-Q1, 2024-03, 2024) "
                    "or a range (2024-Q1..2024-Q4)"
                )
        if sep:
            chosen.update(p for p in avail if lo <= p <= hi or p.startswith(hi))
        else:
            chosen.update(p for p in avail if p == lo or p.startswith(lo + "-"))
    return sorted(chosen)
