"""Partner data as one Excel workbook: write the template, read filled-in workbooks back.

The workbook has an ``instructions`` sheet and one sheet per entity, named as the
entity (``services``), row 1 holding the column names of :mod:`gridvoices.ecosystem.schema`.
Reading turns every cell into the string a person sees (12.0 -> ``"12"``, TRUE ->
``"yes"``, a date -> ISO) and hands the sheets to the same validation as CSV files,
each labelled ``partners.xlsx#services`` so problems read
``partners.xlsx#services:4:domain: ...`` (the frictionless convention).

The template helps people type valid values: drop-down lists for every enumerated
column (a ``;`` list column gets a drop-down of single values that does not block
typing several), district and organisation ids taken from their own sheets, whole
and decimal number checks, a comment with the column's help on every header, a
frozen header row and text formatting for id and period columns (so Excel does not
turn ``2024-03`` into a date or ``007`` into 7).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import ENTITIES, ENTITY_ORDER, LIST_SEP, Column, Entity
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

INSTRUCTIONS_SHEET = "instructions"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
# Recognised only to say how to convert them: openpyxl cannot read these.
_OTHER_SPREADSHEETS = {".xls": "an Excel 97-2003 workbook", ".ods": "an OpenDocument spreadsheet"}
_LAST_ROW = 1_048_576  # Excel's last row: validations cover every row a person may fill
_INLINE_LIST_MAX = 255  # Excel's limit for a list typed into a validation
_MAX_WIDTH = 60
_MESSAGE_MAX = 225  # Excel's limit for a validation's error message
_TEXT_TYPES = ("id", "text", "ref", "ref_list", "enum", "enum_list", "period")
_BOOL_CHOICES = ("yes", "no")
_INT_RE = re.compile(r"^[+-]?\d+$")

_INSTRUCTIONS = [
    "Fill in one sheet per kind of record. Leave a sheet you have nothing for with just its "
    "header row; the order of the sheets does not matter.",
    "Keep row 1 (the column names) as it is. Hover over a column name to read what it means; "
    "dark headers are required, light ones optional.",
    "Columns with a drop-down take one of the listed values. CHIME tags, a service's districts "
    "and a district's borders may hold several values separated by ';': pick one from the list "
    "or type several.",
    "Yes/no columns take yes or no. Periods are 2024-Q1, 2024-03 or 2024 (the column is "
    "formatted as text so Excel keeps them as typed).",
    "Referral counts are aggregate flows between services, never individual people. Never put "
    "the name of a person in recovery in any sheet; navigators have pseudonymous ids.",
    "Problems are reported as workbook#sheet:row:column, rows numbered as Excel shows them.",
    "This sheet is ignored on import. Sheets with other names are ignored with a warning.",
]


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


def _kind_note(col: Column) -> str:
    several = col.type in ("enum_list", "ref_list")
    return f"Several values separated by '{LIST_SEP}'." if several else ""


def _allowed(col: Column) -> tuple[str, ...]:
    return _BOOL_CHOICES if col.type == "bool" else col.choices


def _id_range(entity: str) -> str:
    """A formula for the filled part of an entity sheet's id column (grows with the sheet)."""
    sheet = f"'{entity}'"
    return f"OFFSET({sheet}!$A$2,0,0,MAX(1,COUNTA({sheet}!$A:$A)-1),1)"


def _validation(col: Column, letter: str, lists: dict[str, str]):
    from openpyxl.worksheet.datavalidation import DataValidation

    several = col.type in ("enum_list", "ref_list")
    allowed = _allowed(col)
    if allowed:
        inline = ",".join(allowed)
        # Excel refuses longer typed lists; then the list on the instructions sheet is used.
        source = f'"{inline}"' if len(inline) <= _INLINE_LIST_MAX else lists[inline]
        dv = DataValidation(type="list", formula1=source, allow_blank=True)
        dv.error = f"{col.name} must be one of: {', '.join(allowed)}"[:_MESSAGE_MAX]
    elif col.type in ("ref", "ref_list") and len(col.refs) == 1:
        target = col.refs[0]
        dv = DataValidation(type="list", formula1=_id_range(target), allow_blank=True)
        # An id may already be in the store rather than on this sheet: warn, do not block.
        dv.errorStyle = "warning"
        dv.error = f"not an id on the {target} sheet; keep it only if it is already stored"
    elif col.type in ("int", "float"):
        dv = DataValidation(
            type="whole" if col.type == "int" else "decimal",
            operator="between" if col.maximum is not None else "greaterThanOrEqual",
            formula1=str(col.minimum if col.minimum is not None else -1e15),
            formula2=None if col.maximum is None else str(col.maximum),
            allow_blank=True,
        )
        dv.error = col.help
    else:
        return None
    dv.errorTitle = col.name
    dv.showErrorMessage = not several  # a ';' list is typed, so the list may not block it
    if several:
        dv.promptTitle = col.name
        dv.prompt = f"Pick one, or type several separated by '{LIST_SEP}'."
        dv.showInputMessage = True
    dv.add(f"{letter}2:{letter}{_LAST_ROW}")
    return dv


