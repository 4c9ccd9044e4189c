"""Partner data as one Excel workbook: read filled-in workbooks back (the template is
written by :mod:`gridvoices.loaders.excel_template`, re-exported here).

The workbook has an ``instructions`` sheet and one sheet per entity, named as the
entity (``services``), row 1 holding the column names of :mod:`gridvoices.ecosystem.schema`.
Reading turns every cell into the string a person sees (12.0 -> ``"12"``, TRUE ->
``"yes"``, a date -> ISO) and hands the sheets to the same validation as CSV files,
each labelled ``partners.xlsx#services`` so problems read
``partners.xlsx#services:4:domain: ...`` (the frictionless convention).

A workbook is a zip of XML: its uncompressed size is checked from the zip's
directory before anything is parsed, so a "bomb" (a few MB expanding to GB) is
refused in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import ENTITIES, ENTITY_ORDER
from gridvoices.loaders.excel_template import INSTRUCTIONS_SHEET, write_workbook
from gridvoices.loaders.validate import RawTable

__all__ = [
    "INSTRUCTIONS_SHEET",
    "WORKBOOK_SUFFIXES",
    "cell_text",
    "is_workbook",
    "read_workbook",
    "read_workbooks",
    "write_workbook",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
# Recognised only to say how to convert them: openpyxl cannot read these.
_OTHER_SPREADSHEETS = {".xls": "an Excel 97-2003 workbook", ".ods": "an OpenDocument spreadsheet"}
# A national data set's workbook holds a few hundred MB of XML at most.
MAX_UNCOMPRESSED = 1_000_000_000
# Real sheets compress about 10:1; a bomb by thousands.
MAX_RATIO = 200


def _too_large(path: Path) -> str | None:
    """Why the workbook must not be opened (its zip directory, read without inflating)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a zip: openpyxl says why in its own words
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        return (
            f"the workbook expands to {total:,} bytes (at most {MAX_UNCOMPRESSED:,} are "
            "read); split it, or save its sheets as CSV files"
        )
    for m in members:
        if m.file_size > 10_000_000 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            return (
                f"its part {m.filename} expands {m.file_size // max(m.compress_size, 1):,} "
                "times over: not a workbook a spreadsheet program wrote; save it again from Excel"
            )
    return None


def is_workbook(path: Path) -> bool:
    """Whether ``path`` is a file this module reads (or can explain how to convert).

    Examples
    --------
    >>> is_workbook(Path("no-such-partners.xlsx"))
    False
    """
    path = Path(path)
    suffix = path.suffix.lower()
    return path.is_file() and (suffix in WORKBOOK_SUFFIXES or suffix in _OTHER_SPREADSHEETS)


# --------------------------------------------------------------------------- writing


# --------------------------------------------------------------------------- reading


