"""The partner workbook: the template a person fills in, and reading it back exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from gridvoices.ecosystem.schema import ENTITIES, ENTITY_ORDER
from gridvoices.loaders import excel, excel_template
from gridvoices.loaders.excel import read_workbook, write_workbook
from gridvoices.stores.store import import_paths, open_store, validate_paths
from typer.testing import CliRunner

import gridvoices.cli.main  # noqa: F401 - registers the commands on the shared app
from gridvoices.cli.common import app
from tests.conftest import DERBYSHIRE

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def derbyshire_strings() -> dict[str, pd.DataFrame]:
    return {
        n: pd.read_csv(DERBYSHIRE / ENTITIES[n].filename, dtype=str, keep_default_na=False)
        for n in ENTITY_ORDER
    }


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("wb") / "partners.xlsx", derbyshire_strings())


def copy_of(filled: Path, tmp_path: Path) -> Path:
    target = tmp_path / "partners.xlsx"
    target.write_bytes(filled.read_bytes())
    return target


def messages(path: Path) -> list[str]:
    report, _ = validate_paths([path])
    return [str(i) for i in report.issues]


# --------------------------------------------------------------------------- the template


def test_template_has_instructions_sheets_headers_comments_and_frozen_rows(tmp_path):
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "t.xlsx"))
    assert wb.sheetnames == ["instructions", *ENTITY_ORDER]
    assert "partner workbook" in wb["instructions"]["A1"].value
    for name in ENTITY_ORDER:
        ws, entity = wb[name], ENTITIES[name]
        header = [c.value for c in ws[1]]
        assert header == entity.column_names
        assert ws.freeze_panes == "A2"
        for cell, col in zip(ws[1], entity.columns, strict=True):
            assert cell.comment is not None and col.help in cell.comment.text
            assert ws.column_dimensions[cell.column_letter].width >= len(col.name) + 2


def _validations(ws) -> dict[str, object]:
    """Column letter -> its data validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[rng.coord.split(":")[0].rstrip("0123456789")] = dv
    return out


def test_every_enumerated_column_has_a_drop_down(tmp_path):
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "t.xlsx"))
    for name in ENTITY_ORDER:
        ws = wb[name]
        dvs = _validations(ws)
        for cell, col in zip(ws[1], ENTITIES[name].columns, strict=True):
            if col.type in ("enum", "enum_list", "bool"):
                dv = dvs[cell.column_letter]
                assert dv.type == "list"
                allowed = ("yes", "no") if col.type == "bool" else col.choices
                assert dv.formula1 == '"' + ",".join(allowed) + '"'
                assert str(dv.sqref).endswith("1048576")
    chime = _validations(wb["services"])["F"]  # a ';' list: pick one, may type several
    assert not chime.showErrorMessage and "separated by ';'" in chime.prompt
    domain = _validations(wb["services"])["E"]
    assert domain.showErrorMessage and domain.errorStyle in (None, "stop")


def test_district_columns_offer_the_ids_on_the_districts_sheet(tmp_path):
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "t.xlsx"))
    group_district = _validations(wb["groups"])["D"]
    assert "'districts'!$A$2" in group_district.formula1
    assert group_district.errorStyle == "warning"  # the id may already be in the store
    service_districts = _validations(wb["services"])["D"]
    assert "'districts'!$A$2" in service_districts.formula1
    assert not service_districts.showErrorMessage
    assert _validations(wb["referrals"])["D"].type == "whole"
    assert _validations(wb["peer_links"])["D"].formula2 == "1"


def test_period_and_id_columns_are_text_so_excel_keeps_2024_03(tmp_path):
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "t.xlsx"))
    assert wb["referrals"].column_dimensions["C"].number_format == "@"
    assert wb["districts"].column_dimensions["A"].number_format == "@"


def test_a_list_too_long_to_type_refers_to_the_instructions_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(excel_template, "_INLINE_LIST_MAX", 10)
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "t.xlsx"))
    ref = _validations(wb["services"])["E"].formula1
    assert ref.startswith("'instructions'!$")
    cells = wb["instructions"][ref.split("!")[1].replace("$", "")]
    assert [c[0].value for c in cells] == list(ENTITIES["services"].column("domain").choices)


# --------------------------------------------------------------------------- round trip


def test_filled_workbook_round_trips_exactly_through_the_store(filled, tmp_path):
    via_csv = open_store("embedded", workspace=tmp_path / "csv")
    via_xlsx = open_store("embedded", workspace=tmp_path / "xlsx")
    try:
        import_paths(via_csv, [DERBYSHIRE])
        result = import_paths(via_xlsx, [filled])
        assert result.report.issues == []
        a, b = via_csv.read(), via_xlsx.read()
        assert set(a) == set(b) == set(ENTITIES)
        for name in ENTITIES:
            assert len(b[name]) > 0
            pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)
    finally:
        via_csv.close()
        via_xlsx.close()


