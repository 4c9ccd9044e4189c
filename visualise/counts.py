"""Referral counts as the views show them: primary and secondary suppression.

The rule every view applies (also in ``visualise/README.md``):

1. **Cells.** The unit of data is a *cell*: the referrals along one link in one
   period. A cell of 1-4 is shown as ``*``. In the page's data such a cell is
   written as :data:`HIDDEN` (``-1``), so the exact value is not in the file at
   all; nothing in the browser can reveal it.
2. **Totals of shown parts.** Every other total (a link over all periods, a
   service's referrals in or out, a district aggregate, a border's two
   directions, the grand total) is the sum of the parts the views show. When a
   part is ``*`` the total is shown as the sum of the *visible* parts followed by
   ``+ *`` (``120 + *``), or as ``*`` when every part is hidden. Subtracting the
   visible parts from it gives back nothing, however the totals are combined.
3. **The disclosure layer.** Which cells and block flows are hidden is decided
   once for every output by :mod:`gridvoices.queries.disclosure` (primary rule,
   then complementary suppression over every published sum), through a
   :class:`Mask`: a cell the layer hides as a complement is written as
   :data:`HIDDEN` too. A block flow (one district or organisation to another,
   over the view's periods) is shown exactly when none of its cells is hidden,
   or when the layer protected that very sum and left it shown; otherwise it
   falls back to rule 2.
4. **Ratios** (permeability, shares) are ``*`` when a count they come from is
   not exact.

Drawing sizes use :func:`drawing_value`: each hidden part counts as 2.5 (the
middle of 1-4), which depends only on what is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD

if TYPE_CHECKING:
    import networkx as nx  # annotations only: a question that prints needs no NetworkX
    from gridvoices.queries.disclosure import Disclosure

__all__ = [
    "HIDDEN",
    "Mask",
    "REMAINDER_PERIOD",
    "Shown",
    "cell",
    "period_columns",
    "edge_cells",
    "shown_sum",
    "block_flows",
    "block_totals",
    "hide_small",
    "fmt_shown",
    "fmt_ratio",
    "drawing_value",
]

HIDDEN = -1
# Referrals on an edge that no period accounts for (hand-made graphs without by_period).
REMAINDER_PERIOD = "other periods"
DRAW_HIDDEN = 2.5

# (visible sum, number of hidden parts); exact when the second item is 0.
Shown = tuple[int, int]


def cell(count: int, suppress_small: bool) -> int:
    """One cell as the page stores it: :data:`HIDDEN` for 1-4 when suppressing.

    Examples
    --------
    >>> cell(3, True), cell(3, False), cell(0, True), cell(12, True)
    (-1, 3, 0, 12)
    """
    if suppress_small and 0 < count < SUPPRESSION_THRESHOLD:
        return HIDDEN
    return int(count)


def period_columns(G: nx.DiGraph) -> list[str]:
    """The period of each cell column: the graph's periods, then any only edges mention.

    A last column :data:`REMAINDER_PERIOD` holds referrals no period accounts for
    (only hand-made graphs without ``by_period`` have them).
    """
    periods = list(G.graph.get("periods") or [])
    known = set(periods)
    extra: set = set()
    remainder = False
    for *_, d in G.edges(data=True):
        by_period = d.get("by_period")
        if by_period:
            for p in by_period:
                if p not in known:
                    extra.add(p)
            if not remainder:
                remainder = (d.get("referrals") or 0) != sum(c or 0 for c in by_period.values())
        elif d.get("referrals"):
            remainder = True
    return periods + sorted(extra, key=str) + ([REMAINDER_PERIOD] if remainder else [])


def edge_cells(data: dict, columns: list[str]) -> list[int]:
    """The exact count per column for one edge (before suppression)."""
    by_period = data.get("by_period") or {}
    row = [by_period.get(p) or 0 for p in columns]
    if columns and columns[-1] == REMAINDER_PERIOD:
        row[-1] = int(data.get("referrals") or 0) - sum(row[:-1])
    return row


def hide_small(row: list[int], suppress_small: bool) -> list[int]:
    """:func:`cell` for a whole row (the hot loop of large views)."""
    if not suppress_small:
        return row
    return [HIDDEN if 0 < c < SUPPRESSION_THRESHOLD else c for c in row]


class Mask:
    """What a view hides: the disclosure layer's verdict on each cell and block flow of ``G``.

    With ``suppress_small`` False nothing is hidden and the layer is not computed.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph(periods=["Q1", "Q2"])
    >>> G.add_edge("a", "b", referrals=8, by_period={"Q1": 3, "Q2": 5})
    >>> m = Mask(G, True)
    >>> m.row("a", "b", [3, 5], ["Q1", "Q2"])       # the layer hides the total 8, not the 5
    [-1, 5]
    >>> Mask(G, False).row("a", "b", [3, 5], ["Q1", "Q2"])
    [3, 5]
    """

    def __init__(self, G: nx.DiGraph, suppress_small: bool) -> None:
        self.G = G
        self.on = suppress_small
        self.layer: Disclosure | None = None
        self.cells: frozenset = frozenset()
        if suppress_small:
            from gridvoices.queries.disclosure import layer

            self.layer = layer(G)
            self.cells = self.layer.hidden_cells()

    def row(self, u, v, row: list[int], columns: list[str]) -> list[int]:
        """One edge's cells (per column) as the page stores them."""
        if not self.on:
            return row
        hid = self.cells
        return [HIDDEN if c and (u, v, p) in hid else c for c, p in zip(row, columns, strict=True)]

    def accepted(self, u, v, count: int) -> int:
        """An edge's accepted count (over the view's periods) as the page stores it."""
        if not self.on or not count:
            return int(count)
        from gridvoices.queries.disclosure import accepted_cells

        assert self.layer is not None
        return HIDDEN if self.layer.hidden(accepted_cells(self.G, u, v)) else int(count)

    def block(self, items: Iterable[tuple]) -> Shown:
        """Rule 3: a block flow from its ``(cell, count)`` items."""
        items = [(k, c) for k, c in items if c]
        total = sum(c for _, c in items)
        if not self.on or self.layer is None or self.layer.exact(k for k, _ in items):
            return total, 0
        hidden = [c for k, c in items if k in self.cells]
        return total - sum(hidden), len(hidden)


