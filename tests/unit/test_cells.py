"""The joined-text search of loaders.cells gives each value's answer, as one search per value."""

from __future__ import annotations

import random

import numpy as np
from gridvoices.loaders.cells import _CONTROL, _CONTROL_IN_TEXT, _holding


def _one_by_one(pattern, values: list[str]) -> list[bool]:
    return [pattern.search(v) is not None for v in values]


def test_holding_matches_a_search_per_value():
    rng = random.Random(7)
    alphabet = ["a", "b", " ", "é", "\n", "\t", "\x00", "\u200b", "\x7f", "\ufeff"]
    values = [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 6))) for _ in range(2000)
    ]
    lengths = np.array([len(v) for v in values], dtype=np.int64)
    for pattern in (_CONTROL, _CONTROL_IN_TEXT):
        got = _holding(pattern, values, lengths).tolist()
        assert got == _one_by_one(pattern, values)
        assert any(got) and not all(got)


def test_holding_edges():
    # Empty values next to a hit, a hit at the very start and at the very end.
    values = ["\nx", "", "", "y", "", "z\x00"]
    lengths = np.array([len(v) for v in values], dtype=np.int64)
    assert _holding(_CONTROL, values, lengths).tolist() == [True, False, False, False, False, True]
    assert _holding(_CONTROL, [], np.zeros(0, dtype=np.int64)).tolist() == []
