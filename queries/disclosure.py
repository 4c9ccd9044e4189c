"""The disclosure layer: every figure the outputs publish about one ecosystem, protected once.

Each output (exports, ``summary``, ``barriers``, the views) publishes sums of the
same *cells* (the referrals along one link in one period). :func:`figures` lists
every such sum the outputs can publish for a graph, for all its periods together
and for each period on its own (so a one-period answer and the all-periods answer
are protected together); :func:`disclosure` runs primary and secondary suppression
over all of them once (:func:`gridvoices.ecosystem.disclosure.protect`) and every
output asks it whether a figure is shown. A figure is identified by its cells, so
the same number is shown or hidden alike in every output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

from gridvoices.ecosystem.disclosure import Figure, Protection, protect
from gridvoices.ecosystem.disclosure.memo import remembered
from gridvoices.ecosystem.privacy import SUPPRESSED, is_suppressed, suppress

if TYPE_CHECKING:
    import networkx as nx  # annotations only: the layer reads any graph it is given

__all__ = [
    "Disclosure",
    "DISCLOSED",
    "disclose",
    "disclose_store",
    "disclosure",
    "edge_cells",
    "figures",
    "layer",
    "REMAINDER",
]

# The cell of referrals no period accounts for (hand-made graphs without by_period).
REMAINDER = "other periods"
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


class Disclosure:
    """Which published figures are hidden, looked up by the cells they sum.

    ``hidden(cells)`` is True for a figure hidden by the primary rule (1-4) or as
    a complement; a figure this layer never listed falls back to the primary rule.
    """

    def __init__(self, protection: Protection, by_cells: dict[frozenset, Hashable], values):
        self.protection = protection
        self._key = by_cells
        self._values = values

    def hidden(self, cells: Iterable[Hashable]) -> bool:
        cells = frozenset(cells)
        key = self._key.get(cells)
        if key is None:
            return is_suppressed(sum(self._values.get(c, 0) for c in cells))
        return key in self.protection.hidden

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
    spans: list[tuple[str, set | None]] = [("all", None)]
    if len(periods) > 1:
        spans += [(p, {p}) for p in periods]
    for label, keep in spans:

        def part(u, v, keep=keep):
            return [c for c in cells[u, v] if keep is None or c[2] in keep]

        out += _sums(G, label, part, values)
    for u, v, d in G.edges(data=True):
        if d.get("accepted"):
            out.append(Figure(("accepted", u, v), (("accepted", u, v),), int(d["accepted"])))
    return out


def _sums(G: nx.DiGraph, label: str, part, values) -> list[Figure]:
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
    return [
        Figure((*key, label), tuple(cs), sum(values[c] for c in cs)) for key, cs in groups.items()
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
    (8, '*')
    """
    cached = G.graph.get(_CACHE)
    if cached is not None:
        return cached
    fs = figures(G)
    protection = remembered(fs, protect)
    by_cells: dict[frozenset, Hashable] = {}
    for f in fs:
        by_cells.setdefault(f.cells, f.key)
    values = {c: f.value for f in fs if len(f.parts) == 1 for c in f.parts}
    d = Disclosure(protection, by_cells, values)
    G.graph[_CACHE] = d
    return d


# --------------------------------------------------------------------------- answers

_HIDE = "_hidden"  # a row's fields the layer hides; visualise.render.shown stars them


def _cell_index(G: nx.DiGraph) -> dict[str, dict]:
    """Cells of G's periods grouped the way the answers sum them."""
    groups: dict[tuple, list] = defaultdict(list)
    node = G.nodes
    for u, v, d in G.edges(data=True):
        cs = list(edge_cells(u, v, d))
        if not cs:
            continue
        du, dv = node[u].get("district"), node[v].get("district")
        groups["total",] += cs
        if du:
            groups["out", du] += cs
        if dv:
            groups["in", dv] += cs
        if du and dv:
            groups["dm", du, dv] += cs
            groups["sent", du] += cs
            if du != dv:
                groups["cross", u] += cs
                groups["cross", v] += cs
                groups["cross_total",] += cs
        ku, kv = node[u].get("org_kind"), node[v].get("org_kind")
        if ku and kv:
            groups["km", ku, kv] += cs
        ou, ov = _org(node[u]), _org(node[v])
        groups["org_sent", ou] += cs
        if ou == ov:
            groups["org_internal", ou] += cs
    return groups


