"""Inputs that must not break the store, and messages a partner can act on (issue 15)."""

from __future__ import annotations

import json
import stat
import zipfile

import pytest
from gridvoices.ecosystem.issues import StoreError
from gridvoices.stores.locks import StoreBusy
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths, import_wait, validate_paths

from tests.conftest import edit_csv


def _lines(paths) -> list[str]:
    report, _ = validate_paths(paths)
    return [str(i) for i in report.issues]


def test_an_id_with_a_line_break_is_refused(tiny):
    edit_csv(tiny / "groups.csv", "G1,", '"G1\nx",')
    assert (
        "groups.csv:2:id: 'G1\\nx' contains a control character (e.g. a line break); "
        "remove it" in _lines([tiny])
    )


def test_ids_differing_only_in_case_or_form_are_flagged(tiny):
    text = (tiny / "services.csv").read_text()
    last = text.splitlines()[-1]
    (tiny / "services.csv").write_text(text + last.replace("S3", "s3", 1) + "\n")
    assert any(
        "'s3' and 'S3' differ only in case or Unicode form" in line and "warning" in line
        for line in _lines([tiny])
    )


def test_a_nul_byte_and_a_huge_cell_are_refused(tiny):
    edit_csv(tiny / "groups.csv", "G1,", 'G1,"x\x00y" ')
    lines = _lines([tiny])
    assert any("contains a NUL byte; remove it" in line for line in lines)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "99999999999999999999999",
            "99999999999999999999999 is too large (at most 9,007,199,254,740,992)",
        ),
        ("1e400", "'1e400' is not a whole number"),
        ("inf", "'inf' is not a whole number"),
    ],
)
def test_numbers_out_of_any_range_are_issues_not_tracebacks(tiny, value, message):
    edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q1,12,", f"S1,S2,2024-Q1,{value},")
    assert f"referrals.csv:2:count: {message}" in _lines([tiny])


def test_a_duplicated_header_names_the_column_as_written(tiny):
    text = (tiny / "groups.csv").read_text().splitlines()
    text = [text[0] + ",Id", *(line + ",x" for line in text[1:])]
    (tiny / "groups.csv").write_text("\n".join(text) + "\n")
    lines = _lines([tiny])
    assert any(
        line.startswith("groups.csv:1:Id: the column 'Id' appears twice in the header")
        for line in lines
    )
    assert not any("id.1" in line for line in lines)


def test_an_unclosed_quote_names_its_line_and_stops_the_cascade(tiny):
    text = (tiny / "services.csv").read_text().splitlines()
    text[2] = text[2].replace(",", ',"', 1)  # line 3 opens a quote never closed
    (tiny / "services.csv").write_text("\n".join(text) + "\n")
    lines = _lines([tiny])
    assert lines[0].startswith('services.csv:3: a quote (") opens a cell on this line')
    assert not any("is not a known service" in line for line in lines)
    assert any("references to services in other files were not checked" in line for line in lines)


def test_an_encoding_error_names_the_line_without_a_cascade(tiny):
    data = (tiny / "services.csv").read_bytes().replace(b"Hub", b"H\xe9b")
    (tiny / "services.csv").write_bytes(data)
    lines = _lines([tiny])
    assert "services.csv:3: byte 0xe9 is not valid UTF-8; save the file as CSV UTF-8" in lines
    assert not any("is not a known service" in line for line in lines)


def test_a_workbook_bomb_is_refused_before_parsing(tmp_path):
    bomb = tmp_path / "partners.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 50_000_000 + b"</a>")
    lines = _lines([bomb])
    assert len(lines) == 1
    assert lines[0].startswith("partners.xlsx: its part xl/worksheets/sheet1.xml expands ")
    assert lines[0].endswith(
        " times over: not a workbook a spreadsheet program wrote; save it again from Excel"
    )


def test_json_nested_too_deeply_is_an_issue(tmp_path):
    deep = tmp_path / "feed.json"
    depth = 100_000
    deep.write_text('{"content": [{"id": "x", "name": ' + "[" * depth + "]" * depth + "}]}")
    lines = _lines([deep])
    assert lines == [
        "feed.json: the file is nested too deeply to be partner data (lists inside lists "
        "thousands of levels deep); check it is the right file"
    ]
    json.loads("[1]")  # the interpreter is fine afterwards


def test_the_store_is_readable_by_its_owner_only(tiny, tmp_path):
    with SQLiteStore(tmp_path / "ws" / "gridvoices.sqlite") as s:
        import_paths(s, [tiny])
    for f in (tmp_path / "ws").iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name


def test_a_second_writer_is_told_who_holds_the_store(tiny, tmp_path):
    db = tmp_path / "gridvoices.sqlite"
    with SQLiteStore(db) as holder, SQLiteStore(db) as other, holder.writing():
        with pytest.raises(StoreBusy) as busy:
            import_paths(other, [tiny], wait=0)
        message = str(busy.value)
        assert message.startswith(f"the store {db} is being written by pid ")
        assert message.endswith("run again when it has finished, or pass --wait to queue behind it")
        with pytest.raises(StoreBusy, match="; waited 0 s"):
            import_paths(other, [tiny], wait=0.3)
    with SQLiteStore(db) as s:
        import_paths(s, [tiny])  # released: the next import runs


def test_import_wait_reads_the_environment(monkeypatch):
    monkeypatch.setenv("GRIDVOICES_WAIT", "forever")
    assert import_wait() == float("inf")
    monkeypatch.setenv("GRIDVOICES_WAIT", "2.5")
    assert (import_wait(), import_wait(1)) == (2.5, 1.0)
    monkeypatch.setenv("GRIDVOICES_WAIT", "soon")
    with pytest.raises(StoreError, match="give seconds to wait, or 'forever'"):
        import_wait()
