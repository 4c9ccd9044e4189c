"""The disclosure layer: every figure the outputs publish about one ecosystem, protected once.

Each output (exports, ``summary``, ``barriers``, the views) publishes sums of the
same *cells* (the referrals along one link in one period). :func:`figures` lists
every such sum the outputs can publish for a graph, for all its periods together,
for each period on its own and for every run of neighbouring periods (so the answers
for any of them are protected together); :func:`disclosure` runs primary and
secondary suppression over all of them once
(:func:`gridvoices.ecosystem.disclosure.protect`) and every output asks it whether a
figure is shown. A figure is identified by its cells, so the same number is shown or
hidden alike in every output. Marking the fields of named answers (``disclose``,
``disclose_store``, ``shown_counts``, ``DISCLOSED``) lives in
:mod:`gridvoices.queries.disclosure_answers`, reachable from here too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from types import SimpleNamespace
from typing import TYPE_CHECKING

from gridvoices.ecosystem.disclosure import Figure, Protection, protect
from gridvoices.ecosystem.disclosure.memo import remembered
from gridvoices.ecosystem.privacy import SUPPRESSED, suppress
from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD
from gridvoices.queries.counts import REMAINDER

if TYPE_CHECKING:
    import networkx as nx  # annotations only: the layer reads any graph it is given

__all__ = [
    "CELL_RULE_ABOVE",
    "CellRule",
    "Disclosure",
    "disclosure",
    "accepted_cells",
    "cell_groups",
    "edge_cells",
    "figures",
    "layer",
    "REMAINDER",
]

_CACHE = "_disclosure"


def edge_cells(u, v, d: dict, periods: Iterable[str] | None = None) -> dict[tuple, int]:
    """The non-zero cells of one edge, ``(u, v, period) -> count``, in ``periods`` (default all).

    Examples
    --------
    >>> edge_cells("a", "b", {"referrals": 7, "by_period": {"Q1": 2, "Q2": 5}}, ["Q2"])
    {('a', 'b', 'Q2'): 5}
    """
    by_period = d.get("by_period") or {}
    out = {(u, v, p): int(c) for p, c in by_period.items() if c}
    rest = int(d.get("referrals") or 0) - sum(out.values())
    if rest:
        out[(u, v, REMAINDER)] = rest
    if periods is not None:
        keep = set(periods) | {REMAINDER}
        out = {k: c for k, c in out.items() if k[2] in keep}
    return out


# Above this many cells (referral counts by link and period) the layer applies the cell
# rule (Disclosure.cell_rule) rather than listing and protecting every figure. The shipped
# county has ~650 cells; 2,000 services / 40,000 flows ~40,000 cells, whose ~490,000 figures
# take ~38 s and 660 MB to list and protect (hypercubes, the first time; then remembered);
# a national store has ~4,000,000.
CELL_RULE_ABOVE = 50_000


class CellRule(Protection):
    """The protection :meth:`Disclosure.cell_rule` gives: ``primary`` holds the hidden cells."""

    def as_dict(self) -> dict:
        return {
            "rule": (
                "counts of 1-4 hidden; every total over a hidden count hidden "
                f"(cell rule: more than {CELL_RULE_ABOVE:,} cells)"
            ),
            "primary_hidden": len(self.primary),
            "secondary_hidden": "every total over a hidden count",
            "exposed_before_secondary": None,
        }


def cell_count(G: nx.DiGraph) -> int:
    """How many period cells ``G``'s referral links carry (the size the layer works at)."""
    return sum(len(d.get("by_period") or {}) for _, _, d in G.edges(data=True))


