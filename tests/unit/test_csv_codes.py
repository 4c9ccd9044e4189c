"""The coded CSV reader (loaders/csvcodes.py) gives pandas' strings for a plain file and
hands anything else to pandas, so validation finds the same problems on the same rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gridvoices.loaders.csvcodes import coded_columns
from gridvoices.loaders.csvfiles import read_csv_file, read_csv_tables
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.loaders.tables import distinct_values
from gridvoices.loaders.validate import validate_tables
from gridvoices.stores.store import validate_paths

HEADER = "source,target,period,count,accepted\n"


def _both(tmp_path: Path, content: bytes, entity: str = "referrals"):
    f = tmp_path / f"{entity}.csv"
    f.write_bytes(content)
    coded, issues_c = read_csv_file(entity, f, coded=True)
    plain, issues_p = read_csv_file(entity, f)
    return coded, plain, issues_c, issues_p


def _strings(frame: pd.DataFrame) -> dict[str, list]:
    return {c: frame[c].astype(object).tolist() for c in frame.columns}


def _coded(content: bytes) -> bool:
    start = content.find(b"\n") + 1
    return coded_columns(content, start, content[:start].count(b",") + 1) is not None


PLAIN = [
    # Ids of several word lengths, empty cells, a last line without its line break.
    HEADER + "svc-1,svc-22,2024-Q1,3,\nsvc-22,svc-1,2024-Q2,10,9\nsvc-1,svc-22,2024-Q1,3,",
    # Cells of exactly 8 and 16 bytes and their prefixes, which padding must keep apart.
    HEADER + "abcdefgh,abcdefghijklmnop,2024,1,1\nabcdefg,abcdefghijklmno,2024,1,1\n"
    "abcdefgh,abcdefghijklmnopq,2024,1,1\n",
    # Non-ASCII cells (a word boundary may fall inside a character) and a byte-order mark.
    "\ufeff" + HEADER + "café-ŝ,Café-ŝ,2024-Q1,1,1\ncafé-ŝ,ßß🙂ßß🙂ß,2024-Q1,2,1\n",
    # A cell longer than 64 bytes is decoded one by one; a comma-only row is empty cells.
    HEADER + "x" * 70 + ",y,2024,1,1\n,,,,\n" + "x" * 70 + ",y,2024,1,1\n",
    # Short cells held whole in one word: non-ASCII, exactly 8 bytes, a column all empty.
    HEADER + "é,🙂,ŝŝŝŝ,1,\nx,é,ŝŝŝŝ,,\né,x,ŝŝŝ,1,\n",
    # Spaces inside cells (not after a comma) are the cell's own, as pandas keeps them.
    HEADER + "a b,c d ,2024 ,1 ,1\n",
]

NOT_PLAIN = [
    HEADER + '"svc-1",svc-2,2024-Q1,3,1\n',  # a quote
    HEADER + '"svc\n1",svc-2,2024-Q1,3,1\n',  # a quoted line break
    HEADER.replace("\n", "\r\n") + "svc-1,svc-2,2024-Q1,3,1\r\n",  # CRLF
    HEADER + "svc-1,svc-2,2024-Q1,3,1\n\nsvc-3,svc-2,2024-Q1,3,1\n",  # a blank line
    "id\nsvc-1\n\nsvc-2\n",  # a blank line in a file of one column (no comma to miss)
    "id\nsvc-1\nsvc-2\n\n",  # a blank last line
    HEADER + "svc-1, svc-2,2024-Q1,3,1\n",  # a space after a comma
    HEADER + " svc-1,svc-2,2024-Q1,3,1\n",  # a space starting a line
    HEADER + "svc-1,svc-2,2024-Q1,3\n",  # a short row
    HEADER + "svc-1,svc-2,2024-Q1,3,1,9\n",  # a long row
    HEADER + "svc-1,svc-2,2024-Q1,3,1\nsvc-1,svc-2,2024-Q1,3\nsvc-1,svc-2,2024-Q1,3,1,1\n",
    HEADER + "svc\x011,svc-2,2024-Q1,3,1\n",  # a control character
    HEADER + "svc-1\t,svc-2,2024-Q1,3,1\n",  # a tab
    HEADER,  # no rows
]


@pytest.mark.parametrize("text", PLAIN)
def test_a_plain_file_is_coded_to_pandas_strings(tmp_path, text):
    content = text.encode("utf-8")
    assert _coded(content.removeprefix(b"\xef\xbb\xbf")) or content.startswith(b"\xef")
    coded, plain, issues_c, issues_p = _both(tmp_path, content)
    assert issues_c == issues_p == []
    assert all(isinstance(coded.frame[c].dtype, pd.CategoricalDtype) for c in coded.frame)
    assert list(coded.frame.columns) == list(plain.frame.columns)
    assert _strings(coded.frame) == _strings(plain.frame)


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_any_other_file_is_left_to_pandas(tmp_path, text):
    content = text.encode("utf-8")
    assert not _coded(content)
    coded, plain, issues_c, issues_p = _both(tmp_path, content)
    assert issues_c == issues_p
    if plain is not None:
        assert _strings(coded.frame) == _strings(plain.frame)


def test_random_plain_files_read_as_pandas_reads_them(tmp_path):
    rng = np.random.default_rng(7)
    alphabet = list("abcXYZ-09é ") + ["", "🙂"]
    for trial in range(30):
        ncols, rows = int(rng.integers(1, 5)), int(rng.integers(1, 60))
        cells = [
            "".join(rng.choice(alphabet, size=int(rng.integers(0, 20)))).strip()
            for _ in range(ncols * rows)
        ]
        lines = [",".join(cells[r * ncols : (r + 1) * ncols]) for r in range(rows)]
        if ncols == 1:
            lines = [ln or "x" for ln in lines]  # an empty line is a blank line there
        text = ",".join(f"c{i}" for i in range(ncols)) + "\n" + "\n".join(lines) + "\n"
        coded, plain, _, _ = _both(tmp_path, text.encode("utf-8"))
        assert _strings(coded.frame) == _strings(plain.frame), (trial, text)


def _issues(tables) -> list[str]:
    report, _ = validate_tables(tables)
    return [str(i) for i in report.issues]


def _raw(data: Path, coded: bool):
    if coded:
        return read_csv_tables([data])[0]
    tables = {}
    for f in sorted(data.glob("*.csv")):
        table, _ = read_csv_file(f.stem, f)
        tables[f.stem] = table
    return tables


def _set_line(path: Path, row: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[row - 1]
    lines[row - 1] = lines[row - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_validation_of_coded_tables_is_the_validation_of_strings(tmp_path):
    data = write_ecosystem(tmp_path / "gen", 300, 20_000, seed=11)
    ref = data / "referrals.csv"
    rows = ref.read_text(encoding="utf-8").split("\n")
    # A malformed count deep in the file, an id twin differing only in case, an unknown
    # id and a self-referral: problems the coded path must find on the same rows.
    count = rows[18_000].split(",")
    rows[18_000] = ",".join([*count[:3], "1O", *count[4:]])
    twin = rows[12_000].split(",")
    rows[12_000] = ",".join([twin[0].upper(), *twin[1:]])
    loop = rows[5_000].split(",")
    rows[5_000] = ",".join([loop[0], loop[0], *loop[2:]])
    ref.write_text("\n".join(rows), encoding="utf-8")
    coded, strings = _raw(data, True), _raw(data, False)
    assert isinstance(coded["referrals"].frame["source"].dtype, pd.CategoricalDtype)
    lines = _issues(coded)
    assert lines == _issues(strings)
    assert any(
        ln.startswith("referrals.csv:18001:count: '1O' is not a whole number") for ln in lines
    )
    assert any(ln.startswith("referrals.csv:12001:source:") for ln in lines)
    assert any(ln.startswith("referrals.csv:5001:target:") and "itself" in ln for ln in lines)
    _, typed_c = validate_tables(coded)
    _, typed_s = validate_tables(strings)
    for name, frame in typed_s.items():
        pd.testing.assert_frame_equal(typed_c[name], frame)
        # What the store reuses: the same codes and distinct values, in the same order.
        held_c = typed_c.distinct_of(name, typed_c[name])
        held_s = typed_s.distinct_of(name, frame)
        assert held_c.keys() == held_s.keys()
        for column, (codes, values) in held_s.items():
            np.testing.assert_array_equal(held_c[column][0], codes)
            pd.testing.assert_series_equal(held_c[column][1], values)


def test_validation_of_coded_subsets_renumbers_the_codes(tmp_path):
    # A partial import keeps some rows of a coded table: codes no longer appear in order.
    data = write_ecosystem(tmp_path / "gen", 60, 400, seed=3)
    coded, strings = _raw(data, True), _raw(data, False)
    keep = np.arange(399, -1, -3)
    for tables in (coded, strings):
        t = tables["referrals"]
        t.frame = t.frame.iloc[keep].reset_index(drop=True)
    report_c, typed_c = validate_tables(coded)
    report_s, typed_s = validate_tables(strings)
    assert [str(i) for i in report_c.issues] == [str(i) for i in report_s.issues]
    pd.testing.assert_frame_equal(typed_c["referrals"], typed_s["referrals"])


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # A stray control character: the file goes to pandas, the cell is still named.
        (
            "svc-",
            "svc\x07",
            "contains a control character (e.g. a line break); remove it",
        ),
        # A quoted line break: pandas' path, the cell named on the row where it begins.
        (
            "svc-",
            '"svc\n',
            "contains a control character (e.g. a line break); remove it",
        ),
        # An id in another case: a reference to no service.
        ("svc-", "SVC-", "is not a known service or group id"),
    ],
)
def test_problems_in_a_large_flow_file_keep_their_row(tmp_path, old, new, expected):
    data = write_ecosystem(tmp_path / "gen", 200, 5_000, seed=9)
    ref = data / "referrals.csv"
    if new.startswith('"'):
        line = ref.read_text(encoding="utf-8").split("\n")[4_321 - 1]
        first, rest = line.split(",", 1)
        _set_line(ref, 4_321, line, f'"{first.replace(old, new[1:])}",{rest}')
    else:
        _set_line(ref, 4_321, old, new)
    report, _ = validate_paths([data])
    lines = [str(i) for i in report.issues]
    assert any(ln.startswith("referrals.csv:4321:source:") and expected in ln for ln in lines), (
        lines[:5]
    )


def test_an_empty_flow_file_and_a_header_only_one(tmp_path):
    data = write_ecosystem(tmp_path / "gen", 60, 100, seed=2)
    (data / "referrals.csv").write_bytes(b"")
    lines = [str(i) for i in validate_paths([data])[0].issues]
    assert "referrals.csv: the file is empty (no header row)" in lines
    (data / "referrals.csv").write_bytes(b"\xef\xbb\xbf" + HEADER.encode())
    report, typed = validate_paths([data])
    assert "referrals.csv: warning: the file has no data rows" in [str(i) for i in report.issues]
    assert typed["referrals"].empty


def test_id_twins_and_spaced_duplicates_in_a_coded_services_file(tmp_path):
    data = write_ecosystem(tmp_path / "gen", 300, 100, seed=4)
    services = data / "services.csv"
    lines = services.read_text(encoding="utf-8").rstrip("\n").split("\n")
    one, two = lines[1].split(",", 1), lines[2].split(",", 1)
    # Upper case with a trailing space: a twin; a trailing space alone: the same id.
    lines += [f"{one[0].upper()} ,{one[1]}", f"{two[0]} ,{two[1]}"]
    services.write_text("\n".join(lines) + "\n", encoding="utf-8")
    coded, strings = _raw(data, True), _raw(data, False)
    assert isinstance(coded["services"].frame["id"].dtype, pd.CategoricalDtype)
    found = _issues(coded)
    assert found == _issues(strings)
    n = len(lines)
    assert any(
        ln.startswith(f"services.csv:{n - 1}:id: warning: ") and "differ only in case" in ln
        for ln in found
    )
    assert any(ln.startswith(f"services.csv:{n}:id: duplicate id ") for ln in found)


@pytest.mark.parametrize("content", [b"", b" \n\t\r\n", b"\x1c\x1f\n", " \u3000\n".encode()])
def test_a_file_of_white_space_is_empty_whether_ascii_or_not(tmp_path, content):
    f = tmp_path / "referrals.csv"
    f.write_bytes(content)
    table, issues = read_csv_file("referrals", f, coded=True)
    assert table is None
    assert [str(i) for i in issues] == ["referrals.csv: the file is empty (no header row)"]


def test_an_ascii_header_with_a_quoted_line_break_is_read_whole(tmp_path):
    content = b'source,"tar\nget",period,count,accepted\nsvc-1,svc-2,2024-Q1,3,1\n'
    coded, plain, issues_c, issues_p = _both(tmp_path, content)
    assert issues_c == issues_p == []
    assert list(coded.frame.columns) == ["source", "tar\nget", "period", "count", "accepted"]
    assert _strings(coded.frame) == _strings(plain.frame)


def test_a_categorical_column_with_missing_cells_gives_what_strings_give():
    strings = pd.Series(["b ", None, "a", "b", None], dtype="str")
    codes_c, u_c = distinct_values(strings.astype("category"))
    codes_s, u_s = distinct_values(strings)
    assert codes_c.tolist() == codes_s.tolist() == [0, 1, 2, 3, 1]
    pd.testing.assert_series_equal(u_c, u_s)
