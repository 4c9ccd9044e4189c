"""Exact linear algebra over published figures: which hidden figures are determined.

A run publishes *figures*; each is the sum of some *cells* (the atoms: the
referrals along one link in one period). A visible figure is an equation
``sum(cells) = value``. A hidden figure is *exposed* when its cell vector lies in
the row space of the visible figures' vectors: some combination of published
numbers then equals it exactly. The test is exact: rows are reduced fraction-free
with Python integers (no rounding; :class:`fractions.Fraction` when a certificate
is asked for), one connected block of cells at a time, so a few thousand cells
take well under a second.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from fractions import Fraction

__all__ = ["Basis", "exposed_figures", "blocks", "holders", "peel", "PRIME"]

Row = dict[int, Fraction]


class Basis:
    """An echelon basis of sparse rows over cell indices; each row's pivot is its least index.

    With ``track``, each row remembers which added rows (by label) it combines, so
    :meth:`certificate` names the published figures that determine a hidden one.

    Examples
    --------
    >>> b = Basis(track=True)
    >>> b.add({0: 1, 1: 1}, "a+b"), b.add({1: 1}, "b")       # a + b and b published
    (True, True)
    >>> b.spans({0: 1}), b.spans({2: 1})                      # so a is determined, c is not
    (True, False)
    >>> sorted(b.certificate({0: 1}).items())
    [('a+b', Fraction(1, 1)), ('b', Fraction(-1, 1))]
    """

    def __init__(self, *, track: bool = False, modulus: int | None = None) -> None:
        self.rows: dict[int, Row] = {}
        self.track = track
        self.prov: dict[int, dict] = {}
        # Integers modulo a large prime are exact and much faster than fractions; a rank
        # differs from the rational one only if the prime divides a minor (odds ~ 1e-18).
        self.mod = modulus
        self.known: set[int] = set()
        self._holding: dict[int, set[int]] = defaultdict(set)

    def _num(self, v):
        return v % self.mod if self.mod else Fraction(v)

    def _div(self, a, b):
        return a * pow(b, -1, self.mod) % self.mod if self.mod else a / b

    def _reduce(self, row: Mapping[int, int | Fraction]) -> tuple[Row, dict]:
        m = self.mod
        r: Row = {k: self._num(v) for k, v in row.items() if self._num(v)}
        done: Row = {}
        comb: dict = {}
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
                if m:
                    x %= m
                if x:
                    r[k] = x
                else:
                    r.pop(k, None)
            if self.track:
                for label, c in self.prov[p].items():
                    x = comb.get(label, 0) + f * c
                    if m:
                        x %= m
                    if x:
                        comb[label] = x
                    else:
                        comb.pop(label, None)
        return done, comb

    def _reduce_plain(self, row: Mapping[int, int | Fraction]) -> Row:
        # Without ``track``: modulo the prime, or exact with integers only (r <- a*r - b*pivot
        # keeps r an integer multiple of its rational reduction; dividing by the gcd keeps the
        # integers small; Fraction normalised after every operation, several times the work).
        # Known cells are left out: their unit rows are in the basis.
        m = self.mod
        known = self.known
        r = {k: v for k, v in row.items() if v and k not in known}
        if m:
            r = {k: v % m for k, v in r.items() if v % m}
        elif any(type(v) is not int for v in r.values()):
            # A rational row: a multiple of it spans the same line.
            d = math.lcm(*(Fraction(v).denominator for v in r.values()))
            r = {k: int(Fraction(v) * d) for k, v in r.items()}
        heap = list(r)
        heapq.heapify(heap)
        rows = self.rows
        while heap:
            p = heapq.heappop(heap)
            b = r.get(p)
            pivot = rows.get(p)
            if not b or pivot is None:
                continue  # cancelled, or not a pivot: it stays, and no later pivot touches it
            if not m:
                # Exact: scale the row so the pivot's multiple stays a whole number.
                a = pivot[p]
                g = math.gcd(a, b)
                a, b = a // g, b // g
                if a != 1:
                    for k in r:
                        r[k] *= a
            for k, v in pivot.items():
                x = r.get(k, 0) - b * v
                if m:
                    x %= m
                if x:
                    if k not in r:
                        heapq.heappush(heap, k)
                    r[k] = x
                else:
                    r.pop(k, None)
            g = 1 if m or not r else math.gcd(*r.values())
            if g > 1:
                r = {k: v // g for k, v in r.items()}
        return r

    def _add_plain(self, r: Row) -> None:
        p = min(r)
        if len(r) == 1:
            self._learn(p)
            return
        if self.mod:
            inv = pow(r[p], -1, self.mod)
            r = {k: v * inv % self.mod for k, v in r.items()}
        self.rows[p] = r
        for k in r:
            self._holding[k].add(p)

    def _learn(self, c: int) -> None:
        # A unit row: cell c is known. Taking it out of every row that holds it keeps rows
        # from carrying known cells through each later reduction (the fill that made the
        # search grow as cells cubed); a row left with its pivot alone makes that cell known.
        queue = [c]
        while queue:
            c = queue.pop()
            self.known.add(c)
            self.rows[c] = {c: 1}
            for q in self._holding.pop(c, ()):
                row = self.rows.get(q)
                if q == c or row is None or c not in row:
                    continue
                del row[c]
                if len(row) == 1:
                    queue.append(q)

    def reduce(self, row: Mapping[int, int | Fraction]) -> Row:
        """``row`` minus the combination of basis rows that cancels every pivot it can.

        Without ``track``, cells known alone are left out and, exact, it is a nonzero
        integer multiple of that.
        """
        if not self.track:
            return self._reduce_plain(row)
        return self._reduce(row)[0]

    def add(self, row: Mapping[int, int | Fraction], label: Hashable = None) -> bool:
        """Add ``row`` (named ``label`` when tracking); False when it was already in the span."""
        if not self.track:
            r = self._reduce_plain(row)
            if r:
                self._add_plain(r)
            return bool(r)
        r, comb = self._reduce(row)
        if not r:
            return False
        p = min(r)
        f = r[p]
        self.rows[p] = {k: self._div(v, f) for k, v in r.items()}
        if self.track:
            prov = {k: self._div(-c, f) for k, c in comb.items()}
            prov[label] = prov.get(label, 0) + self._div(self._num(1), f)
            if self.mod:
                prov = {k: c % self.mod for k, c in prov.items()}
            self.prov[p] = {k: c for k, c in prov.items() if c}
        return True

    def spans(self, row: Mapping[int, int | Fraction]) -> bool:
        """Whether ``row`` is a combination of the basis rows."""
        return not self.reduce(row)

    def certificate(self, row: Mapping[int, int | Fraction]) -> dict | None:
        """The added rows (label -> coefficient) whose combination is ``row``, or None."""
        r, comb = self._reduce(row)
        return None if r else comb


def holders(parts: Mapping[Hashable, Iterable[Hashable]]) -> dict[Hashable, list]:
    """The figures over each cell: cell -> keys of ``parts`` holding it, in ``parts``' order
    (a cell no figure holds gives an empty list).

    Examples
    --------
    >>> h = holders({"t": ("a", "b"), "a": ("a",)})
    >>> h["a"], h["b"], h["z"]
    (['t', 'a'], ['t'], [])
    """
    out: dict[Hashable, list] = defaultdict(list)
    for k, cs in parts.items():
        for c in cs:
            out[c].append(k)
    return out


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


PRIME = 2**61 - 1


def peel(
    parts: Mapping[Hashable, Iterable[Hashable]], visible: Iterable[Hashable]
) -> tuple[dict, list[tuple[Hashable, set]]]:
    """Cells the visible figures fix one at a time, and the relations left over.

    A visible figure with one unknown cell fixes it; repeated until none does.
    Returns ``known`` (cell -> the figure that fixed it) and the remaining
    ``(figure, unknown cells)`` with two or more unknowns.

    Examples
    --------
    >>> known, rest = peel({"a": "a", "t": "ab", "u": "bcd"}, ["a", "t", "u"])
    >>> sorted(known.items()), [(k, sorted(r)) for k, r in rest]
    ([('a', 'a'), ('b', 't')], [('u', ['c', 'd'])])
    """
    rows = {k: set(parts[k]) for k in visible}
    rows = {k: r for k, r in rows.items() if r}
    holding = holders(rows)
    known: dict = {}
    queue = [k for k, r in rows.items() if len(r) == 1]
    while queue:
        k = queue.pop()
        r = rows.get(k)
        if not r or len(r) != 1:
            continue
        (c,) = r
        known[c] = k
        for j in holding[c]:
            rj = rows.get(j)
            if rj is not None and c in rj:
                rj.discard(c)
                if len(rj) == 1:
                    queue.append(j)
    return known, [(k, r) for k, r in rows.items() if len(r) >= 2]


def exposed_figures(
    parts: Mapping[Hashable, tuple[Hashable, ...]],
    hidden: Iterable[Hashable],
    check: Iterable[Hashable] | None = None,
    *,
    exact: bool = True,
) -> list[Hashable]:
    """The figures in ``check`` (default: every hidden one) that the visible ones determine.

    Cells fixed one at a time are found by :func:`peel`; what is left is tested
    by elimination, one block of linked cells at a time, with fractions
    (``exact``) or integers modulo a 61-bit prime.

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
    known, rest = peel(parts, [k for k in parts if k not in hidden])
    index: dict[Hashable, int] = {}
    rows = []
    for _, r in rest:
        rows.append([index.setdefault(c, len(index)) for c in sorted(r, key=repr)])
    block_of = blocks(rows)
    by_block: dict[int, list[list[int]]] = defaultdict(list)
    for r in rows:
        by_block[block_of[r[0]]].append(r)
    bases: dict[int, Basis] = {}
    out = []
    for h in sorted(check, key=repr):
        cells = [c for c in parts[h] if c not in known]
        if not cells:
            out.append(h)
            continue
        if any(c not in index for c in cells):
            continue  # a cell no visible figure pins down: free, so h is too
        pieces: dict[int, Row] = defaultdict(dict)
        for c in cells:
            pieces[block_of[index[c]]][index[c]] = 1
        if all(_basis(bases, by_block, b, exact).spans(row) for b, row in pieces.items()):
            out.append(h)
    return out


def _basis(bases: dict, by_block: dict[int, list[list[int]]], b: int, exact: bool) -> Basis:
    if b not in bases:
        basis = bases[b] = Basis(modulus=None if exact else PRIME)
        for r in by_block[b]:
            basis.add(dict.fromkeys(r, 1))
    return bases[b]
