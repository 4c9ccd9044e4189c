"""Raw tables as read, and the helpers every check uses to turn values into issues."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import Column

__all__ = [
    "RawTable",
    "TypedTables",
    "Distinct",
    "ColumnValues",
    "PER_COLUMN_LIMIT",
    "distinct_values",
    "emit",
    "spreadsheet_rows",
]

# Beyond this many problems of one kind in one column, the rest are counted, not listed.
PER_COLUMN_LIMIT = 20


class RawTable:
    """A table of strings as read, with the label errors should name (``services.csv``)."""

    def __init__(self, entity: str, frame: pd.DataFrame, label: str):
        self.entity = entity
        self.frame = frame
        self.label = label


def spreadsheet_rows(mask: np.ndarray | pd.Series) -> np.ndarray:
    """Spreadsheet row numbers (header = 1) of the True positions."""
    return np.flatnonzero(np.asarray(mask)) + 2


def emit(label, column, code, rows, values, message_for) -> Iterator[Issue]:
    for n, (row, value) in enumerate(zip(rows, values, strict=False)):
        if n == PER_COLUMN_LIMIT:
            yield Issue(
                label,
                None,
                column,
                code,
                f"{len(rows) - n} more rows with the same problem in this column",
            )
            return
        yield Issue(label, int(row), column, code, message_for(value))


def distinct_values(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each row's code and the distinct values, stripped.

    Checks run once per distinct value and are spread back to the rows: a flow file
    repeats a few thousand ids and a handful of periods a million times.

    A categorical column (as a plain CSV file is read) is already coded: its codes are
    renumbered in order of first appearance, keeping only the categories some row holds,
    so the result is what factorizing its strings would give.

    >>> codes, u = distinct_values(pd.Series(pd.Categorical([" b", "a", " b"])))
    >>> codes.tolist(), u.tolist()
    ([0, 1, 0], ['b', 'a'])
    """
    if isinstance(series.dtype, pd.CategoricalDtype) and series.hasnans:
        series = series.astype("str")  # a missing cell has no category: as strings
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        uniques = series.cat.categories.to_numpy(dtype=object)
        if _first_appearance(codes, len(uniques)):
            codes = codes.astype(np.intp)
        else:
            codes, order = pd.factorize(codes, use_na_sentinel=False)
            uniques = uniques[order]
        # Every category is a string (as read from a file): no missing values to pass over.
        return codes, pd.Series(list(map(str.strip, uniques.tolist())), dtype="str")
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return codes, pd.Series(_stripped(np.asarray(uniques, dtype=object)), dtype=series.dtype)


def _first_appearance(codes: np.ndarray, count: int) -> bool:
    """Whether ``codes`` use all of ``0 .. count-1``, each first seen after the one before
    (as a plain CSV file's categories are read): then they need no renumbering.

    >>> _first_appearance(np.array([0, 1, 0, 2]), 3), _first_appearance(np.array([1, 0]), 2)
    (True, False)
    """
    if len(codes) == 0 or codes[0] != 0:
        return len(codes) == 0 and count == 0
    # Each code at most one more than the largest before it.
    top = np.maximum.accumulate(codes)
    return int(top[-1]) == count - 1 and bool((codes[1:] <= top[:-1] + 1).all())


def _stripped(values: np.ndarray) -> list:
    """Each string stripped, anything else (a missing value) as it is: ``.str.strip()``
    without pandas' per-value overhead (services have ~360,000 distinct cells)."""
    return [v.strip() if isinstance(v, str) else v for v in values.tolist()]


class ColumnValues:
    """A column as (row codes, distinct stripped values), and its issues by row."""

    def __init__(self, raw: RawTable, col: Column):
        self.label, self.name, self.index = raw.label, col.name, raw.frame.index
        self.codes, self.u = distinct_values(raw.frame[col.name])

    def expand(self, values: pd.Series) -> pd.Series:
        """Per-distinct-value results, one per row again."""
        out = values.take(self.codes)
        out.index = self.index
        return out

    def issues(self, code: str, bad, values, message_for) -> Iterator[Issue]:
        """Issues for the rows whose distinct value is ``bad`` (a mask over the values)."""
        bad = np.asarray(bad, dtype=bool)
        if not bad.any():
            # Nearly always: no value is bad, and no row needs to be looked at.
            return iter(())
        pos = np.flatnonzero(bad[self.codes])
        shown = np.asarray(values, dtype=object)[self.codes[pos]]
        return emit(self.label, self.name, code, pos + 2, shown, message_for)


# Distinct typed values of the single-valued string columns of one table:
# column -> (each row's code, the value of each code).
Distinct = dict[str, tuple[np.ndarray, pd.Series]]


class TypedTables(dict):
    """Entity name -> typed table, as validation returns them, with each table's ``distinct``
    values of its single-valued string columns (the codes validation already computed).

    A store may reuse ``distinct[name]`` for the frame it was computed from (``frame_of``)
    instead of hashing a million values again; any other frame gets nothing.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.distinct: dict[str, tuple[pd.DataFrame, Distinct]] = {}

    def distinct_of(self, name: str, frame: pd.DataFrame) -> Distinct:
        """The distinct values of ``name``'s columns if ``frame`` is the table validated."""
        held = self.distinct.get(name)
        return held[1] if held is not None and held[0] is frame else {}