class Disclosure:
    """Which published figures are hidden, looked up by the cells they sum.

    ``hidden(cells)`` is True for a figure hidden by the primary rule (1-4) or as
    a complement; a figure this layer never listed (the sums of a period range) is
    hidden when any of its cells is.
    """

    def __init__(self, protection: Protection, by_cells: dict[frozenset, Hashable]):
        self.protection = protection
        self._key = by_cells

    @classmethod
    def protecting(cls, figures: list[Figure]) -> Disclosure:
        """Protect ``figures`` (remembered by content) and look them up by their cells."""
        protection = remembered(figures, protect)
        by_cells: dict[frozenset, Hashable] = {}
        for f in figures:
            by_cells.setdefault(f.cells, f.key)
        return cls(protection, by_cells)

    @classmethod
    def cell_rule(cls, G: nx.DiGraph) -> Disclosure:
        """Every cell of 1-4 hidden and every sum over a hidden cell hidden, no figure listed.

        What the coarse protection ends with, reached without listing every figure: on a
        national store (millions of cells, each inside a dozen totals for each of ten
        choices of periods) the list alone took minutes and gigabytes. Safe by
        construction: every shown sum is a sum of shown cells, so no equation reaches a
        hidden one; and a sum of cells of 5 or more is never 1-4.
        """
        by_edge: dict[tuple, list] = {}
        for u, v, d in G.edges(data=True):
            small = [
                c
                for cells in (edge_cells(u, v, d), accepted_cells(G, u, v))
                for c, n in cells.items()
                if 0 < n < SUPPRESSION_THRESHOLD
            ]
            if small:
                by_edge[u, v] = small
        cells = frozenset(c for cs in by_edge.values() for c in cs)
        D = cls(CellRule(primary=cells, secondary=frozenset()), {})
        D._cells, D._by_edge = cells, by_edge
        return D

    def groups(self, G: nx.DiGraph) -> dict[tuple, list]:
        """:func:`cell_groups` of ``G`` as far as :meth:`hidden` needs them.

        Under the cell rule a sum is hidden exactly when it holds a hidden cell, so each
        group lists only its hidden cells (a fraction of the cells of a national store).
        """
        if not isinstance(self.protection, CellRule):
            return cell_groups(G)
        # Only the links that hold a hidden cell, with those cells: the other groups
        # would come out empty, and a sum left out is hidden only if it holds one.
        # G may hold some of the periods the layer protected: only its cells count.
        keep = {*(G.graph.get("periods") or ()), REMAINDER}
        links = SimpleNamespace(nodes=G.nodes, edges=list(self._by_edge))
        return cell_groups(
            links, lambda u, v: [c for c in self._by_edge[u, v] if len(c) == 3 and c[2] in keep]
        )

    def hidden(self, cells: Iterable[Hashable]) -> bool:
        """Whether the sum of ``cells`` is shown as ``*``.

        A sum the layer never protected (a period range's total, say) is hidden
        whenever one of its cells is: shown, it would be a new equation beside the
        protected ones. Shown only when every cell is shown, it adds nothing.
        """
        cells = frozenset(cells)
        key = self._key.get(cells)
        if key is None:
            return bool(cells & self.hidden_cells())
        return key in self.protection.hidden

    def hidden_cells(self) -> frozenset:
        """Every cell whose own figure (the cell alone) is hidden, by either rule."""
        cached = getattr(self, "_cells", None)
        if cached is None:
            hid = self.protection.hidden
            one = [(cells, key) for cells, key in self._key.items() if len(cells) == 1]
            cached = self._cells = frozenset(c for cells, key in one if key in hid for c in cells)
        return cached

    def exact(self, cells: Iterable[Hashable]) -> bool:
        """Whether the sum of ``cells`` may be published exactly.

        True when none of them is hidden (the sum then adds nothing), or when the
        layer protected that sum as a figure and left it shown. A sum the layer never
        listed, over a hidden cell, is not exact: show it as its visible part ``+ *``.
        """
        cells = frozenset(cells)
        if not cells & self.hidden_cells():
            return True
        key = self._key.get(cells)
        return key is not None and key not in self.protection.hidden

    def secondary(self, cells: Iterable[Hashable]) -> bool:
        key = self._key.get(frozenset(cells))
        return key is not None and key in self.protection.secondary

    def show(self, value: int, cells: Iterable[Hashable]):
        """``value``, or ``*`` when suppression is on and the figure is hidden."""
        if suppress(1) != SUPPRESSED:  # the rule is off for this block of work
            return value
        return SUPPRESSED if value and self.hidden(cells) else value

    def as_dict(self) -> dict:
        return self.protection.as_dict()


