"""Complementary suppression for large inputs: exact search per sub-table, then the whole.

The exact backwards search (:func:`~gridvoices.ecosystem.disclosure.secondary.give_back`)
grows faster than cells x figures, so a county with thousands of cells is not searched in
one piece. As tau-ARGUS's HITAS and sdcTable's ``"HITAS"`` do for big hierarchical tables,
the figures are split into *sub-tables*, each searched exactly on its own
(:func:`subtables`), and the whole is then checked exactly and repaired.
:func:`~gridvoices.ecosystem.disclosure.secondary.protect`
takes this path only when the closed period-pair sub-tables of
:mod:`~gridvoices.ecosystem.disclosure.closed` (which need no check across them) are too wide to
search whole:

1. Sub-tables, widest first. A figure hidden in one is hidden in all: each search starts
   from every figure hidden so far and may only hide more. Hiding never makes a hidden
   figure determinable, so each sub-table stays protected after the later ones.
2. What no sub-table sees is a combination across them (a district pair's total against
   the services' volumes, say), so the whole is checked once
   (:func:`~gridvoices.ecosystem.disclosure.algebra.exposed_figures`).
3. For each exposed figure every visible total over one of its cells is hidden (then no
   visible figure touches its cells: it is free), and those totals are given back, the
   dearest first, by one backwards search over all figures that starts from this safe
   state: only the totals near an exposure are candidates, not every figure. Above
   :data:`REPAIR_LIMIT` (cells x candidates) they simply stay hidden.
4. The result is checked once more with rational arithmetic; should that fail (the
   search's prime divided a minor, odds ~ cells / 2**61) the caller falls back to the
   coarse protection.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence

from gridvoices.ecosystem.disclosure.algebra import exposed_figures, holders

__all__ = ["protect_by_subtables", "repair", "subtables", "LOCAL_LIMIT", "REPAIR_LIMIT"]

# Cells x figures of one sub-table searched whole (the shipped data's whole search, 644 x
# 4,133, takes ~1.5 s; sub-tables under this take a few ms each). A wider total gets the
# one-dimensional sub-table of its own family and its cells.
LOCAL_LIMIT = 2_000_000

# Cells x candidates of the repair's search over the whole (measured, load 3-6 on 2 cores:
# 120/2500, 3,840 cells x 3,922 totals near an exposure, ~110 CPU s and 200 MB; 300/8000,
# 12,265 x ~11,000, not finished in 7.5 CPU minutes at 880 MB). Above it the totals near an
# exposure stay hidden: safe, and only where the sub-tables left something determined.
REPAIR_LIMIT = 40_000_000

Search = Callable[[Mapping, set, set, list, Sequence], list]


def subtables(parts: Mapping[Hashable, tuple], family=None) -> list[list[Hashable]]:
    """The sub-tables of ``parts`` (distinct figures: key -> cells), widest total first.

    The sub-table of a total holds every figure whose cells lie inside its cells (an
    edge's period cells with its period totals; a service's volumes over its edges and
    their cells). A total inside a sub-table already listed gets none of its own. A total
    whose sub-table would exceed :data:`LOCAL_LIMIT` (cells x figures) gets a
    one-dimensional one instead: the figures of its own ``family`` inside it (default:
    tuple keys less their last element, the periods) and its cells.

    Examples
    --------
    >>> P = {"a": ("a",), "b": ("b",), "c": ("c",), "ab": ("a", "b"), "abc": ("a", "b", "c")}
    >>> subtables(P)
    [['a', 'ab', 'abc', 'b', 'c']]
    >>> subtables(P | {"cd": ("c", "d"), "d": ("d",)})
    [['a', 'ab', 'abc', 'b', 'c'], ['c', 'cd', 'd']]
    """
    family = family or _family
    cells = {k: frozenset(p) for k, p in parts.items()}
    holding = holders(cells)
    by_family: dict[Hashable, list] = defaultdict(list)
    for k in parts:
        by_family[family(k)].append(k)
    tops = sorted(
        (k for k, cs in cells.items() if len(cs) > 1), key=lambda k: (-len(cells[k]), repr(k))
    )
    whole_by_cell: dict[Hashable, list] = defaultdict(list)
    out = []
    for top in tops:
        cs = cells[top]
        first = next(iter(cs))
        if any(cs <= cells[g] for g in whole_by_cell.get(first, ())):
            continue  # inside a sub-table already searched whole
        inside = {k for c in cs for k in holding[c] if cells[k] <= cs}
        if len(cs) * len(inside) <= LOCAL_LIMIT:
            for c in cs:
                whole_by_cell[c].append(top)
        else:
            kin = {k for k in by_family[family(top)] if cells[k] <= cs}
            inside = kin | {k for k in inside if len(cells[k]) == 1}
        out.append(sorted(inside, key=repr))
    return out


def _family(key: Hashable) -> Hashable:
    return key[:-1] if isinstance(key, tuple) and len(key) > 1 else key


def protect_by_subtables(
    parts: Mapping[Hashable, tuple],
    prim: set,
    loss: Mapping[Hashable, float],
    search: Search,
    small_first: Sequence,
) -> set:
    """Complements (keys of ``parts``) that leave no figure of ``prim`` determined.

    ``search(parts, hidden, check, candidates, cells)`` is the exact backwards search
    (:func:`~gridvoices.ecosystem.disclosure.secondary.give_back`), ``loss`` what hiding
    each figure loses (``inf``: never a complement), ``small_first`` the cells, those
    likely to stay hidden first (pivots for the search). The caller checks the result
    with rational arithmetic (the search and the repair's check work modulo a prime).
    """
    hidden = set(prim)
    rank = {c: i for i, c in enumerate(small_first)}
    for table in subtables(parts):
        check = {k for k in table if k in prim}
        free = [k for k in table if k not in hidden and loss[k] < float("inf")]
        if not check or not free:
            continue
        order = sorted(free, key=lambda k: (-loss[k], repr(k)))
        cells = sorted({c for k in table for c in parts[k]}, key=rank.__getitem__)
        local = {k: parts[k] for k in table}
        shown = search(local, {k for k in table if k in hidden} | set(order), check, order, cells)
        hidden |= set(order) - set(shown)
    return repair(parts, prim, hidden, loss, search, small_first) - prim


def repair(
    parts: Mapping[Hashable, tuple],
    prim: set,
    hidden: set,
    loss: Mapping[Hashable, float],
    search: Search,
    small_first: Sequence,
) -> set:
    """``hidden`` and more, so that no figure of ``prim`` is determined by the visible ones.

    Every visible total over a cell of an exposed figure is hidden (the figure's cells are
    then in no visible equation), and those totals are given back, dearest first, by one
    search over all figures (see the module's docstring).

    Examples
    --------
    Two sub-tables, each safe alone (a + b and b + c with b hidden in one, c in the
    other), give ``a`` away together:

    >>> from gridvoices.ecosystem.disclosure.secondary import give_back
    >>> P = {"a": ("a",), "b": ("b",), "c": ("c",), "ab": ("a", "b"), "bc": ("b", "c")}
    >>> sorted(repair(P, {"a"}, {"a", "b"}, dict.fromkeys(P, 1.0), give_back, "abc"))
    ['a', 'ab', 'b']
    """
    exposed = exposed_figures(parts, hidden, prim, exact=False)
    if not exposed:
        return set(hidden)
    touched = {c for h in exposed for c in parts[h]}
    near = {
        k for k, p in parts.items() if k not in hidden and len(p) > 1 and not touched.isdisjoint(p)
    }
    start = set(hidden) | near
    if len(small_first) * len(near) > REPAIR_LIMIT:
        return start
    order = sorted(near, key=lambda k: (-loss[k], repr(k)))
    return start - set(search(parts, start, prim, order, small_first))
