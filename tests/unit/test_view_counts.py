"""The disclosure rule as the views apply it: hidden cells, shown totals, block flows, ratios."""

from __future__ import annotations

import itertools

import networkx as nx
from gridvoices.ecosystem.disclosure import Figure, audit_figures
from gridvoices.visualise import counts
from gridvoices.visualise.counts import (
    HIDDEN,
    REMAINDER_PERIOD,
    block_flows,
    drawing_value,
    edge_cells,
    fmt_ratio,
    fmt_shown,
    hide_small,
    period_columns,
    shown_sum,
)


def test_cells_of_one_to_four_are_hidden():
    assert hide_small([0, 1, 4, 5, 12], True) == [0, HIDDEN, HIDDEN, 5, 12]
    assert hide_small([0, 1, 4, 5], False) == [0, 1, 4, 5]
    assert [counts.cell(c, True) for c in (0, 1, 4, 5)] == [0, -1, -1, 5]


def test_totals_of_shown_parts_never_use_hidden_values():
    assert shown_sum([]) == (0, 0)
    assert shown_sum([(100, 0), (0, 1), (0, 1), (7, 0)]) == (107, 2)
    assert fmt_shown((107, 2)) == "107 + *"
    assert fmt_shown((0, 3)) == "*"
    assert fmt_shown((1234, 0)) == "1,234"
    assert fmt_shown((0, 0)) == "0"


def _table(cells: dict) -> nx.DiGraph:
    """A graph of one district pair A -> B whose links carry ``cells`` (link -> count) in Q1."""
    G = nx.DiGraph(periods=["Q1"])
    G.add_node("b", district="B")
    for n, c in cells.items():
        G.add_node(n, district="A")
        G.add_edge(n, "b", referrals=c, by_period={"Q1": c})
    return G


def test_block_flow_is_exact_only_when_the_layer_shows_it():
    def flow(cells, suppress=True):
        return block_flows(_table(cells), lambda a: a.get("district"), suppress)[("A", "B")]

    assert flow({"a1": 10, "a2": 20}) == (30, 0)  # nothing hidden: exact
    assert flow({"a1": 3}) == (0, 1)  # a flow that is itself small
    assert flow({"a1": 3}, False) == (3, 0)
    # 13 - 10 would give the 3 away: either the flow is not exact or the 10 is hidden too.
    G = _table({"a1": 10, "a2": 3})
    mask = counts.Mask(G, True)
    shown = block_flows(G, lambda a: a.get("district"), mask)[("A", "B")]
    assert shown == (10, 1) or (shown == (13, 0) and mask.row("a1", "b", [10], ["Q1"]) == [HIDDEN])


def test_block_flow_never_reveals_a_hidden_cell():
    # Exhaustive over small cases: the shown cells and the flow (when exact), read as
    # equations, never determine a hidden cell of 1-4.
    for k in range(1, 4):
        for hidden in itertools.product(range(1, 5), repeat=k):
            cells = {"a0": 10} | {f"a{i + 1}": h for i, h in enumerate(hidden)}
            G = _table(cells)
            mask = counts.Mask(G, True)
            total, rest = block_flows(G, lambda a: a.get("district"), mask)[("A", "B")]
            figures = [Figure(n, (n,), c) for n, c in cells.items()]
            starred = {n for n, c in cells.items() if mask.row(n, "b", [c], ["Q1"]) == [HIDDEN]}
            if rest:
                assert total == sum(c for n, c in cells.items() if n not in starred)
            else:
                figures.append(Figure("flow", tuple(cells), total))
            assert audit_figures(figures, starred).ok, hidden


def test_period_columns_and_remainder():
    G = nx.DiGraph(periods=["2024-Q1", "2024-Q2"])
    G.add_edge("a", "b", referrals=7, by_period={"2024-Q1": 7})
    assert period_columns(G) == ["2024-Q1", "2024-Q2"]
    G.add_edge("b", "c", referrals=9, by_period={"2023-Q4": 4})  # 5 unaccounted for
    G.add_edge("c", "a", referrals=3)  # hand-made, no by_period
    columns = period_columns(G)
    assert columns == ["2024-Q1", "2024-Q2", "2023-Q4", REMAINDER_PERIOD]
    assert edge_cells(G.edges["a", "b"], columns) == [7, 0, 0, 0]
    assert edge_cells(G.edges["b", "c"], columns) == [0, 0, 4, 5]
    assert edge_cells(G.edges["c", "a"], columns) == [0, 0, 0, 3]


def test_block_flows_partition_cells():
    G = nx.DiGraph(periods=["Q1", "Q2"])
    for n, d in [("a1", "A"), ("a2", "A"), ("b1", "B")]:
        G.add_node(n, district=d)
    G.add_edge("a1", "b1", referrals=5, by_period={"Q1": 3, "Q2": 2})
    G.add_edge("a2", "b1", referrals=12, by_period={"Q1": 12})
    G.add_edge("b1", "a1", referrals=4, by_period={"Q2": 4})
    G.add_edge("a1", "a2", referrals=0, by_period={}, peer_kind="links_with")
    flows = block_flows(G, lambda a: a.get("district"), True)
    # A -> B: 12 shown, a1 -> b1's 3 and 2 hidden; the layer decides whether 17 is shown.
    assert flows[("A", "B")] in {(17, 0), (12, 2), (0, 3)}
    assert flows[("B", "A")] == (0, 1)
    assert block_flows(G, lambda a: a.get("district"), False)[("B", "A")] == (4, 0)


def test_ratios_from_inexact_counts_are_starred():
    assert fmt_ratio((12, 0), 24.0) == "0.50"
    assert fmt_ratio((12, 1), 24.0) == "*"
    assert fmt_ratio((12, 0), 0) == "n/a"
    assert fmt_ratio((3, 0), 12, "{:.0%}") == "25%"


def test_drawing_depends_only_on_what_is_shown():
    assert drawing_value((100, 0)) == 100
    assert drawing_value((100, 2)) == 105
