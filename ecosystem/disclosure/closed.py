"""Complementary suppression by closed sub-tables: period pairs searched whole, exactly.

A hidden figure ``h`` is safe when some change of the cells, ``d``, keeps every visible
figure's sum and changes ``h``'s. If ``d`` changes only the cells of a set ``C``, every
figure over a cell outside ``C`` sums it as it sums ``d`` restricted to ``C``: so a search
over ``C`` alone, in which *every* figure touching ``C`` takes part cut down to its cells in
``C``, finds only changes that are safe in the whole. Such a *closed* sub-table needs no
check across sub-tables, unlike those of :mod:`~gridvoices.ecosystem.disclosure.subtables`.

The cells (``(*line, period)``: an edge's referrals in one period) are cut by period, two
neighbouring periods together: a change ``+1`` in one period and ``-1`` in the other leaves
every all-periods figure as it is (an edge's total, a service's volume), so the search can
keep those visible; a sub-table of one period could not. Cells no figure links to others
(an edge's accepted counts are only ever summed with each other) form sub-tables of their
own. Each sub-table is searched whole by the backwards search
(:func:`~gridvoices.ecosystem.disclosure.secondary.give_back`), its figures cut down to it and
taken together when they cut to the same cells (one equation), and each primary figure is
protected in one of them (that of its smallest cell). The searches are independent: a figure
is shown only when every sub-table it takes part in shows it. Each sub-table then sees no
more visible equations than its search allowed, and fewer visible equations never take a
change's freedom away: each primary figure stays protected in the whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence

from gridvoices.ecosystem.disclosure.algebra import blocks, holders

__all__ = ["closed_size", "closed_tables", "protect_by_closed_tables"]

Search = Callable[[Mapping, set, set, list, Sequence], list]


def _period(c: Hashable) -> Hashable:
    return c[-1] if isinstance(c, tuple) and len(c) > 1 else None


def closed_tables(parts: Mapping[Hashable, tuple]) -> list[list[Hashable]]:
    """The cells of ``parts`` cut into closed sub-tables: linked cells, two periods at a time.

    Cells are linked when a figure sums both; each linked group is cut by period, the
    periods in order two at a time (the last three together when their number is odd).

    Examples
    --------
    >>> P = {"e": (("a", "Q1"), ("a", "Q2"), ("a", "Q3")), "f": (("x", "Q1"), ("x", "Q2"))}
    >>> closed_tables(P)
    [[('a', 'Q1'), ('a', 'Q2'), ('a', 'Q3')], [('x', 'Q1'), ('x', 'Q2')]]
    """
    index: dict[Hashable, int] = {}
    supports = [[index.setdefault(c, len(index)) for c in cs] for cs in parts.values()]
    block = blocks(supports)
    cell = {i: c for c, i in index.items()}
    groups: dict[int, list] = defaultdict(list)
    for i, b in block.items():
        groups[b].append(cell[i])
    out = []
    for cells in sorted(groups.values(), key=lambda cs: repr(min(cs, key=repr))):
        periods = sorted({_period(c) for c in cells}, key=repr)
        pairs = [periods[i : i + 2] for i in range(0, len(periods), 2)]
        if len(pairs) > 1 and len(pairs[-1]) == 1:
            last = pairs.pop()
            pairs[-1] += last
        where = {p: i for i, pair in enumerate(pairs) for p in pair}
        cut: dict[int, list] = defaultdict(list)
        for c in cells:
            cut[where[_period(c)]].append(c)
        out += [sorted(cut[i], key=repr) for i in sorted(cut)]
    return out


def closed_size(parts: Mapping[Hashable, tuple], tables: list[list[Hashable]]) -> int:
    """The widest sub-table's cells x the figures over them (what one search costs).

    >>> closed_size({"t": ("a", "b"), "a": ("a",)}, [["a", "b"]])
    4
    """
    table_of = {c: i for i, cells in enumerate(tables) for c in cells}
    over: dict[int, set] = defaultdict(set)
    for k, cs in parts.items():
        for c in cs:
            over[table_of[c]].add(k)
    return max((len(cells) * len(over[i]) for i, cells in enumerate(tables)), default=0)


def protect_by_closed_tables(
    parts: Mapping[Hashable, tuple],
    prim: set,
    loss: Mapping[Hashable, float],
    search: Search,
    small_first: Sequence,
) -> set:
    """Complements (keys of ``parts``) that leave no figure of ``prim`` determined.

    ``search`` is the exact backwards search, ``loss`` what hiding each figure loses
    (``inf``: never a complement), ``small_first`` the cells, those likely to stay hidden
    first. The caller checks the result with rational arithmetic (the search works
    modulo a prime).

    Examples
    --------
    An edge over two periods with its total, and a second edge: the 2's period partner
    is hidden with it, the total stays.

    >>> from gridvoices.ecosystem.disclosure.secondary import give_back
    >>> P = {"a1": (("a", 1),), "a2": (("a", 2),), "A": (("a", 1), ("a", 2))}
    >>> sorted(protect_by_closed_tables(P, {"a1"}, {"a1": 6, "a2": 20, "A": 25}, give_back,
    ...                                 [("a", 1), ("a", 2)]))
    ['a2']
    """
    holding = holders(parts)
    rank = {c: i for i, c in enumerate(small_first)}
    tables = closed_tables(parts)
    table_of = {c: i for i, cells in enumerate(tables) for c in cells}
    # Each primary figure is protected in one sub-table: the one of its smallest cell.
    home = {h: table_of[min(parts[h], key=rank.__getitem__)] for h in prim}
    kept = set(prim)
    for i, table in enumerate(tables):
        kept |= _search_table(table, i, parts, prim, home, holding, loss, search, rank)
    return kept - prim


def _search_table(
    table: list[Hashable],
    i: int,
    parts: Mapping[Hashable, tuple],
    prim: set,
    home: Mapping[Hashable, int],
    holding: Mapping[Hashable, list],
    loss: Mapping[Hashable, float],
    search: Search,
    rank: Mapping[Hashable, int],
) -> set:
    """The figures sub-table ``i`` keeps hidden; those it shows it shows only for itself."""
    inside = set(table)
    by_cut: dict[tuple, list] = defaultdict(list)
    for k in {k for c in table for k in holding[c]}:
        by_cut[tuple(sorted((c for c in parts[k] if c in inside), key=rank.__getitem__))].append(k)
    check: set = set()
    fixed: set = set()
    price: dict = {}
    for cut, members in by_cut.items():
        if any(home.get(k) == i for k in members):
            check.add(cut)  # protected here: every figure of the same cut hidden with it
        elif all(k in prim for k in members):
            fixed.add(cut)
        else:
            rest = [k for k in members if k not in prim]
            if all(loss[k] < float("inf") for k in rest):
                price[cut] = sum(loss[k] for k in rest)
            # else a zero, never a complement: its equation is shown
    kept = {k for cut in check for k in by_cut[cut]}
    if not check:
        return kept
    order = sorted(price, key=lambda n: (-price[n], repr(n)))
    cells = sorted(inside, key=rank.__getitem__)
    local = {cut: cut for cut in by_cut}
    shown = set(search(local, check | fixed | set(order), check, order, cells))
    return kept | {k for cut in order if cut not in shown for k in by_cut[cut] if k not in prim}
