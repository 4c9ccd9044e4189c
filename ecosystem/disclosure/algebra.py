"""Exact linear algebra over published figures: which hidden figures are determined.

A run publishes *figures*; each is the sum of some *cells* (the atoms: the
referrals along one link in one period). A visible figure is an equation
``sum(cells) = value``. A hidden figure is *exposed* when its cell vector lies in
the row space of the visible figures' vectors: some combination of published
numbers then equals it exactly. The test is exact: rows are reduced with
:class:`fractions.Fraction` arithmetic (no rounding), one connected block of
cells at a time, so a few thousand cells take well under a second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from fractions import Fraction

__all__ = ["Basis", "exposed_figures", "blocks"]

Row = dict[int, Fraction]


class Basis:
    """An echelon basis of sparse rows over cell indices; each row's pivot is its least index.

    Examples
    --------
    >>> b = Basis()
    >>> b.add({0: 1, 1: 1}), b.add({1: 1})       # a + b and b published
    (True, True)
    >>> b.spans({0: 1}), b.spans({2: 1})          # so a is determined, c is not
    (True, False)
    """

    def __init__(self) -> None:
        self.rows: dict[int, Row] = {}

    def reduce(self, row: Mapping[int, int | Fraction]) -> Row:
        """``row`` minus the combination of basis rows that cancels every pivot it can."""
        r: Row = {k: Fraction(v) for k, v in row.items() if v}
        done: Row = {}
        while r:
            p = min(r)
            pivot = self.rows.get(p)
            if pivot is None:
                # Not a pivot: it stays, and no later pivot (all > p) can touch it.
                done[p] = r.pop(p)
                continue
            f = r[p]
            for k, v in pivot.items():
                x = r.get(k, 0) - f * v
                if x:
                    r[k] = x
                else:
                    r.pop(k, None)
        return done

    def add(self, row: Mapping[int, int | Fraction]) -> bool:
        """Add ``row``; False when it was already in the span."""
        r = self.reduce(row)
        if not r:
            return False
        p = min(r)
        f = r[p]
        self.rows[p] = {k: v / f for k, v in r.items()}
        return True

    def spans(self, row: Mapping[int, int | Fraction]) -> bool:
        """Whether ``row`` is a combination of the basis rows."""
        return not self.reduce(row)


def blocks(supports: Iterable[Iterable[int]]) -> dict[int, int]:
    """Cell index -> block id: cells joined when some support holds both (union-find)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s in supports:
        s = list(s)
        if not s:
            continue
        a = find(s[0])
        for x in s[1:]:
            b = find(x)
            if a != b:
                parent[b] = a
    return {x: find(x) for x in parent}


def exposed_figures(
    parts: Mapping[Hashable, tuple[Hashable, ...]],
    hidden: Iterable[Hashable],
    check: Iterable[Hashable] | None = None,
) -> list[Hashable]:
    """The figures in ``check`` (default: every hidden one) that the visible ones determine.

    Parameters
    ----------
    parts : mapping
        Figure key -> the cells it sums (each cell once).
    hidden : iterable
        Keys of the figures not published.
    check : iterable, optional
        The hidden figures to test (e.g. only those hidden by the primary rule).

    Examples
    --------
    A total of two cells, one of them hidden, gives the hidden one away:

    >>> exposed_figures({"a": ("a",), "b": ("b",), "T": ("a", "b")}, {"b"})
    ['b']
    >>> exposed_figures({"a": ("a",), "b": ("b",), "T": ("a", "b")}, {"a", "b"})
    []
    """
    hidden = set(hidden)
    check = [h for h in (hidden if check is None else check) if h in hidden]
    index: dict[Hashable, int] = {}
    for key in sorted(parts, key=repr):
        for c in parts[key]:
            index.setdefault(c, len(index))
    visible = [k for k in parts if k not in hidden]
    # Cells published on their own are known: take them out before eliminating.
    known = {index[parts[k][0]] for k in visible if len(parts[k]) == 1}
    rows = []
    for k in visible:
        r = [index[c] for c in parts[k] if index[c] not in known]
        if r:
            rows.append(r)
    block_of = blocks(rows)
    by_block: dict[int, list[list[int]]] = defaultdict(list)
    for r in rows:
        by_block[block_of[r[0]]].append(r)
    bases: dict[int, Basis] = {}
    out = []
    for h in sorted(check, key=repr):
        cells = [index[c] for c in parts[h] if index[c] not in known]
        if not cells:
            out.append(h)
            continue
        if any(c not in block_of for c in cells):
            continue  # a cell no visible figure mentions: free, so h is too
        pieces: dict[int, Row] = defaultdict(dict)
        for c in cells:
            pieces[block_of[c]][c] = Fraction(1)
        if all(_basis(bases, by_block, b).spans(row) for b, row in pieces.items()):
            out.append(h)
    return out


def _basis(bases: dict[int, Basis], by_block: dict[int, list[list[int]]], b: int) -> Basis:
    if b not in bases:
        basis = bases[b] = Basis()
        for r in by_block[b]:
            basis.add(dict.fromkeys(r, 1))
    return bases[b]
