"""loaders.cells: the joined-text search and the id-twin check give the answers of the plain way."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.loaders.cells import _CONTROL, _CONTROL_IN_TEXT, _holding, check_text
from gridvoices.loaders.tables import ColumnValues, RawTable


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


def test_id_twins_ascii_and_unicode():
    """ASCII ids take the short way (lower case); the others NFKC and case folding."""
    ids = ["S1", "s1", "Caf\u00e9", "Cafe\u0301", "T2", "S1", "\uff33\uff29", "si"]
    raw = RawTable("services", pd.DataFrame({"id": pd.Series(ids, dtype=str)}), "services.csv")
    col = ENTITIES["services"].column("id")
    c = ColumnValues(raw, col)
    blank = (c.u == "").to_numpy(dtype=bool)
    got = [(i.row, i.message.split(" differ")[0]) for i in check_text(c, col, blank)]
    assert got == [
        (3, "'s1' and 'S1'"),
        (5, "'Cafe\u0301' and 'Caf\u00e9'"),
        (9, "'si' and '\uff33\uff29'"),
    ]
