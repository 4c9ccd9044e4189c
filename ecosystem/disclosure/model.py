"""Published figures and the primary rule: what a run publishes, as linear relations.

A :class:`Figure` is one number a run publishes: the sum of some *cells* (the
referrals along one link in one period) with its true value. A period cell is a
figure of one cell; an edge total, a node's in-volume or a district's
``referrals_out`` is a figure of many. Two figures of the same cells are the same
number, wherever they appear, and are always shown or hidden together.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD

__all__ = ["Figure", "primary", "merge"]


@dataclass(frozen=True)
class Figure:
    """One published number: ``key`` names it, ``parts`` are the cells it sums.

    Examples
    --------
    >>> Figure(("edge", "a", "b"), (("a", "b", "2024-Q1"), ("a", "b", "2024-Q2")), 7).value
    7
    """

    key: Hashable
    parts: tuple[Hashable, ...]
    value: int
    # How much hiding it loses, per referral, against other figures of its size: the layer
    # that publishes it knows how prominent it is (a period range is asked for rarely).
    weight: float = 1.0

    @property
    def cells(self) -> frozenset:
        return frozenset(self.parts)


def primary(figures: Iterable[Figure], threshold: int = SUPPRESSION_THRESHOLD) -> set[Hashable]:
    """Keys of the figures the primary rule hides: values from 1 to ``threshold - 1``.

    Examples
    --------
    >>> sorted(primary([Figure("a", ("a",), 3), Figure("b", ("b",), 0), Figure("t", "ab", 3)]))
    ['a', 't']
    """
    return {f.key for f in figures if 0 < f.value < threshold}


def merge(*groups: Iterable[Figure]) -> dict[Hashable, Figure]:
    """Figures from several outputs by key; a key seen twice must name the same cells.

    Examples
    --------
    >>> len(merge([Figure("a", ("a",), 3)], [Figure("a", ("a",), 3)]))
    1
    """
    out: dict[Hashable, Figure] = {}
    for group in groups:
        for f in group:
            old = out.get(f.key)
            if old is not None and old.cells != f.cells:
                raise ValueError(f"figure {f.key!r} is published with two different sets of cells")
            out[f.key] = f
    return out