def shown_sum(parts: Iterable[Shown]) -> Shown:
    """Rule 2: add shown parts; hidden parts stay hidden.

    Examples
    --------
    >>> shown_sum([(100, 0), (0, 1), (20, 0)])
    (120, 1)
    """
    v = s = 0
    for a, b in parts:
        v += a
        s += b
    return v, s


def block_flows(
    G: nx.DiGraph,
    block: Callable[[dict], object],
    mask: Mask | bool,
    columns: list[str] | None = None,
) -> dict[tuple, Shown]:
    """Rule 3 for every ordered pair of blocks with referrals (the diagonal is "within").

    ``block`` maps a node's attributes to its block key (None: left out); ``mask`` is
    the view's :class:`Mask` (or ``suppress_small``, to make one). Only links that
    carried referrals count; peer links have no counts.
    """
    mask = mask if isinstance(mask, Mask) else Mask(G, mask)
    columns = period_columns(G) if columns is None else columns
    cells: dict[tuple, list[tuple]] = defaultdict(list)
    for u, v, d in G.edges(data=True):
        if int(d.get("referrals") or 0) <= 0:
            continue
        a, b = block(G.nodes[u]), block(G.nodes[v])
        if a is None or b is None:
            continue
        row = edge_cells(d, columns)
        cells[a, b].extend(((u, v, p), c) for p, c in zip(columns, row, strict=True) if c)
    return block_totals(cells, mask)


def block_totals(cells: dict[tuple, list[tuple]], mask: Mask) -> dict[tuple, Shown]:
    """:meth:`Mask.block` of each pair's ``(cell, count)`` items, in a stable order."""
    return {pair: mask.block(cs) for pair, cs in sorted(cells.items(), key=str)}


def fmt_shown(value: Shown) -> str:
    """``"120"``, ``"120 + *"`` or ``"*"``.

    Examples
    --------
    >>> fmt_shown((1200, 0)), fmt_shown((120, 2)), fmt_shown((0, 1)), fmt_shown((0, 0))
    ('1,200', '120 + *', '*', '0')
    """
    v, s = value
    if not s:
        return f"{v:,}"
    return "*" if v == 0 else f"{v:,} + *"


def fmt_ratio(numerator: Shown, denominator: float | None, pattern: str = "{:.2f}") -> str:
    """Rule 4: a ratio of a shown count, or ``*`` when that count is not exact."""
    if numerator[1]:
        return "*"
    if not denominator:
        return "n/a"
    return pattern.format(numerator[0] / denominator)


def drawing_value(value: Shown) -> float:
    """The size a shown count is drawn at: hidden parts count as 2.5 each."""
    return value[0] + DRAW_HIDDEN * value[1]
