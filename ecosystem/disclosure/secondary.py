"""Secondary (complementary) suppression: hide more figures until no hidden one is determined.

The primary rule hides figures of 1-4. Published totals can give them back by
subtraction, so more figures are hidden (*complements*) until, by exact linear
algebra (:func:`~gridvoices.ecosystem.disclosure.algebra.exposed_figures`), no
primary-hidden figure is a combination of visible ones. Complements are chosen
greedily, as sdcTable's and tau-ARGUS's quick methods do: for each exposed figure,
the visible figure of least cost (its value + 1, so small values and few figures
lose least) whose hiding protects it; a total (margin) is a candidate like any
cell, so a margin is hidden when that loses less than hiding more cells. Zeros are
never used as complements (an empty cell is known to be empty). Exposed figures in
separate blocks of cells are repaired in the same round.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from gridvoices.ecosystem.disclosure.algebra import blocks, exposed_figures
from gridvoices.ecosystem.disclosure.model import Figure, primary

__all__ = ["Protection", "protect", "cost"]


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


def protect(
    figures: Iterable[Figure], hidden: Iterable[Hashable] | None = None
) -> Protection:
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
    prim_keys = set(primary(figures) if hidden is None else hidden)
    prim = {first[k] for k in prim_keys if k in first}
    parts = {f.key: f.parts for f in rep.values()}
    figure = {f.key: f for f in rep.values()}
    hid = set(prim)
    added: set = set()
    before = None
    stuck: set = set()
    while True:
        exposed = [h for h in exposed_figures(parts, hid, prim) if h not in stuck]
        if before is None:
            before = len(exposed)
        if not exposed:
            break
        touched: set = set()
        for h in exposed:
            region, local = _neighbourhood(h, parts, hid)
            if region & touched:
                continue  # the repair of an earlier figure this round may already cover it
            touched |= region
            pick = _complement(h, local, parts, hid, figure)
            if pick is None:
                stuck.add(h)
            else:
                hid.add(pick)
                added.add(pick)
    keys_of = {f.key: [g.key for g in by_cells[f.cells]] for f in rep.values()}
    expand = lambda ks: frozenset(k for r in ks for k in keys_of[r])  # noqa: E731
    return Protection(
        primary=expand(prim), secondary=expand(added), exposed_before=before or 0,
        unprotectable=expand(stuck),
    )


def _neighbourhood(h, parts: Mapping, hid: set) -> tuple[set, list]:
    """The cells linked to ``h`` through visible figures, and those visible figures."""
    visible = [k for k in parts if k not in hid]
    blk = blocks([parts[k] for k in visible if len(parts[k]) > 1])
    ids = {blk[c] for c in parts[h] if c in blk}
    region = set(parts[h]) | {c for c, b in blk.items() if b in ids}
    local = [k for k in visible if region & set(parts[k])]
    return region, local


def _complement(h, local: list, parts: Mapping, hid: set, figure: Mapping):
    """The cheapest visible figure whose hiding leaves ``h`` undetermined (else the cheapest)."""
    options = sorted((k for k in local if cost(figure[k]) < float("inf")),
                     key=lambda k: (cost(figure[k]), repr(k)))
    if not options:
        return None
    sub = {k: parts[k] for k in local} | {h: parts[h]}
    for k in options:
        if not exposed_figures(sub, {h, k}, [h]):
            return k
    return options[0]
