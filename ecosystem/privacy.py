"""The small-number disclosure rule: referral counts of 1-4 are shown as ``*``.

Numbers in results stay exact so analyses can build on each other; the rule
is applied where people read them: :func:`gridvoices.visualise.render.shown` for
structured results, and :func:`fmt` inside the plain-words ``why`` texts.
Suppression is on unless a caller turns it off for a block of work with
``with suppression(False):`` (the CLI's ``--show-small-counts``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD

__all__ = ["suppress", "fmt", "fmt_derived", "is_suppressed", "suppression", "SUPPRESSED"]

SUPPRESSED = "*"
_ENABLED: ContextVar[bool] = ContextVar("gridvoices_suppression", default=True)


def suppress(count: int | None, *, enabled: bool | None = None) -> int | str | None:
    """Return ``count``, or ``"*"`` when it is between 1 and 4 and suppression is on.

    Examples
    --------
    >>> suppress(3), suppress(0), suppress(12), suppress(3, enabled=False)
    ('*', 0, 12, 3)
    """
    on = _ENABLED.get() if enabled is None else enabled
    if on and isinstance(count, int) and 0 < count < SUPPRESSION_THRESHOLD:
        return SUPPRESSED
    return count


def fmt(count: int) -> str:
    """A count for a sentence, suppressed by the current rule.

    Examples
    --------
    >>> f"{fmt(3)} referrals"
    '* referrals'
    """
    return str(suppress(count))


def is_suppressed(count) -> bool:
    """Whether ``count`` would be shown as ``*`` under the current rule."""
    return suppress(count) == SUPPRESSED


def fmt_derived(text: str, *counts) -> str:
    """``text`` (a ratio or share computed from ``counts``), or ``*`` when any count is
    suppressed: a ratio next to its expected value would give the small count away.

    Examples
    --------
    >>> fmt_derived("0.098", 4), fmt_derived("0.52", 40)
    ('*', '0.52')
    """
    return SUPPRESSED if any(is_suppressed(c) for c in counts) else text


@contextmanager
def suppression(enabled: bool) -> Iterator[None]:
    """Turn the rule on or off for the work inside the block."""
    token = _ENABLED.set(enabled)
    try:
        yield
    finally:
        _ENABLED.reset(token)
