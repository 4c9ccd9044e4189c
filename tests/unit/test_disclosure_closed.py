"""Complementary suppression above the search limit: closed period-pair sub-tables and
hypercubes (patterns of cells), on small tables forced through them."""

from __future__ import annotations

import random

import pytest
from gridvoices.ecosystem.disclosure import (
    Figure,
    audit_figures,
    exposed_figures,
    protect,
    secondary,
)
from gridvoices.ecosystem.disclosure.closed import closed_size, closed_tables
from gridvoices.ecosystem.disclosure.hypercube import hypercubes
from gridvoices.ecosystem.disclosure.secondary import cost, give_back
from gridvoices.ecosystem.disclosure.subtables import protect_by_subtables

PERIODS = ("Q1", "Q2", "Q3", "Q4")


def three_way(values: dict[tuple, int], periods=PERIODS) -> list[Figure]:
    """Edges (u, v) by period, summed as the outputs sum them: each edge, each source's
    out-volume and each target's in-volume, for all periods, each one and each range."""
    cells = {(u, v, p): n for (u, v, p), n in values.items() if n}
    spans = [("all", set(periods))] + [(p, {p}) for p in periods]
    spans += [
        (f"{periods[i]}..{periods[j]}", set(periods[i : j + 1]))
        for i in range(len(periods))
        for j in range(i + 1, len(periods))
        if (i, j) != (0, len(periods) - 1)
    ]
    out = [Figure(("cell", *c), (c,), n) for c, n in cells.items()]
    groups: dict[tuple, list] = {}
    for u, v, p in cells:
        for g in (("edge", u, v), ("out", u), ("in", v)):
            groups.setdefault(g, []).append((u, v, p))
    for g, cs in groups.items():
        for label, keep in spans:
            part = tuple(sorted(c for c in cs if c[2] in keep))
            if part:
                weight = 0.001 if ".." in label else 1.0
                out.append(Figure((*g, label), part, sum(cells[c] for c in part), weight))
    return out


def force(monkeypatch, figs, how: str) -> None:
    """Make ``figs`` too large for the whole search, and take the path ``how``."""
    parts = {f.cells: f.parts for f in figs}
    cells = {c for p in parts.values() for c in p}
    whole = len(cells) * len(parts)
    widest = closed_size(parts, closed_tables(parts))
    assert widest < whole
    monkeypatch.setattr(secondary, "SEARCH_LIMIT", widest if how == "closed" else widest - 1)
    if how == "hypercubes":
        monkeypatch.setattr(secondary, "SUBTABLE_LIMIT", widest - 1)
    assert secondary.method(figs) == how

    def coarse(*args):
        raise AssertionError("fell back to the coarse protection")

    monkeypatch.setattr(secondary, "_margins", coarse)


def random_three_way(seed: int, small: float = 0.15) -> list[Figure]:
    rng = random.Random(seed)
    nodes = [f"n{i}" for i in range(6)]
    edges = rng.sample([(u, v) for u in nodes for v in nodes if u != v], 12)
    values = {}
    for u, v in edges:
        for p in PERIODS:
            if rng.random() < 0.8:
                values[u, v, p] = rng.randint(1, 4) if rng.random() < small else rng.randint(5, 60)
    return three_way(values)


class TestClosedTables:
    def test_linked_cells_are_cut_two_periods_at_a_time(self):
        P = {("e", q): (("a", q),) for q in ("Q1", "Q2", "Q3", "Q4", "Q5")}
        P["t"] = tuple(("a", q) for q in ("Q1", "Q2", "Q3", "Q4", "Q5"))
        P["x"] = (("x", "Q1"), ("x", "Q2"))  # linked to nothing else: a table of its own
        assert closed_tables(P) == [
            [("a", "Q1"), ("a", "Q2")],
            [("a", "Q3"), ("a", "Q4"), ("a", "Q5")],  # an odd period joins the last pair
            [("x", "Q1"), ("x", "Q2")],
        ]

    def test_complements_are_added_in_the_partner_period(self, monkeypatch):
        # Two edges into one service, four periods: the 2 is hidden with the same edge's cell
        # in the other period of its pair (and the service's volume in both, cheaper than
        # the other edge's cells, shown in three places each), so the all-period totals
        # (each edge's, the service's) stay shown.
        values = {("a", "z", p): n for p, n in zip(PERIODS, (2, 30, 40, 50), strict=True)}
        values |= {("b", "z", p): n for p, n in zip(PERIODS, (20, 25, 35, 45), strict=True)}
        figs = three_way(values)
        force(monkeypatch, figs, "closed")
        p = protect(figs)
        assert ("cell", "a", "z", "Q1") in p.primary
        assert {k for k in p.hidden if k[0] == "cell"} == {
            ("cell", "a", "z", "Q1"),
            ("cell", "a", "z", "Q2"),
        }
        assert {("in", "z", "Q1"), ("in", "z", "Q2")} <= p.secondary
        assert not any(k[-1] == "all" for k in p.hidden)
        assert not any(k[-1] in ("Q3", "Q4") for k in p.secondary)  # the other pair untouched
        assert audit_figures(figs, p.hidden).ok

    def test_random_three_way_tables_end_with_nothing_exposed(self, monkeypatch):
        for seed in range(12):
            figs = random_three_way(seed)
            with monkeypatch.context() as m:
                force(m, figs, "closed")
                p = protect(figs)
            assert p.primary and audit_figures(figs, p.hidden).ok, seed

    def test_the_sub_tables_leave_an_exposure_the_closed_tables_do_not(self, monkeypatch):
        # The two-way sub-tables (each total with the figures inside it) are each safe, but
        # the all-period totals and the ranges tie them together across periods.
        figs = random_three_way(5, small=0.3)
        parts = {f.key: f.parts for f in figs}
        loss = {f.key: cost(f) * f.weight for f in figs}
        prim = {f.key for f in figs if 0 < f.value < 5}
        own = {f.parts[0]: f.value for f in figs if len(f.parts) == 1}
        small = sorted({c for f in figs for c in f.parts}, key=lambda c: (own.get(c, 1e9), c))
        import gridvoices.ecosystem.disclosure.subtables as st

        monkeypatch.setattr(st, "repair", lambda parts, prim, hidden, *a: set(hidden))  # no repair
        hidden = prim | protect_by_subtables(parts, prim, loss, give_back, small)
        assert exposed_figures(parts, hidden, prim)
        force(monkeypatch, figs, "closed")
        assert audit_figures(figs, protect(figs).hidden).ok