def cell_text(value) -> str:
    """The string a person sees in a cell.

    Examples
    --------
    >>> [cell_text(v) for v in (None, 12.0, 0.9, True, dt.datetime(2024, 3, 1), " x ")]
    ['', '12', '0.9', 'yes', '2024-03-01', ' x ']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # 15 significant digits is what Excel shows and stores faithfully.
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _sheet_table(ws, entity: str, label: str) -> tuple[RawTable | None, list[Issue]]:
    from openpyxl.utils import get_column_letter

    rows: list[list[str]] = []
    pending: list[list[str]] = []  # blank rows kept only if a filled row follows
    width = 0
    for values in ws.iter_rows(values_only=True):
        texts = [cell_text(v) for v in values]
        if any(t.strip() for t in texts):
            rows.extend(pending)
            pending.clear()
            rows.append(texts)
            width = max(width, len(texts))
        else:
            pending.append(texts)
    if not rows:
        return None, [
            Issue(label, None, None, "empty-sheet", "the sheet is empty; ignored", "warning")
        ]
    rows = [r + [""] * (width - len(r)) for r in rows]
    header, data = rows[0], rows[1:]
    known = ENTITIES[entity].column_names
    names = [h.strip().lower() for h in header]
    if not any(n in known for n in names):
        found = ", ".join(repr(h) for h in header if h.strip())[:120] or "nothing"
        msg = f"row 1 must hold the column names ({', '.join(known)}); found {found}"
        return None, [Issue(label, 1, None, "missing-header", msg)]
    issues: list[Issue] = []
    columns: dict[str, list[str]] = {}
    for i, name in enumerate(names):
        values = [r[i] for r in data]
        if not name:
            if any(v.strip() for v in values):
                msg = f"column {get_column_letter(i + 1)} has values but no name; it is ignored"
                issues.append(Issue(label, 1, None, "unnamed-column", msg, "warning"))
            continue
        unique, n = name, 0
        while unique in columns:  # as pandas names a repeated CSV column
            n += 1
            unique = f"{name}.{n}"
        columns[unique] = values
    frame = pd.DataFrame({k: pd.Series(v, dtype=str) for k, v in columns.items()})
    return RawTable(entity, frame, label), issues


def _unreadable(path: Path, reason: str) -> list[Issue]:
    return [Issue(path.name, None, None, "unreadable", reason)]


def read_workbook(path: Path) -> tuple[dict[str, RawTable], list[Issue]]:
    """Read a partner workbook into raw string tables, one per entity sheet.

    Sheets are matched to entities by name (case and surrounding spaces ignored),
    in any order; the instructions sheet is skipped and any other sheet is reported
    as a warning. A file that is not a readable workbook gives an issue, never an
    exception.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _OTHER_SPREADSHEETS:
        what = _OTHER_SPREADSHEETS[suffix]
        return {}, _unreadable(path, f"{what}: open it and save it as an Excel workbook (.xlsx)")
    import openpyxl

    try:
        with path.open("rb") as f:
            head = f.read(4)
    except OSError as e:
        return {}, _unreadable(path, f"cannot open the file: {e.strerror or e}")
    if head == b"\xd0\xcf\x11\xe0":  # an OLE file: encrypted .xlsx or an old .xls renamed
        reason = "a password-protected or Excel 97-2003 file: save it as .xlsx without a password"
        return {}, _unreadable(path, reason)
    if (why := _too_large(path)) is not None:
        return {}, [Issue(path.name, None, None, "too-large-uncompressed", why)]
    tables: dict[str, RawTable] = {}
    issues: list[Issue] = []
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        reason = f"not a readable Excel workbook (.xlsx): {type(e).__name__}: {e}"
        return {}, _unreadable(path, reason)
    try:
        for ws in wb.worksheets:
            key, label = ws.title.strip().lower(), f"{path.name}#{ws.title}"
            if key == INSTRUCTIONS_SHEET:
                continue
            if key not in ENTITIES:
                known = ", ".join(ENTITY_ORDER)
                msg = (
                    f"sheet {ws.title!r} is not part of the format and is ignored (sheets: {known})"
                )
                issues.append(Issue(label, None, None, "unknown-sheet", msg, "warning"))
                continue
            if key in tables:
                msg = f"a second {key} sheet; keep one"
                issues.append(Issue(label, None, None, "duplicate-sheet", msg))
                continue
            ws.reset_dimensions()  # some writers store a wrong size; read every row there is
            try:
                table, problems = _sheet_table(ws, key, label)
            except Exception as e:  # noqa: BLE001 - a damaged sheet must not stop the report
                msg = f"the sheet cannot be read: {type(e).__name__}: {e}"
                table, problems = None, [Issue(label, None, None, "unreadable", msg)]
            issues.extend(problems)
            if table is not None:
                tables[key] = table
    finally:
        wb.close()
    if not tables and not any(i.severity == "error" for i in issues):
        msg = "no partner sheets found (expected sheets named " + ", ".join(ENTITY_ORDER) + ")"
        issues.append(Issue(path.name, None, None, "no-sheets", msg))
    return tables, issues


def read_workbooks(paths: list[Path]) -> tuple[dict[str, RawTable], list[Issue]]:
    """Read several workbooks; an entity may come from only one of them."""
    tables: dict[str, RawTable] = {}
    issues: list[Issue] = []
    for p in paths:
        raw, problems = read_workbook(Path(p))
        issues.extend(problems)
        for name, table in raw.items():
            if name in tables:
                msg = f"{name} also come from {tables[name].label}; import them separately"
                issues.append(Issue(table.label, None, None, "duplicate-source", msg))
                continue
            tables[name] = table
    return tables, issues