def figures(G: nx.DiGraph) -> list[Figure]:
    """Every figure an output can publish about ``G``: for all its periods and each one alone.

    Figure keys say where the number appears (``("edge", u, v)``,
    ``("in", node)``, ``("district_matrix", a, b)``, ...) and which periods
    (``"all"`` or one period).
    """
    periods = list(G.graph.get("periods") or [])
    cells = {(u, v): edge_cells(u, v, d) for u, v, d in G.edges(data=True)}
    values = {c: n for cs in cells.values() for c, n in cs.items()}
    out = [Figure(("cell", *c), (c,), n) for c, n in values.items()]
    # Every contiguous range is a figure too: otherwise "all periods" less the periods outside
    # a range could give a small range total away.
    spans = period_spans(periods)
    for label, keep in spans:

        def part(u, v, keep=keep):
            return [c for c in cells[u, v] if keep is None or c[2] in keep]

        out += _sums(G, label, part, values, _weight(label))
    for u, v in G.edges:
        acc = accepted_cells(G, u, v)
        out += [Figure(("acell", *c), (c,), n) for c, n in acc.items()]
        for label, keep in spans:
            cs = [c for c in acc if keep is None or c[3] in keep]
            if cs:
                n = sum(acc[c] for c in cs)
                out.append(Figure(("accepted", u, v, label), tuple(cs), n, _weight(label)))
    return out


# A range's total is shown only to who asks for that range: hiding it loses far less than
# hiding a number every all-periods or one-period answer shows.
RANGE_WEIGHT = 0.001


def _weight(label: str) -> float:
    return RANGE_WEIGHT if ".." in label else 1.0


def period_spans(periods: list[str], *, ranges: bool = True) -> list[tuple[str, set | None]]:
    """The sets of periods an answer can be asked for: all, each one, each run of neighbours.

    A range such as ``2024-Q1..Q2`` is protected as a figure of its own (``ranges``):
    otherwise "all periods" less the periods outside it could give a small range total away.

    Examples
    --------
    >>> [label for label, _ in period_spans(["Q1", "Q2", "Q3"])]
    ['all', 'Q1', 'Q2', 'Q3', 'Q1..Q2', 'Q2..Q3']
    """
    spans: list[tuple[str, set | None]] = [("all", None)]
    if len(periods) > 1:
        spans += [(p, {p}) for p in periods]
    n = len(periods) if ranges else 0
    for length in range(2, n):
        for i in range(n - length + 1):
            run = periods[i : i + length]
            spans.append((f"{run[0]}..{run[-1]}", set(run)))
    return spans


def accepted_cells(G: nx.DiGraph, u, v) -> dict[tuple, int]:
    """The accepted counts of one edge, ``("accepted", u, v, period) -> count``, in G's periods.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph(accepted_cells={("a", "b"): {"Q1": 2, "Q2": 6}})
    >>> G.add_edge("a", "b", referrals=9, accepted=8)
    >>> accepted_cells(G, "a", "b")
    {('accepted', 'a', 'b', 'Q1'): 2, ('accepted', 'a', 'b', 'Q2'): 6}
    """
    total = int(G.edges[u, v].get("accepted") or 0)
    if not total:
        return {}
    by_period = (G.graph.get("accepted_cells") or {}).get((u, v)) or {}
    out = {("accepted", u, v, p): int(a) for p, a in by_period.items() if a}
    rest = total - sum(out.values())
    if rest:  # hand-made graphs: accepted with no periods
        out["accepted", u, v, REMAINDER] = rest
    return out


