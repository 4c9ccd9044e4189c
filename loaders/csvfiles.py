"""Read partner CSV files (one per entity) into raw string tables, and write templates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import ENTITIES, ENTITY_ORDER
from gridvoices.loaders.csvcodes import coded_frame
from gridvoices.loaders.validate import RawTable

__all__ = ["read_csv_tables", "read_csv_file", "write_template", "find_csv_files"]


def find_csv_files(paths: list[Path]) -> tuple[dict[str, Path], list[Issue]]:
    """Map entity name -> file for a directory or a list of files named like ``services.csv``."""
    found: dict[str, Path] = {}
    issues: list[Issue] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for name in ENTITY_ORDER:
                f = p / ENTITIES[name].filename
                if f.exists():
                    found[name] = f
        elif p.exists():
            stem = p.stem.lower()
            if stem in ENTITIES:
                found[stem] = p
            else:
                issues.append(
                    Issue(
                        p.name,
                        None,
                        None,
                        "unknown-file",
                        "file name must be one of: "
                        + ", ".join(e.filename for e in ENTITIES.values()),
                    )
                )
        else:
            issues.append(Issue(str(p), None, None, "no-such-file", "no such file or directory"))
    if not found and not issues:
        issues.append(
            Issue(
                ", ".join(str(p) for p in paths),
                None,
                None,
                "no-files",
                "no partner files found (expected e.g. services.csv, referrals.csv)",
            )
        )
    return found, issues


# Limits checked before parsing: a hostile or mistaken file is refused in milliseconds.
MAX_FILE_BYTES = 2_000_000_000
MAX_ROWS = 20_000_000


def read_csv_file(
    entity: str, path: Path, *, coded: bool = False
) -> tuple[RawTable | None, list[Issue]]:
    """Read one CSV as strings. UTF-8 with or without a BOM (as Excel writes it).

    With ``coded``, a plain file (:mod:`gridvoices.loaders.csvcodes`) comes back with
    categorical columns of the same strings: each distinct cell is decoded once, and
    validation takes its distinct values from the categories instead of hashing every row.
    """
    label = path.name
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, [
            Issue(
                label,
                None,
                None,
                "too-large",
                f"the file is {size:,} bytes; at most "
                f"{MAX_FILE_BYTES:,} are read: split it, or check it is the right file",
            )
        ]
    data = path.read_bytes()
    # ASCII is UTF-8 as it is: a flow file is not decoded whole just to check it (~30 ms).
    text = None
    try:
        if not data.isascii():
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        # The issue's row is the line of the first bad byte.
        line = data[: e.start].count(b"\n") + 1
        return None, [
            Issue(
                label,
                line,
                None,
                "encoding",
                f"byte 0x{data[e.start]:02x} is not valid UTF-8; save the file as CSV UTF-8",
            )
        ]
    if _blank(text if text is not None else data):
        return None, [Issue(label, None, None, "empty-file", "the file is empty (no header row)")]
    lines = data.count(b"\n")
    if lines > MAX_ROWS:
        return None, [
            Issue(
                label,
                None,
                None,
                "too-many-rows",
                f"the file has {lines:,} lines; at most {MAX_ROWS:,} rows are read: split it",
            )
        ]
    header, problems = _header(text if text is not None else _head(data), label)
    if problems:
        return None, problems
    if coded:
        frame = _coded(data, header)
        if frame is not None:
            return RawTable(entity, frame, label), []
    try:
        # The bytes just checked as UTF-8, parsed as they are: the same frame as from the
        # decoded text, without pandas re-encoding it from a text stream.
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding="utf-8-sig",
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
        )
    except pd.errors.ParserError as e:
        whole = text if text is not None else data.decode("ascii")
        return None, [_syntax_issue(whole, label, e)]
    del data
    frame.columns = header
    return RawTable(entity, frame, label), []


def _header(text: str, label: str) -> tuple[list[str], list[Issue]]:
    """The column names as compared (stripped, lower case); a repeated one is an error
    naming the column as written (pandas would quietly rename the second ``id.1``)."""
    try:
        # Lines are handed over as the reader asks: the header only, not a copy of the file.
        written = next(csv.reader(_lines(text)), [])
    except csv.Error as e:
        return [], [Issue(label, 1, None, "unreadable", f"the header row cannot be read: {e}")]
    names = [c.strip().lower() for c in written]
    seen: dict[str, int] = {}
    issues = []
    for i, (name, raw) in enumerate(zip(names, written, strict=True), start=1):
        if name in seen and name:
            issues.append(
                Issue(
                    label,
                    1,
                    raw,
                    "duplicate-column",
                    f"the column {raw.strip()!r} appears twice in the header (columns "
                    f"{seen[name]} and {i}); keep one",
                )
            )
        seen.setdefault(name, i)
    return names, issues


# What ``str.strip`` strips among ASCII characters (``bytes.strip`` leaves \x1c-\x1f).
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _blank(content: str | bytes) -> bool:
    """Whether the file holds only white space (``bytes`` only when all ASCII). The start
    is looked at first: stripping a whole file would copy it only to find text at once.

    >>> _blank(b" \\n\\x1c"), _blank(" \\n\\x1c"), _blank(b" x"), _blank(b"")
    (True, True, False, True)
    """

    def stripped(part: str | bytes) -> str | bytes:
        return part.strip(_ASCII_SPACE) if isinstance(part, bytes) else part.strip()

    return not (stripped(content[:65536]) or stripped(content))


def _head(data: bytes) -> str:
    """The start of an ASCII file enough to read its header: the first line, or all of it
    when a quote there may open a cell that goes on to later lines.

    >>> _head(b"id,name\\nS1,x\\n"), _head(b'"id\\n",name\\nS1,x')
    ('id,name\\n', '"id\\n",name\\nS1,x')
    """
    end = data.find(b"\n") + 1
    first = data[:end] if end else data
    return (data if b'"' in first else first).decode("ascii")


def _coded(data: bytes, header: list[str]) -> pd.DataFrame | None:
    """The rows after a header without quotes, as coded columns (None: not plain)."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = data.find(b"\n", start)
    if end < 0 or b'"' in data[start:end]:
        return None
    return coded_frame(data, end + 1, header)


