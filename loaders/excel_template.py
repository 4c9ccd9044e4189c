"""The partner workbook template: one sheet per entity, made to help people type valid values.

Drop-down lists for every enumerated column (a ``;`` list column gets a drop-down of
single values that does not block typing several), district and organisation ids
taken from their own sheets, whole and decimal number checks, a comment with the
column's help on every header, a frozen header row and text formatting for id and
period columns (so Excel does not turn ``2024-03`` into a date or ``007`` into 7).
Reading filled-in workbooks back is :mod:`gridvoices.loaders.excel`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from gridvoices.ecosystem.schema import ENTITIES, ENTITY_ORDER, LIST_SEP, Column, Entity

__all__ = ["INSTRUCTIONS_SHEET", "write_workbook"]

INSTRUCTIONS_SHEET = "instructions"
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
