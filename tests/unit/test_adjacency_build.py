"""The compact referral graph's build (stores.adjacency.build) on rows small enough to check
by hand, from plain arrays and from categoricals whose ends share one dictionary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gridvoices.stores.adjacency import build

SERVICES, GROUPS = ["s1", "s2"], ["g1"]
ROWS = [  # source, target, period, count
    ("s2", "g1", "2024-Q3", 1),
    ("s1", "s2", "2024-Q2", 3),
    ("s1", "s2", "2024-Q1", 0),  # no flow: a period stored, no edge from it
    ("g1", "s1", "2024-Q1", 2),
    ("s1", "s2", "2024-Q3", 4),
    ("s1", "g1", "2024-Q4", 0),
]


def _plain():
    s, t, p, c = (np.array(x, dtype=object) for x in zip(*ROWS, strict=True))
    return build(SERVICES, GROUPS, s, t, p, c.astype(np.int64))


def _shared():
    ends = pd.Index(sorted({r[0] for r in ROWS} | {r[1] for r in ROWS}), dtype=object)
    s, t, p, c = zip(*ROWS, strict=True)
    cat = [pd.Categorical(x, categories=ends) for x in (s, t)]
    return build(SERVICES, GROUPS, *cat, pd.Categorical(p), np.array(c))


@pytest.mark.parametrize("make", [_plain, _shared])
def test_build_by_hand(make):
    a = make()
    assert a.ids == ["s1", "s2", "g1"] and a.n_services == 2
    assert a.all_periods == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert a.periods == ["2024-Q1", "2024-Q2", "2024-Q3"]  # those with a positive row
    # Edges by (source node, target id): s1->g1 had no positive row.
    assert list(zip(a.eu.tolist(), a.ev.tolist(), strict=True)) == [(0, 1), (1, 2), (2, 0)]
    # Positive rows in input order: s2->g1, s1->s2 (Q2), g1->s1, s1->s2 (Q3).
    assert a.row_edge.tolist() == [1, 0, 2, 0]
    assert [a.periods[i] for i in a.row_period] == ["2024-Q3", "2024-Q2", "2024-Q1", "2024-Q3"]
    assert a.row_count.tolist() == [1, 3, 2, 4]
    assert a.flows(["2024-Q3"]).tolist() == [4, 1, 0]


def test_an_end_not_stored_is_refused():
    s, t, p, c = (np.array(x, dtype=object) for x in zip(*ROWS, strict=True))
    with pytest.raises(ValueError, match="not stored"):
        build(["s1"], GROUPS, s, t, p, c.astype(np.int64))
