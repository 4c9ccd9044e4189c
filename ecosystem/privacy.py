"""The small-number disclosure rule: counts of 1-4 are shown as ``*``."""

from __future__ import annotations

from ecosystem.vocab import SUPPRESSION_THRESHOLD

__all__ = ["suppress", "SUPPRESSED"]

SUPPRESSED = "*"


def suppress(count: int | None, *, enabled: bool = True) -> int | str | None:
    """Return ``count``, or ``"*"`` when it is between 1 and 4 and suppression is on.

    Examples
    --------
    >>> suppress(3), suppress(0), suppress(12), suppress(3, enabled=False)
    ('*', 0, 12, 3)
    """
    if enabled and count is not None and 0 < count < SUPPRESSION_THRESHOLD:
        return SUPPRESSED
    return count
