"""Complementary suppression above the search limit: sub-tables, then the whole checked."""

from __future__ import annotations

import random

import pytest
from gridvoices.ecosystem.disclosure import Figure, audit_figures, exposed_figures, protect
from gridvoices.ecosystem.disclosure.secondary import cost, give_back
from gridvoices.ecosystem.disclosure.subtables import protect_by_subtables, subtables


@pytest.fixture
def large(monkeypatch):
    """Every input counts as too large for the whole search."""
    import gridvoices.ecosystem.disclosure.secondary as secondary

    def coarse(*args):
        raise AssertionError("fell back to the coarse protection")

    monkeypatch.setattr(secondary, "SEARCH_LIMIT", 0)
    monkeypatch.setattr(secondary, "_margins", coarse)


def grid(weight: float = 1.0) -> list[Figure]:
    """A 2 x 2 table with row and column totals and no grand total; x11 = 3 is small."""
    x = {"x11": 3, "x12": 9, "x21": 8, "x22": 20}
    out = [Figure(k, (k,), v) for k, v in x.items()]
    out += [
        Figure("r1", ("x11", "x12"), 12, weight),
        Figure("c1", ("x11", "x21"), 11, weight),
        Figure("r2", ("x21", "x22"), 28),
        Figure("c2", ("x12", "x22"), 29),
    ]
    return out


def setup(figs):
    parts = {f.key: f.parts for f in figs}
    loss = {f.key: cost(f) * f.weight for f in figs}
    own = {f.parts[0]: f.value for f in figs if len(f.parts) == 1}
    small = sorted({c for f in figs for c in f.parts}, key=lambda c: (own.get(c, 1e9), c))
    return parts, loss, small


def test_each_total_is_searched_with_the_figures_inside_it():
    parts, _, _ = setup(grid())
    assert subtables(parts) == [
        ["c1", "x11", "x21"],
        ["c2", "x12", "x22"],
        ["r1", "x11", "x12"],
        ["r2", "x21", "x22"],
    ]


def test_a_total_too_wide_gets_its_own_family_and_its_cells(monkeypatch):
    import gridvoices.ecosystem.disclosure.subtables as st

    monkeypatch.setattr(st, "LOCAL_LIMIT", 10)
    q1, q2, q3 = (("a", "b", q) for q in ("Q1", "Q2", "Q3"))
    parts = {("cell", *c): (c,) for c in (q1, q2, q3)}
    parts[("edge", "a", "b", "all")] = (q1, q2, q3)  # 3 cells x 6 figures inside: too wide
    parts[("edge", "a", "b", "Q1..Q2")] = (q1, q2)
    parts[("in", "b", "Q2..Q3")] = (q2, q3)  # another family: left to its own sub-table
    cells = [("cell", *c) for c in (q1, q2, q3)]
    assert subtables(parts) == [
        sorted(cells + [("edge", "a", "b", "all"), ("edge", "a", "b", "Q1..Q2")], key=repr),
        sorted(cells[:2] + [("edge", "a", "b", "Q1..Q2")], key=repr),
        sorted(cells[1:] + [("in", "b", "Q2..Q3")], key=repr),
    ]


def test_sub_tables_add_complements(large):
    # An edge of three periods with its total: the smallest other period hides with the 2.
    F = [Figure(("c", q), (q,), v) for q, v in {"Q1": 2, "Q2": 30, "Q3": 7}.items()]
    F.append(Figure(("edge", "all"), ("Q1", "Q2", "Q3"), 39))
    p = protect(F)
    assert p.primary == {("c", "Q1")} and p.secondary == {("c", "Q3")}
    assert audit_figures(F, p.hidden).ok


def test_an_exposure_across_sub_tables_is_found_and_repaired():
    # Dear row and column totals: the row's sub-table hides x12, the column's hides x21.
    # Each is safe alone, but r2 - x22 gives x21, and then c1 - x21 gives x11 away.
    figs = grid(weight=10.0)
    parts, loss, small = setup(figs)
    hidden = {"x11"}
    for table in subtables(parts):
        check = {k for k in table if k in {"x11"}}
        if check:
            order = sorted((k for k in table if k not in hidden), key=lambda k: (-loss[k], k))
            local = {k: parts[k] for k in table}
            shown = give_back(local, hidden | set(order), check, order, small)
            hidden |= set(order) - set(shown)
    assert hidden == {"x11", "x12", "x21"}
    assert exposed_figures(parts, hidden, {"x11"}) == ["x11"]
    added = protect_by_subtables(parts, {"x11"}, loss, give_back, small)
    assert {"x12", "x21"} <= added
    assert exposed_figures(parts, added | {"x11"}, {"x11"}) == []


def test_random_tables_end_with_nothing_exposed(large):
    rng = random.Random(11)
    for _ in range(30):
        cells = {f"x{i}": rng.choice([1, 2, 3, 6, 9, 15, 40]) for i in range(9)}
        F = [Figure(k, (k,), v) for k, v in cells.items()]
        for j in range(6):
            cs = tuple(sorted(rng.sample(sorted(cells), rng.randint(2, 5))))
            F.append(Figure(f"t{j}", cs, sum(cells[c] for c in cs)))
        p = protect(F)
        assert audit_figures(F, p.hidden).ok


def test_the_large_path_hides_fewer_totals_than_hiding_every_total_over_a_hidden_cell(large):
    # A 3 x 4 table with its margins and a grand total, one small cell: the coarse rule
    # would hide its row, its column and the grand total.
    rows, cols = range(3), range(4)
    x = {(i, j): 10 + 3 * i + j for i in rows for j in cols}
    x[0, 0] = 2
    F = [Figure(("x", i, j), ((i, j),), v) for (i, j), v in x.items()]
    F += [Figure(("r", i), tuple((i, j) for j in cols), sum(x[i, j] for j in cols)) for i in rows]
    F += [Figure(("c", j), tuple((i, j) for i in rows), sum(x[i, j] for i in rows)) for j in cols]
    F.append(Figure(("T",), tuple(x), sum(x.values())))
    p = protect(F)
    assert audit_figures(F, p.hidden).ok
    assert not {("r", 0), ("c", 0), ("T",)} <= p.secondary


def test_above_the_repair_limit_the_totals_near_an_exposure_stay_hidden(monkeypatch):
    import gridvoices.ecosystem.disclosure.subtables as st

    monkeypatch.setattr(st, "REPAIR_LIMIT", 0)
    figs = grid(weight=10.0)
    parts, loss, small = setup(figs)
    added = protect_by_subtables(parts, {"x11"}, loss, give_back, small)
    assert {"r1", "c1"} <= added  # the visible totals over x11, not given back
    assert exposed_figures(parts, added | {"x11"}, {"x11"}) == []
