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
3. **Block flows.** The one exception is the flow from one block (district or
   organisation) to another over all chosen periods, which the barrier analysis
   needs exactly. It is computed from the hidden cells and shown exactly when
   none of them is hidden, or when at least two are and together they make at
   least 5 without pinning each other down (their sum ``S`` over ``k`` hidden
   cells satisfies ``k < S < 4k``: not all 1s, not all 4s). Otherwise it falls
   back to rule 2. Block flows partition the cells (each link belongs to exactly
   one ordered pair of blocks), so no published total is a subset of another and
   differencing them gives at most the sum of several hidden cells.
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

__all__ = [
    "HIDDEN",
    "REMAINDER_PERIOD",
    "Shown",
    "cell",
    "period_columns",
    "edge_cells",
    "shown_sum",
    "block_total",
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


def block_total(counts: Iterable[int], suppress_small: bool) -> Shown:
    """Rule 3: a block flow from its exact cells.

    Examples
    --------
    >>> block_total([10, 3], True)      # one hidden cell: 13 - 10 would give it away
    (10, 1)
    >>> block_total([10, 3, 4], True)   # two hidden cells, 7 could be 3+4 or 4+3
    (17, 0)
    >>> block_total([10, 1, 1], True)   # both must be 1
    (10, 2)
    >>> block_total([10, 3], False)
    (13, 0)
    """
    total = visible = hidden = hidden_sum = 0
    for c in counts:
        total += c
        if suppress_small and 0 < c < SUPPRESSION_THRESHOLD:
            hidden += 1
            hidden_sum += c
        else:
            visible += c
    if hidden == 0:
        return total, 0
    if hidden >= 2 and hidden_sum >= SUPPRESSION_THRESHOLD and hidden < hidden_sum < 4 * hidden:
        return total, 0
    return visible, hidden


def block_flows(
    G: nx.DiGraph,
    block: Callable[[dict], object],
    suppress_small: bool,
    columns: list[str] | None = None,
) -> dict[tuple, Shown]:
    """Rule 3 for every ordered pair of blocks with referrals (the diagonal is "within").

    ``block`` maps a node's attributes to its block key (None: left out).
    Only links that carried referrals count; peer links have no counts.
    """
    columns = period_columns(G) if columns is None else columns
    cells: dict[tuple, list[int]] = defaultdict(list)
    for u, v, d in G.edges(data=True):
        if int(d.get("referrals") or 0) <= 0:
            continue
        a, b = block(G.nodes[u]), block(G.nodes[v])
        if a is None or b is None:
            continue
        cells[a, b].extend(c for c in edge_cells(d, columns) if c)
    return block_totals(cells, suppress_small)


def block_totals(cells: dict[tuple, list[int]], suppress_small: bool) -> dict[tuple, Shown]:
    """:func:`block_total` of each pair's exact non-zero cells, in a stable order."""
    return {pair: block_total(cs, suppress_small) for pair, cs in sorted(cells.items(), key=str)}


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