def test_cells_read_as_a_person_sees_them_in_any_sheet_order(filled, tmp_path):
    path = copy_of(filled, tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.move_sheet("referrals", offset=-6)  # sheets in any order
    wb.move_sheet("instructions", offset=5)
    refs = wb["referrals"]
    refs["D2"] = 2.0  # a count typed as a float shows as 2
    ws = wb["services"]
    ws["G2"], ws["H2"] = False, True  # Excel booleans are yes/no
    ws["B3"] = dt.datetime(2024, 3, 1)  # a date where a name belongs
    ws["A60"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")  # formatted, empty
    wb.create_sheet("notes")["A1"] = "my own notes"
    wb.save(path)
    raw, issues = read_workbook(path)
    assert [str(i) for i in issues] == [
        "partners.xlsx#notes: warning: sheet 'notes' is not part of the format and is ignored "
        "(sheets: districts, organisations, services, groups, navigators, referrals, peer_links, "
        "feedback)"
    ]
    services = raw["services"].frame
    assert len(services) == 43  # trailing empty rows are not data
    assert services.loc[0, ["lived_experience_led", "active"]].tolist() == ["no", "yes"]
    assert services.loc[1, "name"] == "2024-03-01"
    assert raw["referrals"].frame.loc[0, "count"] == "2"
    assert raw["services"].label == "partners.xlsx#services"


def test_cell_text():
    assert excel.cell_text(12.0) == "12"
    assert excel.cell_text(0.1 + 0.2) == "0.3"
    assert excel.cell_text(dt.datetime(2024, 3, 1, 9, 30)) == "2024-03-01 09:30:00"
    assert excel.cell_text(dt.date(2024, 3, 1)) == "2024-03-01"
    assert excel.cell_text(7) == "7"


def test_errors_name_workbook_sheet_row_and_column(filled, tmp_path):
    path = copy_of(filled, tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["services"]["E4"] = "bogus"
    wb["referrals"]["D3"] = "many"
    wb.save(path)
    found = messages(path)
    assert any(
        m.startswith("partners.xlsx#services:4:domain: 'bogus' is not one of:") for m in found
    )
    assert "partners.xlsx#referrals:3:count: 'many' is not a whole number" in found


def test_formula_like_text_is_stored_as_text_and_read_back(tmp_path):
    tables = derbyshire_strings()
    tables["services"].loc[0, "name"] = '=HYPERLINK("http://x","y")'
    path = write_workbook(tmp_path / "p.xlsx", tables)
    cell = openpyxl.load_workbook(path)["services"]["B2"]
    assert cell.data_type == "s"
    raw, _ = read_workbook(path)
    assert raw["services"].frame.loc[0, "name"] == '=HYPERLINK("http://x","y")'


# --------------------------------------------------------------------------- bad workbooks


def test_not_a_workbook_is_an_issue_not_a_crash(tmp_path):
    fake = tmp_path / "partners.xlsx"
    fake.write_text("id,name\nS1,Hub\n")
    assert messages(fake)[0].startswith("partners.xlsx: not a readable Excel workbook (.xlsx)")
    old = tmp_path / "partners.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "save it as an Excel workbook (.xlsx)" in messages(old)[0]
    locked = tmp_path / "locked.xlsx"  # what Excel writes for a password-protected workbook
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "save it as .xlsx without a password" in messages(locked)[0]
    assert "cannot open the file" in str(read_workbook(tmp_path)[1][0])


def test_a_truncated_workbook_is_an_issue(filled, tmp_path):
    broken = tmp_path / "partners.xlsx"
    broken.write_bytes(filled.read_bytes()[:3000])
    assert messages(broken)[0].startswith("partners.xlsx: not a readable Excel workbook")


def test_missing_header_and_empty_sheets(tmp_path):
    path = write_workbook(tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["districts"]
    ws.delete_rows(1)
    ws.append(["E07000032", "Amber Valley", ""])  # data without the header row
    groups = wb["groups"]
    groups.delete_rows(1)
    groups["A3"] = "grp-1"  # row 1 blank, data below
    wb["navigators"].delete_rows(1)  # nothing at all
    wb.save(path)
    found = messages(path)
    assert any(
        m.startswith("p.xlsx#districts:1: row 1 must hold the column names (id, name, borders)")
        for m in found
    )
    assert any(m.startswith("p.xlsx#groups:1: row 1 must hold the column names") for m in found)
    assert "p.xlsx#navigators: warning: the sheet is empty; ignored" in found


def test_no_partner_sheets(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Budget"
    wb.save(path)
    found = messages(path)
    assert found[-1].startswith("other.xlsx: no partner sheets found")


def test_the_same_entity_from_two_workbooks(filled, tmp_path):
    second = tmp_path / "more.xlsx"
    second.write_bytes(filled.read_bytes())
    report, _ = validate_paths([filled, second])
    assert "more.xlsx#services: services also come from partners.xlsx#services" in "\n".join(
        str(i) for i in report.errors
    )


# --------------------------------------------------------------------------- the CLI


def test_cli_template_combinations(tmp_path):
    r = run("template", "--xlsx", tmp_path / "a.xlsx")
    assert r.exit_code == 0 and (tmp_path / "a.xlsx").exists()
    r = run("template", tmp_path / "csv", "--xlsx", tmp_path / "b.xlsx")
    assert r.exit_code == 0
    assert (tmp_path / "csv" / "services.csv").exists() and (tmp_path / "b.xlsx").exists()
    r = run("template", tmp_path / "c.xlsx")  # a workbook name alone means the workbook
    assert r.exit_code == 0 and (tmp_path / "c.xlsx").is_file()
    r = run("template")
    assert r.exit_code == 2 and "--xlsx FILE" in r.stderr
    r = run("template", "--xlsx", tmp_path / "d.csv")
    assert r.exit_code == 2 and "must name a .xlsx file" in r.stderr


def test_cli_import_and_validate_a_workbook(filled, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDVOICES_WORKSPACE", str(tmp_path / "ws"))
    assert run("validate", filled).exit_code == 0
    r = run("import", filled, "--quiet")
    assert r.exit_code == 0, r.stdout
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    r = run("import", bad)
    assert r.exit_code == 2
    assert "bad.xlsx: not a readable Excel workbook" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr
