"""Secondary (complementary) suppression: hide more figures until no hidden one is determined.

The primary rule hides figures of 1-4. Published totals can give them back by
subtraction, so more figures are hidden (*complements*) until, by exact linear
algebra (:func:`~gridvoices.ecosystem.disclosure.algebra.exposed_figures`), no
primary-hidden figure is a combination of visible ones. Complements are chosen
greedily, as sdcTable's and tau-ARGUS's quick methods do: for each exposed figure,
the visible figure of least cost (its value + 1, so small values and few figures
lose least, times the places it is shown) among those that give it away. A total
(margin) is a candidate like any cell, so a margin is hidden when that loses less
than hiding more cells. Zeros are never complements (an empty cell is known to be
empty). Each round repairs every exposed figure whose certificate (the published
figures that give it away) this round has not already broken; a last pass gives
back every complement not needed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from gridvoices.ecosystem.disclosure.algebra import PRIME, Basis, exposed_figures, peel
from gridvoices.ecosystem.disclosure.model import Figure, primary

__all__ = ["Protection", "protect", "cost", "give_back", "GREEDY_LIMIT"]

# Above this many distinct figures the greedy search takes minutes: every total that sums
# a primary-hidden cell is hidden instead (totals of shown parts), which is safe and fast.
GREEDY_LIMIT = 4000


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
    """What hiding ``f`` loses: its value plus one figure; a zero is never a complement.

    Examples
    --------
    >>> cost(Figure("a", ("a",), 7)), cost(Figure("z", ("z",), 0))
    (8, inf)
    """
    return f.value + 1 if f.value > 0 else float("inf")


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

    Examples
    --------
    A 2 x 2 table with row and column totals: one hidden cell needs three more
    hidden cells (the cheapest: its row, its column and the cell that closes the
    rectangle), or the margins:

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
    # A number shown in several places (an edge's only cell, its total, its ends' volumes)
    # is lost in each of them when hidden.
    loss = {f.key: cost(f) * len(by_cells[f.cells]) for f in rep.values()}
    if len(figure) > GREEDY_LIMIT:
        return _margins(by_cells, prim, figure)
    hid = set(prim)
    added: set = set()
    stuck: set = set()
    before = len(exposed_figures(parts, hid, prim, exact=False))
    while True:
        known, rest = peel(parts, [k for k in parts if k not in hid])
        found = [
            (h, _peeled_options(parts[h], parts, known))
            for h in sorted(prim - stuck, key=repr)
            if all(c in known for c in parts[h])
        ]
        residual = not found
        if residual:
            found = _residual(parts, prim - stuck, known, rest)
        if not found:
            break
        picked: set = set()
        for h, options in found:
            if picked & options:
                continue  # broken by this round's pick; checked again next round
            options = [k for k in options if loss[k] < float("inf")]
            if not options:
                stuck.add(h)
                continue
            # In a long combination, prefer a figure sharing cells with h: the plainest relation.
            near = set(parts[h]) if residual else set()
            k = min(options, key=lambda k: (not near & set(parts[k]), loss[k], repr(k)))
            hid.add(k)
            added.add(k)
            picked.add(k)
    # Greedy picks can overshoot: give back every complement, dearest first, that is not needed.
    parts = {k: f.parts for k, f in figure.items()}
    order = sorted(added, key=lambda k: (-loss[k], repr(k)))
    for k in give_back(parts, hid, prim - stuck, order):
        hid.discard(k)
        added.discard(k)
    keys_of = {f.key: [g.key for g in by_cells[f.cells]] for f in rep.values()}

    def expand(ks) -> frozenset:
        return frozenset(k for r in ks for k in keys_of[r])

    return Protection(
        primary=expand(prim),
        secondary=expand(added),
        exposed_before=before or 0,
        unprotectable=expand(stuck),
    )


def give_back(parts: Mapping, hidden: set, check: set, candidates: list) -> list:
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
    index: dict = {}

    def row(k) -> dict:
        return {index.setdefault(c, len(index)): 1 for c in parts[k]}

    basis = Basis(modulus=PRIME)
    for k in sorted((k for k in parts if k not in hidden), key=lambda k: (len(parts[k]), repr(k))):
        basis.add(row(k))
    rest = {h: basis.reduce(row(h)) for h in check}
    if not all(rest.values()):
        return []  # something is exposed already: nothing can be given back
    # Which hidden figures hold each column, and how many share each direction: showing a
    # candidate changes only the figures holding its pivot, not all of them.
    holders: dict[int, set] = defaultdict(set)
    seen: Counter = Counter()
    for h, x in rest.items():
        for c in x:
            holders[c].add(h)
        seen[_direction(x)] += 1
    out = []
    for k in candidates:
        r = basis.reduce(row(k))
        if not r:
            out.append(k)  # determined already: showing it adds no equation
            continue
        if seen[_direction(r)]:
            continue  # showing k would pin down a hidden figure
        out.append(k)
        basis.add(r)
        p = min(r)
        inv = pow(r[p], -1, PRIME)
        for h in list(holders.get(p, ())):
            x = rest[h]
            f = x[p] * inv % PRIME
            y = dict(x)
            for c, v in r.items():
                w = (y.get(c, 0) - f * v) % PRIME
                if w:
                    y[c] = w
                else:
                    y.pop(c, None)
            seen[_direction(x)] -= 1
            seen[_direction(y)] += 1
            for c in x.keys() - y.keys():
                holders[c].discard(h)
            for c in y.keys() - x.keys():
                holders[c].add(h)
            rest[h] = y
    return out


def _direction(r: Mapping) -> frozenset:
    """``r`` scaled so its first coefficient is 1: equal for vectors that are multiples."""
    inv = pow(r[min(r)], -1, PRIME)
    return frozenset((c, v * inv % PRIME) for c, v in r.items())


def _peeled_options(cells, parts: Mapping, known: dict) -> set:
    """Figures whose hiding breaks how ``cells`` were fixed: the fixing figures and theirs."""
    options = set()
    for c in cells:
        row = known[c]
        options.add(row)
        options.update(known[x] for x in parts[row] if x != c and x in known)
    return options


def _residual(parts: Mapping, check: set, known: dict, rest: list) -> list:
    """Hidden figures determined only by combining several relations, with the figures used."""
    index: dict = {}
    basis = Basis(track=True, modulus=PRIME)
    for k, r in sorted(rest, key=lambda kr: (len(kr[1]), repr(kr[0]))):
        basis.add({index.setdefault(c, len(index)): 1 for c in r}, k)
    out = []
    for h in sorted(check, key=repr):
        cells = [c for c in parts[h] if c not in known]
        if any(c not in index for c in cells):
            continue
        cert = basis.certificate({index[c]: 1 for c in cells})
        if cert is not None:
            out.append((h, set(cert)))
    return out


def _margins(by_cells: dict, prim: set, figure: dict) -> Protection:
    """Hide every figure of several cells that holds a cell of a primary-hidden figure.

    The visible figures then sum visible cells only, so no equation reaches a hidden one.
    """
    secret = {c for k in prim for c in figure[k].parts}
    added = {
        k for k, f in figure.items() if k not in prim and len(f.parts) > 1 and secret & f.cells
    }
    keys = {f.key: [g.key for g in by_cells[f.cells]] for f in figure.values()}
    return Protection(
        primary=frozenset(k for r in prim for k in keys[r]),
        secondary=frozenset(k for r in added for k in keys[r]),
    )