def cell_groups(G: nx.DiGraph, part=None) -> dict[tuple, list]:
    """The cells of ``G`` grouped the way the outputs sum them, by figure key (without periods).

    ``part(u, v)`` lists an edge's cells (default: all of them). One grouping for the
    layer's figures and for marking the answers, so both name the same sums.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("a", district="A"); G.add_node("b", district="B")
    >>> G.add_edge("a", "b", referrals=6, by_period={"Q1": 6})
    >>> cell_groups(G)["district_matrix", "A", "B"]
    [('a', 'b', 'Q1')]
    """
    if part is None:

        def part(u, v):
            return list(edge_cells(u, v, G.edges[u, v]))

    groups: dict[tuple, list] = defaultdict(list)
    node = G.nodes
    for u, v in G.edges:
        cs = part(u, v)
        if not cs:
            continue
        groups["edge", u, v] += cs
        groups["in", v] += cs
        groups["out", u] += cs
        groups["degree", u] += cs
        if v != u:
            groups["degree", v] += cs
        groups["total",] += cs
        du, dv = node[u].get("district"), node[v].get("district")
        if du:
            groups["referrals_out", du] += cs
        if dv:
            groups["referrals_in", dv] += cs
        if du and dv:
            groups["district_matrix", du, dv] += cs
            groups["sent", du] += cs
            groups["district_total",] += cs
            groups["border", *sorted((du, dv))] += cs
            if du != dv:
                groups["cross", u] += cs
                groups["cross", v] += cs
                groups["cross_total",] += cs
        ku, kv = node[u].get("org_kind"), node[v].get("org_kind")
        if ku and kv:
            groups["kind_matrix", ku, kv] += cs
        ou, ov = _org(node[u]), _org(node[v])
        groups["org_sent", ou] += cs
        if ou == ov:
            groups["org_internal", ou] += cs
    return groups


def _sums(G: nx.DiGraph, label: str, part, values, weight: float = 1.0) -> list[Figure]:
    return [
        Figure((*key, label), tuple(cs), sum(values[c] for c in cs), weight)
        for key, cs in cell_groups(G, part).items()
    ]


def _org(a: dict) -> str:
    return a.get("organisation") or "mutual-aid groups"


def disclosure(G: nx.DiGraph) -> Disclosure:
    """The protection of every figure :func:`figures` lists, computed once per graph.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph(periods=["Q1", "Q2"])
    >>> G.add_edge("a", "b", referrals=8, by_period={"Q1": 3, "Q2": 5})
    >>> d = disclosure(G)
    >>> d.show(8, [("a", "b", "Q1"), ("a", "b", "Q2")]), d.show(5, [("a", "b", "Q2")])
    ('*', 5)

    The 3 is hidden, and with it the total 8 rather than the 5: a hidden cell would
    also leave every other sum over it (another choice of periods) as "visible + *".
    """
    cached = G.graph.get(_CACHE)
    if cached is None and cell_count(G) > CELL_RULE_ABOVE:
        cached = G.graph[_CACHE] = Disclosure.cell_rule(G)
    return cached if cached is not None else protected_once(G, _CACHE, figures)


def protected_once(G: nx.DiGraph, slot: str, figures_of) -> Disclosure:
    """``Disclosure.protecting(figures_of(G))``, kept in ``G.graph[slot]``: once per graph."""
    cached = G.graph.get(slot)
    if cached is None:
        cached = G.graph[slot] = Disclosure.protecting(figures_of(G))
    return cached


def layer(G: nx.DiGraph) -> Disclosure:
    """The :class:`Disclosure` every output about ``G`` consults (all periods' when known)."""
    return disclosure(_full(G))


def _full(G: nx.DiGraph) -> nx.DiGraph:
    """The graph whose protection covers G: the all-periods graph when G was built from it."""
    full = G.graph.get("disclosure_graph")
    if full is None:
        source = G.graph.get("disclosure_source")
        if source is None:
            return G
        full = G.graph["disclosure_graph"] = source()
    return full


_ANSWERS = frozenset({"DISCLOSED", "disclose", "disclose_store", "shown_counts"})


def __getattr__(name: str):
    # The answers live in disclosure_answers (which imports this module): loaded on first use.
    if name in _ANSWERS:
        from gridvoices.queries import disclosure_answers

        return getattr(disclosure_answers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
