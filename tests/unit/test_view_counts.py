"""The disclosure rule as the views apply it: hidden cells, shown totals, block flows, ratios."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from gridvoices.visualise import counts
from gridvoices.visualise.counts import (
    HIDDEN,
    REMAINDER_PERIOD,
    block_flows,
    block_total,
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


@pytest.mark.parametrize(
    ("cells", "shown"),
    [
        ([10, 20], (30, 0)),  # nothing hidden: exact
        ([10, 3], (10, 1)),  # one hidden: 13 - 10 would give 3 away
        ([3], (0, 1)),  # a total that is itself small
        ([10, 1, 1], (10, 2)),  # two hidden summing to 2: both must be 1
        ([10, 4, 4], (10, 2)),  # two hidden summing to 8: both must be 4
        ([10, 1, 2], (10, 2)),  # the hidden sum 3 is itself a small count
        ([10, 2, 3], (15, 0)),  # 5 = 1+4 = 2+3 = ...: cannot be worked out
        ([10, 3, 4], (17, 0)),
        ([1, 1, 1, 1, 1], (0, 5)),  # five 1s: pinned down
        ([1, 1, 1, 1, 2], (6, 0)),
    ],
)
def test_block_total_is_exact_only_when_hidden_cells_stay_hidden(cells, shown):
    assert block_total(cells, True) == shown
    assert block_total(cells, False) == (sum(cells), 0)


def test_block_total_never_reveals_a_single_hidden_cell():
    # Exhaustive over small cases: whenever the exact total is published, at least two
    # assignments of the hidden cells give the same total (so none can be recovered).
    for k in range(1, 5):
        for hidden in itertools.product(range(1, 5), repeat=k):
            total, rest = block_total([10, *hidden], True)
            if rest:
                assert total == 10
                continue
            same = [
                h
                for h in itertools.product(range(1, 5), repeat=k)
                if sum(h) == sum(hidden) and h != hidden
            ]
            assert same, hidden
            assert sum(hidden) >= 5


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
    assert flows == {("A", "B"): (17, 0), ("B", "A"): (0, 1)}
    assert block_flows(G, lambda a: a.get("district"), False)[("B", "A")] == (4, 0)


def test_ratios_from_inexact_counts_are_starred():
    assert fmt_ratio((12, 0), 24.0) == "0.50"
    assert fmt_ratio((12, 1), 24.0) == "*"
    assert fmt_ratio((12, 0), 0) == "n/a"
    assert fmt_ratio((3, 0), 12, "{:.0%}") == "25%"


def test_drawing_depends_only_on_what_is_shown():
    assert drawing_value((100, 0)) == 100
    assert drawing_value((100, 2)) == 105