def _lines(text: str) -> Iterator[str]:
    """``text`` line by line, each with its ``\\n``, as ``io.StringIO(text)`` yields them.

    >>> list(_lines("a,b\\r\\n1,2"))
    ['a,b\\r\\n', '1,2']
    """
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _syntax_issue(text: str, label: str, error: Exception) -> Issue:
    """The CSV syntax error as a partner can fix it: the line where the broken cell begins."""
    reader = csv.reader(io.StringIO(text), strict=True)
    last = 0  # the line the last complete record ended on
    try:
        for _ in reader:
            last = reader.line_num
    except csv.Error as e:
        start = last + 1
        if "unexpected end of data" in str(e) or "EOF" in str(e):
            return Issue(
                label,
                start,
                None,
                "unclosed-quote",
                'a quote (") opens a cell on this line that is never closed, so the rest '
                "of the file was read as one cell; close the quote, or remove it (a quote "
                'inside a cell is written twice: "")',
            )
        return Issue(
            label,
            start,
            None,
            "unreadable",
            f"not a readable CSV row ({e}); check the quotes and commas on this line",
        )
    return Issue(label, None, None, "unreadable", f"not a readable CSV file: {error}")


def read_csv_tables(paths: list[Path]) -> tuple[dict[str, RawTable], list[Issue]]:
    files, issues = find_csv_files(paths)
    tables: dict[str, RawTable] = {}
    for name, f in files.items():
        table, problems = read_csv_file(name, f, coded=True)
        issues.extend(problems)
        if table is not None:
            tables[name] = table
    return tables, issues


def write_template(directory: Path) -> list[Path]:
    """Write an empty CSV per entity (headers only) and a README of the columns."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    lines = [
        "# GRID Voices partner files",
        "",
        "One CSV per entity, UTF-8 (a BOM is fine). Lists inside a cell are separated by ';'.",
        "Yes/no columns take yes/no (also true/false, 1/0). Rows are numbered as in a spreadsheet",
        "(header = row 1) in error messages. Referral counts are aggregate flows between services,",
        "never individual people; do not put names of people in recovery in any file.",
        "",
    ]
    for name in ENTITY_ORDER:
        e = ENTITIES[name]
        f = directory / e.filename
        f.write_text(",".join(e.column_names) + "\n", encoding="utf-8")
        written.append(f)
        lines += [
            f"## {e.filename}",
            "",
            e.help,
            "",
            "| column | required | meaning |",
            "|---|---|---|",
        ]
        for c in e.columns:
            allowed = f" One of: {', '.join(c.choices)}." if c.choices else ""
            lines.append(f"| {c.name} | {'yes' if c.required else 'no'} | {c.help}.{allowed} |")
        lines.append("")
    readme = directory / "README.md"
    readme.write_text("\n".join(lines), encoding="utf-8")
    written.append(readme)
    return written
