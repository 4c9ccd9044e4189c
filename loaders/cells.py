"""What no cell may hold: too much text, control characters in ids, ids that only look different.

Partners paste from many places; an id with a line break stored once breaks every
later lookup by id, and ``S1``/``s1`` become two services nobody meant.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import numpy as np
import pandas as pd
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import Column
from gridvoices.loaders.tables import ColumnValues

__all__ = ["check_text", "MAX_CELL"]

# A cell longer than this is no partner's data (a 200 MB cell took 1.7 GB to store).
MAX_CELL = 100_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_CONTROL_IN_TEXT = re.compile(r"\x00")


def check_text(c: ColumnValues, col: Column, blank: np.ndarray) -> Iterator[Issue]:
    """Sizes and characters that no column may hold, and ids that only look different."""
    u = c.u.astype(str)
    values = u.tolist()
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    long = lengths > MAX_CELL
    yield from c.issues(
        "too-long",
        long,
        lengths,
        lambda n: f"the cell holds {n:,} characters; at most {MAX_CELL:,} are accepted",
    )
    # An id with a line break or other control character breaks every lookup made by id.
    pattern = _CONTROL_IN_TEXT if col.type == "text" else _CONTROL
    ctrl = ~long & ~blank & _holding(pattern, values, lengths)
    what = "a NUL byte" if col.type == "text" else "a control character (e.g. a line break)"
    yield from c.issues(
        "control-character", ctrl, u, lambda v: f"{v[:40]!r} contains {what}; remove it"
    )
    if col.type == "id":
        yield from _twins(c, u.where(~blank & ~long & ~ctrl, ""))


def _holding(pattern: re.Pattern, values: list[str], lengths: np.ndarray) -> np.ndarray:
    """Which values hold a character of ``pattern`` (one character class).

    One search over the values joined end to end instead of one per value: a national
    services file has ~360,000 distinct cells, and a search per cell cost ~0.3 s. A class
    matches one character, so no match can span two values.

    >>> _holding(_CONTROL, ["ab", "c\\nd", "", "e\\tf"], np.array([2, 3, 0, 3])).tolist()
    [False, True, False, True]
    """
    hit = np.zeros(len(values), dtype=bool)
    joined = "".join(values)
    ends = np.cumsum(lengths)
    found = pattern.search(joined)
    while found is not None:
        # The value holding this character; the search goes on after that value.
        i = int(np.searchsorted(ends, found.start(), side="right"))
        hit[i] = True
        found = pattern.search(joined, int(ends[i]))
    return hit


def _twins(c: ColumnValues, u: pd.Series) -> Iterator[Issue]:
    """Warn about ids equal but for case or Unicode form (``S1``/``s1``, ``Café``/``Café``)."""
    # Plain lists: stepping through a pandas string array value by value is several times
    # slower, and a national file has ~90,000 distinct ids.
    values = u.tolist()
    twin, other = _ascii_twins(values)
    if twin is None:
        twin, other = _unicode_twins(values)
    # Only the twins are ever shown: the other values need no pair.
    pairs = pd.Series(
        [f"{v!r}|{o!r}" if t else None for v, o, t in zip(values, other, twin, strict=True)],
        dtype=object,
    )
    for issue in c.issues(
        "id-twins",
        twin,
        pairs,
        lambda p: (
            "{} and {} differ only in case or Unicode form; they would be two "
            "different records: use one spelling".format(*p.split("|", 1))
        ),
    ):
        yield Issue(issue.file, issue.row, issue.column, issue.code, issue.message, "warning")


def _ascii_twins(values: list[str]) -> tuple[np.ndarray | None, list]:
    """:func:`_unicode_twins` for ids all in ASCII (nearly all are), in C loops: the ids
    lower-cased as one string, each folded id's first spelling found by a dict built
    backwards. ``(None, [])`` when an id is not ASCII or holds a line break.

    >>> twin, other = _ascii_twins(["S1", "s1", "", "b", "S1"])
    >>> twin.tolist(), other
    ([False, True, False, False, False], [None, 'S1', None, None, None])
    """
    joined = "\n".join(values)
    if not joined.isascii() or joined.count("\n") != len(values) - 1:
        return None, []
    folded = joined.lower().split("\n") if values else []
    first = dict(zip(reversed(folded), reversed(values), strict=True))
    firsts = list(map(first.__getitem__, folded))
    twin = np.fromiter(map(str.__ne__, firsts, values), dtype=bool, count=len(values))
    return twin, [f if t else None for f, t in zip(firsts, twin.tolist(), strict=True)]


def _unicode_twins(values: list[str]) -> tuple[np.ndarray, list]:
    """Which ids fold (case, NFKC) to an earlier id spelled otherwise, and that spelling."""
    first: dict[str, str] = {}
    twin = np.zeros(len(values), dtype=bool)
    other: list = [None] * len(values)
    for i, v in enumerate(values):
        if not v:
            continue
        # NFKC leaves ASCII as it is, and ASCII ids are nearly all of them.
        f = v.lower() if v.isascii() else unicodedata.normalize("NFKC", v).casefold()
        if f in first and first[f] != v:
            twin[i], other[i] = True, first[f]
        first.setdefault(f, v)
    return twin, other
