"""Read a plain CSV body straight into per-column codes and distinct values.

A flow file is a million rows of a few thousand ids, four periods and small counts.
Parsed as strings, every cell becomes a Python object that validation then hashes again
to find the distinct values (0.45 s to parse and 0.3 s to hash, for 1,000,000 flows).
Here the separators are found with numpy, each cell's bytes are read as 8-byte words
and the words are numbered (``pd.factorize`` on integers); only the distinct cells are
ever decoded.

Only a *plain* body is read this way: no quotes, no carriage returns or other control
bytes, no blank lines, no spaces after a comma or at the start of a line, and the same
number of cells on every line as in the header. Anything else returns ``None`` and the
caller parses the file with pandas, so quoting, ragged rows and the exact file:row:column
errors stay pandas' and the validator's. For a plain body both give the same strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["coded_columns", "coded_frame"]

# A column with a cell longer than this many words (free text) is decoded whole instead.
_MAX_WORDS = 8
# Masks keeping the first n bytes of a little-endian 8-byte word (n = 0..8).
_KEEP = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [2**64 - 1], dtype=np.uint64)
_PAD = b"\0" * (8 * _MAX_WORDS + 8)
# A hash table starts this small and grows: sized for every row (pandas' default), it is
# tens of MB of fresh memory for a column of four periods.
_HINT = 1024

Coded = tuple[np.ndarray, list[str]]


def coded_columns(data: bytes, start: int, ncols: int) -> list[Coded] | None:
    """Each column's row codes (first appearance = 0, 1, ...) and its distinct cells.

    ``data[start:]`` is the file after the header line (UTF-8, already checked; the
    header holds no quote). ``None`` when that body is not plain (see the module notes)
    or has a line whose number of cells is not ``ncols``.

    >>> [(c.tolist(), u) for c, u in coded_columns(b"x,y\\na,1\\nb,2\\na,1", 4, 2)]
    [([0, 1, 0], ['a', 'b']), ([0, 1, 0], ['1', '2'])]
    >>> coded_columns(b"x,y\\na,1\\nb\\n", 4, 2) is None
    True
    """
    view = memoryview(data)[start:]
    if not view or view[:1] in (b"\n", b" ") or b'"' in data:
        return None
    # One copy: the body, a last line break if missing, and room to read 8-byte words
    # past the last cell.
    buf = b"".join((view, b"" if data.endswith(b"\n") else b"\n", _PAD))
    size = len(buf) - len(_PAD)
    raw = np.frombuffer(buf, dtype=np.uint8)
    body = raw[:size]
    # Two masks over the file, reused: each new one is ~30 MB of fresh pages for 1M flows.
    newline = body == ord("\n")
    rows = int(np.count_nonzero(newline))
    mask = np.less(body, 0x20)
    # Control bytes (\r, \t, NUL ...) other than the line breaks: pandas' rules, not ours.
    if int(np.count_nonzero(mask)) != rows:
        return None
    np.equal(body, ord(","), out=mask)
    ends = np.flatnonzero(np.logical_or(mask, newline, out=mask))
    del mask, newline
    if len(ends) != rows * ncols or not (body[ends[ncols - 1 :: ncols]] == ord("\n")).all():
        return None  # a ragged line: pandas says what is wrong with it
    # A blank line (pandas skips it), a space after a comma or a line break (pandas'
    # skipinitialspace drops it). A flow file has no space at all: one quick look.
    if (raw[ends[ncols - 1 :: ncols] + 1] == ord("\n")).any():
        return None
    if b" " in data and (raw[ends + 1] == ord(" ")).any():
        return None
    grid = ends.reshape(rows, ncols)
    line_starts = np.empty(rows, dtype=ends.dtype)
    line_starts[0] = 0
    line_starts[1:] = grid[:-1, -1] + 1
    # Every 8-byte window of the body, overlapping: window[i] holds bytes i .. i+7.
    window = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    out = []
    for j in range(ncols):
        starts = line_starts if j == 0 else grid[:, j - 1] + 1
        out.append(_column(raw, window, starts, grid[:, j] - starts))
    return out


def _column(raw: np.ndarray, window: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> Coded:
    longest = int(lengths.max())
    if longest > 8 * _MAX_WORDS:
        cells = np.array(_decoded(raw, starts, lengths), dtype=object)
        codes, uniques = pd.factorize(cells, use_na_sentinel=False)
        return codes, list(uniques)
    # No cell holds a NUL (a control byte), so a cell is its bytes padded with zeros:
    # equal words, equal cells. Each word is numbered, then the numbers are combined.
    codes, words = _words(window, starts, lengths, 0)
    if longest <= 8:
        # One word a cell (periods, counts, short ids): numbered as they first appear,
        # and each distinct word is its cell's bytes.
        return codes, _from_words(words)
    count = len(words)
    for w in range(1, -(-longest // 8)):
        number, distinct = _words(window, starts, lengths, w)
        if len(distinct) > 1:
            codes, count = _dense(codes * len(distinct) + number, count * len(distinct))
    codes, first = _first_order(codes, count)
    return codes, _decoded(raw, starts[first], lengths[first])


def _from_words(words: np.ndarray) -> list[str]:
    """The cells held whole in 8-byte words (no cell holds a NUL: the padding is dropped).

    >>> _from_words(np.frombuffer(b"2024-Q1\\0" + bytes(8) + b"caf\\xc3\\xa9\\0\\0\\0", "<u8"))
    ['2024-Q1', '', 'café']
    """
    cells = np.frombuffer(words.astype("<u8").tobytes(), dtype="S8").tolist()
    return b"\n".join(cells).decode("utf-8").split("\n")


def _decoded(raw: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> list[str]:
    """The cells at ``starts`` as strings, decoded in one go: copied end to end with a line
    break after each (no cell holds one), decoded once and split (the national files have
    ~360,000 distinct cells; one ``decode`` each took ~0.1 s).

    >>> raw = np.frombuffer(b"ab,c\\xc3\\xa9,,d\\n", dtype=np.uint8)
    >>> _decoded(raw, np.array([0, 3, 7, 8]), np.array([2, 3, 0, 1]))
    ['ab', 'cé', '', 'd']
    """
    step = lengths + 1
    ends = np.cumsum(step)
    at = np.repeat(starts - (ends - step), step) + np.arange(int(ends[-1]) if len(ends) else 0)
    joined = raw[at]
    joined[ends - 1] = ord("\n")
    return joined.tobytes().decode("utf-8").split("\n")[:-1]


def _words(
    window: np.ndarray, starts: np.ndarray, lengths: np.ndarray, w: int
) -> tuple[np.ndarray, np.ndarray]:
    """The numbered ``w``-th 8-byte word of each cell (zeros past its end), and the
    distinct words in order of first appearance."""
    left = np.clip(lengths - 8 * w, 0, 8)
    word = window[starts + 8 * w]
    word &= _KEEP[left]
    number, distinct = pd.factorize(word, size_hint=_HINT)
    return number, distinct


def _dense(keys: np.ndarray, span: int) -> tuple[np.ndarray, int]:
    """``keys`` (each in ``0 .. span-1``) numbered ``0 .. k-1``, in any order."""
    if span > 4 * len(keys) + 1024:
        number, distinct = pd.factorize(keys, size_hint=_HINT)
        return number, len(distinct)
    # Few enough possible keys for a table: no hashing.
    held = np.zeros(span, dtype=bool)
    held[keys] = True
    rank = np.cumsum(held) - 1
    return rank[keys], int(rank[-1]) + 1


def _first_order(codes: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """``codes`` renumbered in order of first appearance, and each code's first row."""
    first = np.full(count, len(codes), dtype=np.intp)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.intp))
    order = np.argsort(first, kind="stable")
    rank = np.empty(count, dtype=np.intp)
    rank[order] = np.arange(count, dtype=np.intp)
    return rank[codes], first[order]


def coded_frame(data: bytes, start: int, names: list[str]) -> pd.DataFrame | None:
    """``data[start:]`` as a frame of categorical string columns named ``names``, or
    ``None`` when it is not plain. The categories are each column's distinct cells."""
    coded = coded_columns(data, start, len(names))
    if coded is None:
        return None
    columns = {}
    for j, (codes, uniques) in enumerate(coded):
        categories = pd.Index(uniques, dtype="str")
        columns[j] = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))
    frame = pd.DataFrame(columns)
    frame.columns = names
    return frame
