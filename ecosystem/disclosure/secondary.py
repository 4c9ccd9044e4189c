"""Secondary (complementary) suppression: hide more figures until no hidden one is determined.

The primary rule hides figures of 1-4. Published totals can give them back by
subtraction, so more figures are hidden (*complements*) until, by linear algebra
(:func:`~gridvoices.ecosystem.disclosure.algebra.exposed_figures`), no
primary-hidden figure is a combination of visible ones. The search runs backwards,
which needs only an incremental elimination: every figure that could be a
complement starts hidden (nothing can then be worked out), and each is given back,
the dearest to lose first (its value + 1, times the places it is shown, times its
weight), unless showing it would determine a hidden one (:func:`give_back`). So a
large total is shown and small cells are hidden around it, as sdcTable's and
tau-ARGUS's quick methods choose; what is left hidden is minimal (no complement can
be shown on its own). Zeros are never complements (an empty cell is known to be empty).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from gridvoices.ecosystem.disclosure.algebra import PRIME, Basis, exposed_figures
from gridvoices.ecosystem.disclosure.closed import (
    closed_size,
    closed_tables,
    protect_by_closed_tables,
)
from gridvoices.ecosystem.disclosure.hypercube import hypercubes
from gridvoices.ecosystem.disclosure.model import Figure, primary
from gridvoices.ecosystem.disclosure.subtables import protect_by_subtables

__all__ = [
    "Protection",
    "protect",
    "method",
    "cost",
    "give_back",
    "SEARCH_LIMIT",
    "SUBTABLE_LIMIT",
]

# The search's work grows faster than cells x distinct figures: cells known alone are taken
# out of every row, but the rows of hidden cells still fill in. Measured CPU (2026-12-05, load
# 3-4 on 2 cores): shipped data, 644 referral cells (803 with accepted) x 4,133 figures, 1.6 s
# (5 s before); generated 60/700, 1,081 x 4,039, 5.3 s; generated 80/1000, 1,537 x 5,786,
# ~30 s (72 s before); 120/2500, 3,840 x 11,707, not finished in 4.5 CPU minutes. Above this
# product the figures are protected by closed period-pair sub-tables when each is within it
# (gridvoices.ecosystem.disclosure.closed; 120/2500: two of ~1,250 x 3,500, ~40 CPU s), else
# by the HITAS-like sub-tables, each searched whole, and the whole then checked and repaired
# (gridvoices.ecosystem.disclosure.subtables).
SEARCH_LIMIT = 10_000_000
# Above this product (and with closed sub-tables too wide to search) no search runs: hypercubes
# (gridvoices.ecosystem.disclosure.hypercube), or the coarse rule where that loses less. At 300
# services / 8,000 flows (12,265 x 32,661, 400M; period pairs of ~4,000 x 11,000) the HITAS
# sub-tables spent 78 CPU s and their repair could not finish within REPAIR_LIMIT, ending where
# coarse ends; hypercubes take a few CPU s and hide 82 % of the totals (coarse: 92.5 %).
SUBTABLE_LIMIT = 100_000_000


@dataclass(frozen=True)
class Protection:
    """Which figures are hidden, and why.

    ``primary``: hidden because they are 1-4; ``secondary``: complements added so
    that no primary one can be worked out; ``hidden``: both.
    """

    primary: frozenset
    secondary: frozenset
    exposed_before: int = 0
    unprotectable: frozenset = field(default_factory=frozenset)

    @property
    def hidden(self) -> frozenset:
        return self.primary | self.secondary

    def as_dict(self) -> dict:
        """The ``disclosure`` block of a JSON answer."""
        return {
            "rule": "counts of 1-4 hidden; further figures hidden so none can be worked out",
            "primary_hidden": len(self.primary),
            "secondary_hidden": len(self.secondary),
            "exposed_before_secondary": self.exposed_before,
        }


def cost(f: Figure) -> float:
    """What hiding ``f`` loses: its value plus one figure, twice over for a single cell; a zero
    is never a complement.

    A hidden cell also leaves every sum over it that no output lists as a figure
    (a total for some other choice of periods) shown only as its visible part ``+ *``;
    a hidden total loses that one number.

    Examples
    --------
    >>> cost(Figure("a", ("a",), 7)), cost(Figure("t", ("a", "b"), 7)), cost(Figure("z", ("z",), 0))
    (16, 8, inf)
    """
    if f.value <= 0:
        return float("inf")
    return (f.value + 1) * (2 if len(f.cells) == 1 else 1)


def protect(figures: Iterable[Figure], hidden: Iterable[Hashable] | None = None) -> Protection:
    """Primary suppression, then complements until no primary-hidden figure is determined.

    Parameters
    ----------
    figures : iterable of Figure
        Everything the outputs publish, with true values.
    hidden : iterable of keys, optional
        The primary-hidden figures (default: :func:`primary`).

    Returns
    -------
    Protection

    Notes
    -----
    The search reduces integers modulo a 61-bit prime, exact and much faster than
    fractions. It can only be wrong if the prime divides a minor of the published
    equations: a rank mod p is never above the rational one, so a combination that
    exists over the rationals could be missed and a figure shown that gives a hidden
    one away (the chance is about (number of cells) / 2**61). Two guards: the result
    is checked once with rational arithmetic before it is returned
    (:func:`~gridvoices.ecosystem.disclosure.algebra.exposed_figures` with
    ``exact=True``), and should that find anything the coarse protection (every
    total over a hidden cell hidden) is returned instead; and the audit
    (:func:`~gridvoices.ecosystem.disclosure.audit_figures`), also rational, which
    ``gridvoices audit`` and the test suite run on every number the outputs show.
    Above :data:`SEARCH_LIMIT` (cells x distinct figures) the figures are split into
    closed period-pair sub-tables, each searched exactly and safe in the whole by
    construction (:func:`~gridvoices.ecosystem.disclosure.closed.protect_by_closed_tables`),
    when each is within the limit; else into sub-tables, each searched exactly, and the whole
    is checked and repaired
    (:func:`~gridvoices.ecosystem.disclosure.subtables.protect_by_subtables`); above
    :data:`SUBTABLE_LIMIT`, a pattern of cells per hidden figure
    (:func:`~gridvoices.ecosystem.disclosure.hypercube.hypercubes`) or the coarse protection,
    whichever loses less (:func:`method` says which). The same rational check guards each.

    Examples
    --------
    A 2 x 2 table with row and column totals: one hidden cell needs more hidden
    figures (the cells that close the rectangle, or the margins):

    >>> F = [Figure(k, (k,), v) for k, v in {"a": 3, "b": 9, "c": 8, "d": 20}.items()]
    >>> F += [Figure("r1", ("a", "b"), 12), Figure("r2", ("c", "d"), 28),
    ...       Figure("c1", ("a", "c"), 11), Figure("c2", ("b", "d"), 29)]
    >>> p = protect(F)
    >>> sorted(p.primary), len(p.secondary) >= 2
    (['a'], True)
    """
    figures = list(figures)
    by_cells: dict[frozenset, list[Figure]] = defaultdict(list)
    for f in figures:
        by_cells[f.cells].append(f)
    # One representative per set of cells: the same number is shown or hidden everywhere.
    rep = {cells: fs[0] for cells, fs in by_cells.items()}
    first = {f.key: rep[f.cells].key for f in figures}
    prim = {first[k] for k in (primary(figures) if hidden is None else hidden) if k in first}
    figure = {f.key: f for f in rep.values()}
    parts = {k: f.parts for k, f in figure.items()}
    cells = {c for f in figure.values() for c in f.parts}
    # A number shown in several places (an edge's only cell, its total, its ends' volumes)
    # is lost in each of them when hidden.
    loss = {
        f.key: cost(f) * max(g.weight for g in by_cells[f.cells]) * len(by_cells[f.cells])
        for f in rep.values()
    }
    # Smallest cells first: they are the ones left hidden, so wide rows pivot on them.
    own = {f.parts[0]: f.value for f in figure.values() if len(f.parts) == 1}
    small_first = sorted(cells, key=lambda c: (own.get(c, float("inf")), repr(c)))
    how = _method(parts, len(cells) * len(figure))
    before = 0  # above the search limit a check of its own would cost too much: left at 0
    if how == "closed":
        # Period pairs, each closed (every figure over its cells cut down to them): each
        # searched whole, exactly, and safe in the whole by construction.
        added = protect_by_closed_tables(parts, prim, loss, give_back, small_first)
    elif how == "sub-tables":
        # Sub-tables too wide to close: each searched, then the whole checked and repaired.
        added = protect_by_subtables(parts, prim, loss, give_back, small_first)
    elif how == "hypercubes":
        # No search at all: a pattern of cells per hidden figure, or the coarse rule where
        # that loses less (both safe; ties go to the coarse rule).
        order = sorted(prim, key=lambda k: (len(parts[k]), repr(k)))
        added = hypercubes(parts, prim, order, loss, small_first) - prim
        coarse = _coarse(prim, figure)
        if sum(loss[k] for k in coarse) <= sum(loss[k] for k in added):
            added = coarse
    else:  # "exact"
        before = len(exposed_figures(parts, prim, prim, exact=False))
        order = sorted(
            (k for k in parts if k not in prim and loss[k] < float("inf")),
            key=lambda k: (-loss[k], repr(k)),
        )
        shown = give_back(parts, prim | set(order), prim, order, small_first)
        added = set(order) - set(shown)
    if exposed_figures(parts, prim | added, prim, exact=True):
        # The search's prime divided a minor of the equations (odds ~ cells / 2**61): only
        # the exact, rational check decides, so fall back to the coarse, safe protection.
        return _margins(by_cells, prim, figure)
    keys_of = {f.key: [g.key for g in by_cells[f.cells]] for f in rep.values()}

    def expand(ks) -> frozenset:
        return frozenset(k for r in ks for k in keys_of[r])

    return Protection(primary=expand(prim), secondary=expand(added), exposed_before=before)


def method(figures: Iterable[Figure]) -> str:
    """How :func:`protect` protects ``figures``: ``"exact"`` (one search of the whole),
    ``"closed"`` (closed period-pair sub-tables), ``"sub-tables"`` (sub-tables, then the
    whole checked and repaired) or ``"hypercubes"`` (a pattern per hidden figure).

    Examples
    --------
    >>> method([Figure("a", ("a",), 3), Figure("t", ("a", "b"), 9)])
    'exact'
    """
    parts = {f.cells: f.parts for f in figures}
    cells = {c for p in parts.values() for c in p}
    return _method(parts, len(cells) * len(parts))


def _method(parts: Mapping, size: int) -> str:
    if size <= SEARCH_LIMIT:
        return "exact"
    # Closed sub-tables only when each is small enough to search whole (cells with no
    # periods make one table of everything: then they are no help).
    if closed_size(parts, closed_tables(parts)) <= SEARCH_LIMIT:
        return "closed"
    return "sub-tables" if size <= SUBTABLE_LIMIT else "hypercubes"


def give_back(
    parts: Mapping, hidden: set, check: set, candidates: list, cells: Iterable = ()
) -> list:
    """The ``candidates`` (hidden figures, in order) that can be shown again, one after another,
    without any figure of ``check`` becoming determined.

    One incremental elimination: the visible figures' rows are reduced once, then
    each candidate is one reduction and, when shown, one more basis row (rows are
    only ever added, never re-derived). With ``R_h`` the part of hidden figure ``h``
    the visible ones leave undetermined, and ``r`` the candidate's, showing the
    candidate determines ``h`` exactly when ``R_h`` is a multiple of ``r``; a
    candidate already determined (``r = 0``) costs nothing. Arithmetic is modulo a
    61-bit prime (see :func:`protect` on an unlucky one).

    Examples
    --------
    >>> parts = {"a": "a", "b": "b", "t": "ab"}
    >>> give_back(parts, {"a", "b"}, {"a"}, ["b"])    # b shown with t gives a away
    []
    >>> give_back(parts, {"a", "b", "t"}, {"a"}, ["t", "b"])  # t alone keeps a hidden
    ['t']
    """
    # A basis row's pivot is its least column. ``cells`` first (the small, hidden ones) keeps
    # the wide totals pivoting on cells that are never shown; a shown cell then adds a row of
    # its own instead of turning a total into a new wide row, which made the work cubic.
    index: dict = {c: i for i, c in enumerate(cells)}

    def row(k) -> dict:
        return {index.setdefault(c, len(index)): 1 for c in parts[k]}

    basis = Basis(modulus=PRIME)
    for k in sorted((k for k in parts if k not in hidden), key=lambda k: (len(parts[k]), repr(k))):
        basis.add(row(k))
    rest = {h: basis.reduce(row(h)) for h in check}
    if not all(rest.values()):
        return []  # something is exposed already: nothing can be given back
    # Which hidden figures hold each column, and how many share each direction: showing a
    # candidate changes only the figures holding its pivot, not all of them. A direction is
    # kept as a fingerprint updated in place, so an update costs the candidate's width only.
    fingerprint = _Fingerprint()
    holders: dict[int, set] = defaultdict(set)
    seen: Counter = Counter()
    prints = {}
    for h, x in rest.items():
        for c in x:
            holders[c].add(h)
        prints[h] = fingerprint.of(x)
        seen[_direction(prints[h])] += 1
    out = []
    for k in candidates:
        r = basis.reduce(row(k))
        if not r:
            out.append(k)  # determined already: showing it adds no equation
            continue
        pr = fingerprint.of(r)
        if seen[_direction(pr)]:
            continue  # showing k would pin down a hidden figure
        out.append(k)
        basis.add(r)
        p = min(r)
        inv = pow(r[p], -1, PRIME)
        for h in list(holders.get(p, ())):
            x = rest[h]
            f = x[p] * inv % PRIME
            seen[_direction(prints[h])] -= 1
            for c, v in r.items():
                w = (x.get(c, 0) - f * v) % PRIME
                if w:
                    if c not in x:
                        holders[c].add(h)
                    x[c] = w
                elif c in x:
                    del x[c]
                    holders[c].discard(h)
            a, b = prints[h]
            prints[h] = ((a - f * pr[0]) % PRIME, (b - f * pr[1]) % PRIME)
            seen[_direction(prints[h])] += 1
    return out


class _Fingerprint:
    """Two random linear forms of a row, mod the prime: rows that are multiples of each other
    have the same ratio of the two.

    Rows that are not multiples share a ratio with odds about 1 / 2**61; a candidate is then
    left hidden for nothing, never shown wrongly.
    """

    def __init__(self) -> None:
        self._rng = random.Random(61)
        self._z: dict[int, tuple[int, int]] = {}

    def _weights(self, c: int) -> tuple[int, int]:
        z = self._z.get(c)
        if z is None:
            z = self._z[c] = (self._rng.randrange(1, PRIME), self._rng.randrange(1, PRIME))
        return z

    def of(self, r: Mapping[int, int]) -> tuple[int, int]:
        a = b = 0
        for c, v in r.items():
            za, zb = self._weights(c)
            a += v * za
            b += v * zb
        return a % PRIME, b % PRIME


def _direction(pr: tuple[int, int]) -> int:
    """The same for rows that are multiples of each other (their fingerprints' ratio)."""
    a, b = pr
    return a * pow(b, -1, PRIME) % PRIME if b else -1


def _coarse(prim: set, figure: dict) -> set:
    """Every figure of several cells that holds a cell of a primary-hidden figure.

    The visible figures then sum visible cells only, so no equation reaches a hidden one.
    """
    secret = {c for k in prim for c in figure[k].parts}
    return {k for k, f in figure.items() if k not in prim and len(f.parts) > 1 and secret & f.cells}


def _margins(by_cells: dict, prim: set, figure: dict) -> Protection:
    """The coarse protection (:func:`_coarse`) as a :class:`Protection`."""
    added = _coarse(prim, figure)
    keys = {f.key: [g.key for g in by_cells[f.cells]] for f in figure.values()}
    return Protection(
        primary=frozenset(k for r in prim for k in keys[r]),
        secondary=frozenset(k for r in added for k in keys[r]),
    )
