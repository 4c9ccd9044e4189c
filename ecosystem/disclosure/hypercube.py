"""Complements by hypercubes: for each hidden figure, a small pattern of cells that can move.

A hidden figure ``h`` is safe when some change of the cells, ``d``, leaves every visible
figure's sum unchanged and changes ``h``'s (then ``h`` and ``h + <h, d>`` fit the published
numbers alike). sdcTable's ``"HYPERCUBE"`` and tau-ARGUS's hypercube method build such a
``d`` from a hidden cell: the corners of a rectangle, ``+1`` on the cell and on the cell
diagonally across, ``-1`` on the other two. Here a cell is named ``(*line, period)`` (an
edge's referrals in one period): a rectangle pairs the cell's line with a partner line and
its period with a partner period, ``d = (l1, p1) - (l1, p2) - (l2, p1) + (l2, p2)``. Every
figure with a non-zero sum of ``d`` (one that holds one corner of a side but not the other:
the edge's own period figures, a service's volume that takes in one edge and not the
other) must be hidden; all others sum ``d`` to zero and can stay visible, the edges' and the
services' all-period totals among them. Of the rectangles through a cell (partner lines from
the narrowest figures around it, every partner period), the one that loses least among the
figures not yet hidden is taken; a side alone (``(l1, p1) - (l1, p2)``, or two lines in one
period) and, last, the cell alone (every figure over it hidden) are candidates too, so a
figure always has one. Hiding more never takes a pattern's freedom away, so each hidden
figure given a pattern stays safe whatever is hidden after it: one pass, no search, and the
work is a few hundred sums per candidate, whatever the size of the whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping

from gridvoices.ecosystem.disclosure.algebra import holders

__all__ = ["hypercubes", "PARTNERS"]

# Partner lines tried per cell and period: those sharing the narrowest figures with it.
PARTNERS = 12

Cell = Hashable
Pattern = dict  # cell -> +1 / -1


def hypercubes(
    parts: Mapping[Hashable, tuple],
    hidden: set,
    protect: Iterable[Hashable],
    loss: Mapping[Hashable, float],
    order: Iterable[Cell] = (),
) -> set:
    """``hidden`` and the complements that give each figure of ``protect`` a pattern.

    Parameters
    ----------
    parts : mapping
        Figure key -> the cells it sums (distinct figures).
    hidden : set
        Figures hidden already (kept hidden).
    protect : iterable
        The hidden figures to protect (their patterns are chosen in this order).
    loss : mapping
        What hiding each figure loses; ``inf`` for one never hidden as a complement
        (a zero: a pattern over it is not allowed).
    order : iterable
        The cells, those to try first for a total's pattern first (small ones).

    Examples
    --------
    Two edges, two periods, with each edge's total and each period's total: the small
    cell's rectangle hides the other three cells and no total.

    >>> P = {("c", *k): (k,) for k in [("a", "Q1"), ("a", "Q2"), ("b", "Q1"), ("b", "Q2")]}
    >>> P |= {("e", l): ((l, "Q1"), (l, "Q2")) for l in "ab"}
    >>> P |= {("p", q): (("a", q), ("b", q)) for q in ("Q1", "Q2")}
    >>> loss = {k: 10.0 if k[0] == "c" else 100.0 for k in P}   # totals dearer than cells
    >>> sorted(hypercubes(P, {("c", "a", "Q1")}, [("c", "a", "Q1")], loss))
    [('c', 'a', 'Q1'), ('c', 'a', 'Q2'), ('c', 'b', 'Q1'), ('c', 'b', 'Q2')]
    """
    hidden = set(hidden)
    holding = holders(parts)
    by_line: dict[Hashable, dict] = defaultdict(dict)
    for c in holding:
        line, period = _split(c)
        if period is not None:
            by_line[line][period] = c
    rank = {c: i for i, c in enumerate(order)}
    patterns: list[Pattern] = []
    moved: dict[Cell, list[int]] = defaultdict(list)  # cell -> the patterns that move it

    def free(inside: frozenset) -> bool:
        # Some pattern taken already changes h's sum: h is safe.
        seen = {i for c in inside for i in moved.get(c, ())}
        return any(_dot(patterns[i], inside) for i in seen)

    for h in protect:
        inside = frozenset(parts[h])
        if free(inside):
            continue
        cells = sorted(parts[h], key=lambda c: (rank.get(c, len(rank)), repr(c)))
        # A total's patterns are tried through its smallest cells only (a bound on the work);
        # the cell alone is always among them, so every figure gets one. Ties: the first.
        options = (
            (_price(d, holding, hidden, loss), d)
            for c in cells[:4]
            for d in _candidates(c, holding, parts, by_line)
            if _dot(d, inside)
        )
        (_, more), d = min(options, key=lambda o: o[0][0])
        hidden.update(more)
        i = len(patterns)
        patterns.append(d)
        for c in d:
            moved[c].append(i)
    return hidden


def _split(c: Cell) -> tuple[Hashable, Hashable | None]:
    """A cell's line and period: ``(*line, period)``; other cells have no period."""
    if isinstance(c, tuple) and len(c) > 1:
        return c[:-1], c[-1]
    return c, None


def _candidates(
    c: Cell,
    holding: Mapping[Cell, list],
    parts: Mapping[Hashable, tuple],
    by_line: Mapping[Hashable, dict],
) -> Iterable[Pattern]:
    """Patterns through cell ``c``: rectangles, sides, and the cell alone (last)."""
    line, period = _split(c)
    yield {c: 1}
    if period is None:
        return
    periods = by_line[line]
    # Partner lines: the other lines in the narrowest figures over c, in c's period.
    partners: list = []
    for k in sorted(holding[c], key=lambda k: (len(parts[k]), repr(k))):
        for x in parts[k]:
            other, q = _split(x)
            if q == period and other != line and other not in partners:
                partners.append(other)
        if len(partners) >= PARTNERS:
            break
    for p2, c2 in periods.items():
        if p2 != period:
            yield {c: 1, c2: -1}
    for other in partners[:PARTNERS]:
        row = by_line[other]
        c3 = row[period]
        yield {c: 1, c3: -1}
        for p2, c2 in periods.items():
            c4 = row.get(p2)
            if p2 != period and c4 is not None:
                yield {c: 1, c2: -1, c3: -1, c4: 1}


def _price(
    d: Pattern, holding: Mapping[Cell, list], hidden: set, loss: Mapping[Hashable, float]
) -> tuple[float, list]:
    """What pattern ``d`` loses: the figures not yet hidden whose sum of ``d`` is not zero."""
    sums: dict[Hashable, int] = defaultdict(int)
    for c, v in d.items():
        for k in holding[c]:
            if k not in hidden:
                sums[k] += v
    more = [k for k, s in sums.items() if s]
    return sum(loss[k] for k in more), more


def _dot(d: Pattern, inside: frozenset) -> int:
    """The change pattern ``d`` makes to the sum of the cells ``inside``."""
    return sum(v for c, v in d.items() if c in inside)
