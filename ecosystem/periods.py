"""Choosing periods: single periods and inclusive ranges (``2024-Q1..2024-Q3``)."""

from __future__ import annotations

from collections.abc import Iterable

from gridvoices.ecosystem.schema import PERIOD_RE

__all__ = ["choose_periods", "select_periods", "split_specs", "PeriodError"]


class PeriodError(ValueError):
    """A period option that is not a period or a range of periods."""


def choose_periods(available: Iterable[str], specs: Iterable[str] | None) -> list[str] | None:
    """Resolve ``--period`` options against the periods in the data; None means all.

    Examples
    --------
    >>> choose_periods(["2024-Q1", "2024-Q2", "2024-Q3"], ["2024-Q2..2024-Q3"])
    ['2024-Q2', '2024-Q3']
    >>> choose_periods(["2024-Q1", "2024-Q2", "2024-Q3"], ["2024-Q1..Q2"])
    ['2024-Q1', '2024-Q2']
    >>> choose_periods(["2024-Q1"], None) is None
    True
    """
    specs = [s.strip() for s in (specs or []) if s and s.strip()]
    if not specs:
        return None
    avail = sorted(set(available))
    chosen: set[str] = set()
    for spec in specs:
        lo, sep, hi = spec.partition("..")
        lo, hi = lo.strip(), _same_year(lo.strip(), hi.strip())
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


def _same_year(lo: str, hi: str) -> str:
    """``Q3`` or ``09`` after ``2024-Q1..`` means the same year's (``2024-Q3``)."""
    if hi and "-" not in hi and not (len(hi) == 4 and hi.isdigit()) and "-" in lo:
        return f"{lo.split('-')[0]}-{hi}"
    return hi


def split_specs(periods: str | Iterable[str] | None) -> list[str]:
    """Period choices as a list: a string may hold several, separated by commas.

    >>> split_specs("2024-Q1..Q3, 2025-Q1"), split_specs(None)
    (['2024-Q1..Q3', '2025-Q1'], [])
    """
    if periods is None:
        return []
    items = [periods] if isinstance(periods, str) else list(periods)
    return [s.strip() for x in items for s in str(x).split(",") if s.strip()]


def select_periods(available: Iterable[str], periods: Iterable[str] | None) -> list[str]:
    """The chosen periods that exist, sorted; None means all of them.

    The one place every engine (NetworkX, SQL, Cypher) turns a choice into periods.

    >>> select_periods(["2024-Q2", "2024-Q1"], None), select_periods(["2024-Q1"], ["2024-Q3"])
    (['2024-Q1', '2024-Q2'], [])
    """
    avail = sorted(set(available))
    if periods is None:
        return avail
    wanted = set(periods)
    return [p for p in avail if p in wanted]