def _header_comment(col: Column):
    from openpyxl.comments import Comment

    allowed = "One of: " + ", ".join(_allowed(col)) + "." if _allowed(col) else ""
    lines = [f"{col.help}.", "Required." if col.required else "Optional.", allowed, _kind_note(col)]
    text = "\n".join(x for x in lines if x)
    comment = Comment(text, "GRID Voices")
    comment.width = 320
    comment.height = 40 + 18 * (len(text) // 40 + len(lines))
    return comment


def _cell_value(col: Column, text: str):
    """What to put in a cell: numbers as numbers (no green 'number stored as text')."""
    t = text.strip()
    if col.type not in ("int", "float") or not t:
        return text
    if _INT_RE.match(t):
        return int(t)
    try:
        number = float(t)
    except ValueError:
        return text
    return number if math.isfinite(number) else text  # a cell cannot hold inf or NaN


def _write_instructions(ws) -> dict[str, str]:
    """Fill the instructions sheet; return each vocabulary's cell range (for long lists)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append(["GRID Voices partner workbook"])
    ws["A1"].font = Font(bold=True, size=14)
    for line in _INSTRUCTIONS:
        ws.append([line])
    ws.append([])
    ws.append(["sheet", "column", "required", "meaning", "allowed values"])
    first_table_row = ws.max_row
    for name in ENTITY_ORDER:
        e = ENTITIES[name]
        ws.append([name, "", "", e.help, ""])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        for c in e.columns:
            note = " ".join(x for x in (c.help + ".", _kind_note(c)) if x)
            ws.append(["", c.name, "yes" if c.required else "no", note, ", ".join(_allowed(c))])
    for cell in ws[first_table_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2, max_col=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (16, 22, 10, 70, 60), strict=True):
        ws.column_dimensions[letter].width = width
    # One value per cell, right of the table: what a drop-down too long to type refers to.
    lists: dict[str, str] = {}
    used_by: dict[tuple[str, ...], list[str]] = {}
    for e in ENTITIES.values():
        for c in e.columns:
            if _allowed(c):
                used_by.setdefault(_allowed(c), []).append(f"{e.name}.{c.name}")
    for i, (values, where) in enumerate(used_by.items(), start=7):
        letter = get_column_letter(i)
        ws.cell(first_table_row, i, " ".join(where)).font = Font(bold=True)
        for j, v in enumerate(values, start=first_table_row + 1):
            ws.cell(j, i, v)
        last = first_table_row + len(values)
        lists[",".join(values)] = (
            f"'{INSTRUCTIONS_SHEET}'!${letter}${first_table_row + 1}:${letter}${last}"
        )
        ws.column_dimensions[letter].width = max(len(x) for x in (*values, where[0])) + 2
    return lists


def _write_sheet(ws, entity: Entity, frame: pd.DataFrame | None, lists: dict[str, str]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    frame = pd.DataFrame(columns=entity.column_names) if frame is None else frame.fillna("")
    # Columns outside the format are kept (after the format's own) so nothing is lost.
    names = entity.column_names + [c for c in frame.columns if c not in entity.column_names]
    cols = [entity.column(n) if n in entity.column_names else None for n in names]
    texts = [frame[n].astype(str).tolist() if n in frame else [""] * len(frame) for n in names]
    ws.append(names)
    for r, row in enumerate(zip(*texts, strict=True), start=2):
        values = [v if c is None else _cell_value(c, v) for c, v in zip(cols, row, strict=True)]
        ws.append(values)
        for i, v in enumerate(values, start=1):
            if isinstance(v, str) and v.startswith("="):
                ws.cell(r, i).data_type = "s"  # text a person typed, never a formula
    ws.freeze_panes = "A2"
    for i, (col, t) in enumerate(zip(cols, texts, strict=True), start=1):
        letter, cell = get_column_letter(i), ws.cell(1, i)
        required = col is not None and col.required
        cell.font = Font(bold=True, color="FFFFFF" if required else "000000")
        cell.fill = PatternFill("solid", fgColor="305496" if required else "D9E1F2")
        longest = max(map(len, [*t, *(_allowed(col) if col else ())]), default=0)
        width = max(10, len(names[i - 1]) + 4, longest + 3)  # + room for the drop-down arrow
        ws.column_dimensions[letter].width = min(_MAX_WIDTH, width)
        if col is None:
            continue
        cell.comment = _header_comment(col)
        if col.type in _TEXT_TYPES:
            ws.column_dimensions[letter].number_format = "@"
        dv = _validation(col, letter, lists)
        if dv is not None:
            ws.add_data_validation(dv)


def write_workbook(path: Path, tables: Mapping[str, pd.DataFrame] | None = None) -> Path:
    """Write the partner workbook: instructions and one sheet per entity, optionally filled.

    Parameters
    ----------
    path : Path
        The ``.xlsx`` file to write (its folder is created; an existing file is replaced).
    tables : mapping of entity name -> DataFrame of strings, optional
        Rows to fill in, as partners write them (e.g. CSVs read with ``dtype=str``).
        Numbers go in as numbers; everything else as text, never as a formula.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> p = write_workbook(Path(tempfile.mkdtemp()) / "partners.xlsx")
    >>> openpyxl.load_workbook(p).sheetnames[:3]
    ['instructions', 'districts', 'organisations']
    """
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    tables = dict(tables or {})
    unknown = sorted(set(tables) - set(ENTITIES))
    if unknown:
        raise ValueError(f"not entities of the format: {', '.join(unknown)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    lists = _write_instructions(ws)
    for name in ENTITY_ORDER:
        try:
            _write_sheet(wb.create_sheet(name), ENTITIES[name], tables.get(name), lists)
        except IllegalCharacterError as e:
            raise ValueError(f"{name}: a value holds a control character Excel cannot store") from e
    wb.save(path)
    return path


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