def _mark(row: dict, hide: dict[str, list]) -> dict:
    D_hidden = [k for k, hidden in hide.items() if hidden and row.get(k)]
    if D_hidden:
        row = {**row, _HIDE: D_hidden}
    return row


def disclose(name: str, result: dict, G: nx.DiGraph) -> dict:
    """``result`` of named answer ``name`` with the fields the layer hides marked.

    Numbers stay exact (analyses build on them); each row lists the fields to show
    as ``*`` under ``_hidden``, which :func:`gridvoices.visualise.render.shown` applies,
    and the answer gets a ``disclosure`` block. Answers other than ``summary`` and
    ``barriers`` are returned as they are.
    """
    if name not in ("summary", "barriers") or not isinstance(result, dict):
        return result
    D = layer(G)
    g = _cell_index(G)

    def hid(key) -> bool:
        return D.hidden(g.get(key, ()))

    r = dict(result)
    if name == "summary":
        r["districts"] = [
            _mark(
                row,
                {
                    "referrals_out": hid(("out", row["district"])),
                    "referrals_in": hid(("in", row["district"])),
                },
            )
            for row in result.get("districts", [])
        ]
        r["totals"] = _mark(dict(result.get("totals", {})), {"referrals": hid(("total",))})
    else:
        r["district_matrix"] = [
            _mark(x, {"referrals": hid(("dm", x["source"], x["target"]))})
            for x in result.get("district_matrix", [])
        ]
        r["kind_matrix"] = [
            _mark(x, {"referrals": hid(("km", x["source"], x["target"]))})
            for x in result.get("kind_matrix", [])
        ]
        r["inward"] = [
            _mark(
                x,
                {
                    "internal": hid(("dm", x["district"], x["district"])),
                    "sent": hid(("sent", x["district"])),
                },
            )
            for x in result.get("inward", [])
        ]
        r["borders"] = [
            _mark(
                x,
                {
                    "observed": D.hidden(
                        g.get(("dm", x["a"], x["b"]), []) + g.get(("dm", x["b"], x["a"]), [])
                    )
                },
            )
            for x in result.get("borders", [])
        ]
        r["silos"] = [
            _mark(
                x,
                {
                    "internal": hid(("org_internal", x["organisation"])),
                    "sent": hid(("org_sent", x["organisation"])),
                },
            )
            for x in result.get("silos", [])
        ]
        r["spanners"] = [
            _mark(x, {"cross_referrals": hid(("cross", x["id"]))})
            for x in result.get("spanners", [])
        ]
    r["disclosure"] = D.as_dict()
    return r


def layer(G: nx.DiGraph) -> Disclosure:
    """The :class:`Disclosure` every output about ``G`` consults (all periods' when known)."""
    return disclosure(_full(G))


def _full(G: nx.DiGraph) -> nx.DiGraph:
    """The graph whose protection covers G: the all-periods graph when G was built from it."""
    return G.graph.get("disclosure_graph", G)


DISCLOSED = frozenset({"summary", "barriers"})


def disclose_store(store, name: str, result: dict, periods: list[str] | None) -> dict:
    """:func:`disclose` for an answer from ``store``, protected with all its periods.

    Nothing is marked when suppression is off for this block of work.
    """
    if suppress(1) != SUPPRESSED:
        return result
    if store.kind == "embedded":
        # Straight from SQL: no pandas and no reading every table for one answer.
        from gridvoices.queries.disclosure_sql import disclosure_graph as build
    else:
        from gridvoices.queries.graph import build_graph

        tables = store.read()

        def build(_store, periods=None):
            return build_graph(tables, periods)

    full = build(store)
    # All periods: the answer's graph is the full one (built once, not twice).
    G = full if periods is None else build(store, periods)
    G.graph["disclosure_graph"] = full
    return disclose(name, result, G)