class TestHypercubes:
    def test_a_rectangle_keeps_every_total_shown(self):
        values = {
            (u, "z", p): 20 + i for i, (u, p) in enumerate((u, p) for u in "ab" for p in PERIODS)
        }
        values["a", "z", "Q1"] = 3
        figs = three_way(values)
        parts = {f.key: f.parts for f in figs}
        # Totals of several cells dear: a side alone would hide the service's volumes.
        loss = {f.key: cost(f) * f.weight * (100 if len(f.parts) > 1 else 1) for f in figs}
        h = ("cell", "a", "z", "Q1")
        hidden = hypercubes(parts, {h}, [h], loss)
        cells = {k for k in hidden if k[0] == "cell"}
        assert len(cells) == 4 and {("cell", "a", "z", "Q1"), ("cell", "b", "z", "Q1")} <= cells
        # Every figure holding both edges or both periods sums the pattern to zero.
        assert not any(k[-1] == "all" or k[0] == "in" for k in hidden)
        assert exposed_figures(parts, hidden, {h}) == []

    def test_cells_without_periods_hide_every_figure_over_them(self):
        P = {"a": ("a",), "b": ("b",), "t": ("a", "b"), "u": ("b", "c")}
        assert hypercubes(P, {"a"}, ["a"], dict.fromkeys(P, 1.0)) == {"a", "t"}

    def test_a_figure_already_moved_by_a_pattern_needs_none_of_its_own(self):
        values = {(u, "z", p): 30 for u in "ab" for p in PERIODS}
        values["a", "z", "Q1"] = values["b", "z", "Q2"] = 2
        figs = three_way(values)
        parts = {f.key: f.parts for f in figs}
        loss = {f.key: cost(f) * f.weight for f in figs}
        prim = [("cell", "a", "z", "Q1"), ("cell", "b", "z", "Q2")]
        hidden = hypercubes(parts, set(prim), prim, loss)
        assert sum(k[0] == "cell" for k in hidden) == 4  # one rectangle holds both
        assert exposed_figures(parts, hidden, set(prim)) == []

    def test_random_three_way_tables_end_with_nothing_exposed(self, monkeypatch):
        for seed in range(12):
            figs = random_three_way(100 + seed)
            with monkeypatch.context() as m:
                force(m, figs, "hypercubes")
                p = protect(figs)
            assert p.primary and audit_figures(figs, p.hidden).ok, seed


@pytest.mark.parametrize("how", ["closed", "sub-tables", "hypercubes"])
def test_a_generated_ecosystem_above_the_search_limit_exposes_nothing(tmp_path, monkeypatch, how):
    # 40 services / 250 flows through each path: the outputs of all periods, the first and
    # the last period are read back and audited together (sub-tables ~20 s).
    from gridvoices.loaders.generate import write_ecosystem
    from gridvoices.queries.disclosure import figures
    from gridvoices.queries.graph import build_graph
    from gridvoices.stores.store import validate_paths
    from gridvoices.visualise.disclosure_audit import audit

    monkeypatch.setenv("GRIDVOICES_CACHE", "off")  # protections remembered by the whole search
    report, tables = validate_paths([write_ecosystem(tmp_path, 40, 250, seed=3)])
    assert report.valid
    G = build_graph(tables)
    figs = figures(G)
    force(monkeypatch, figs, how)
    p = protect(figs)
    assert p.secondary
    parts = {f.key: f.parts for f in figs}
    assert exposed_figures(parts, p.hidden, p.primary, exact=True) == []
    periods = G.graph["periods"]
    result = audit(tables, [None, [periods[0]], [periods[-1]]])
    assert result.sensitive > 0 and result.exposed == ()


def test_the_shipped_data_is_searched_whole():
    # The small-input path is the exact search of the whole, as before the other paths.
    from gridvoices.queries.disclosure import figures
    from gridvoices.queries.graph import build_graph
    from gridvoices.stores.store import validate_paths

    from gridvoices.demo import DEMO_DATA

    report, tables = validate_paths([DEMO_DATA])
    assert secondary.method(figures(build_graph(tables))) == "exact"
