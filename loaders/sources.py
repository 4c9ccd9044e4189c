"""Partner data in every format we read: detect what a path is, read it into raw tables.

Each format is a :class:`Reader` (detect + read) in :data:`READERS`, tried in
order; the first whose ``detect`` says yes reads the path. A reader returns
raw string tables in the project's own format (entity name -> RawTable) and
the issues it met; validation and storing are the same for every format.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.loaders.csvfiles import read_csv_tables
from gridvoices.loaders.excel import is_workbook, read_workbooks
from gridvoices.loaders.hsds import (
    detect_hsds_json,
    detect_oruk_json,
    detect_package,
    read_hsds_json,
    read_hsds_package,
    read_oruk_json,
)
from gridvoices.loaders.hsds_files import unpack_zip
from gridvoices.loaders.mapping import carry_sidecar
from gridvoices.loaders.meetings import detect_meetings, read_meetings
from gridvoices.loaders.source_help import why_not
from gridvoices.loaders.validate import RawTable

__all__ = ["Reader", "READERS", "detect_format", "read_sources", "FORMATS"]

Read = Callable[[list[Path]], tuple[dict[str, RawTable], list[Issue]]]


@dataclass(frozen=True)
class Reader:
    format: str
    detect: Callable[[Path], bool]
    read: Read
    help: str = ""


def _is_csv(path: Path) -> bool:
    if path.is_dir():
        return any((path / e.filename).exists() for e in ENTITIES.values())
    return path.suffix.lower() == ".csv" and path.stem.lower() in ENTITIES


READERS: list[Reader] = [
    # Before csv: an HSDS package folder also holds a services.csv, which _is_csv claims.
    # Its own detect is specific (organizations.csv / HSDS-only tables / datapackage.json).
    Reader(
        "hsds",
        detect_package,
        read_hsds_package,
        "an HSDS 1.1/2.0/3.0 or ORUK 3.0 tabular package (a folder with organizations.csv)",
    ),
    Reader("csv", _is_csv, read_csv_tables, "the project's CSV files (a folder or files)"),
    Reader("xlsx", is_workbook, read_workbooks, "an Excel workbook (.xlsx), a sheet per entity"),
    Reader(
        "hsds-json",
        detect_hsds_json,
        read_hsds_json,
        "HSDS 3.0 / Open Referral UK 3.0 JSON (a /services page, a full record, or a folder)",
    ),
    Reader(
        "oruk-json",
        detect_oruk_json,
        read_oruk_json,
        "an Open Referral UK v1 JSON feed (/services pages with 'content')",
    ),
    Reader(
        "meeting-guide",
        detect_meetings,
        read_meetings,
        "a Meeting Guide JSON list of mutual-aid meetings (.json array)",
    ),
]

FORMATS = [r.format for r in READERS]


def detect_format(path: Path) -> str | None:
    """The format of ``path``, or None when no reader recognises it."""
    for r in READERS:
        if r.detect(Path(path)):
            return r.format
    return None


def _too_deep(path: Path) -> Issue:
    return Issue(
        path.name,
        None,
        None,
        "too-deep",
        "the file is nested too deeply to be partner data (lists inside lists thousands of "
        "levels deep); check it is the right file",
    )


def read_sources(
    paths: list[Path], format: str | None = None
) -> tuple[dict[str, RawTable], list[Issue], list[tuple[Path, str]]]:
    """Read every path with its reader; return raw tables, issues and (path, format) pairs.

    Paths of the same format are read together (so ``services.csv referrals.csv``
    is one CSV source). Two sources may not both supply the same entity.
    """
    with ExitStack() as stack:
        return _read_all(list(map(Path, paths)), format, stack)


def _read_all(
    paths: list[Path], format: str | None, stack: ExitStack
) -> tuple[dict[str, RawTable], list[Issue], list[tuple[Path, str]]]:
    by_format: dict[str, list[Path]] = {}
    issues: list[Issue] = []
    readers = {r.format: r for r in READERS}
    if format is not None and format not in readers:
        raise ValueError(f"unknown format {format!r}: one of {', '.join(readers)}")
    given: dict[Path, Path] = {}  # unpacked folder -> the archive the user named
    for p in paths:
        if not p.exists():
            issues.append(Issue(str(p), None, None, "no-such-file", "no such file or directory"))
            continue
        if p.is_file() and p.suffix.lower() == ".zip":
            # Unpacked for the length of the read only; labels name the archive's folders.
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gridvoices-")))
            folder, problems = unpack_zip(p, tmp)
            issues += problems
            if folder is None:
                continue
            carry_sidecar(p, folder)
            given[folder] = p
            p = folder
        try:
            fmt = format or detect_format(p)
        except RecursionError:
            issues.append(_too_deep(p))
            continue
        if fmt is None:
            issues.append(Issue(given.get(p, p).name, None, None, "unknown-format", why_not(p)))
            continue
        by_format.setdefault(fmt, []).append(p)
    if "hsds-json" in by_format and "oruk-json" in by_format:
        # Pages of one feed may sniff differently (v1-only keys absent from a page's
        # head); one JSON reader reads both generations, so they are read as one.
        by_format["oruk-json"] += by_format.pop("hsds-json")
    tables: dict[str, RawTable] = {}
    sources: list[tuple[Path, str]] = []
    for fmt, group in by_format.items():
        try:
            raw, problems = readers[fmt].read(group)
        except RecursionError:
            # json nests one Python call per level: a file nested 200,000 deep is hostile.
            raw, problems = {}, [_too_deep(p) for p in group]
        issues.extend(problems)
        sources += [(given.get(p, p), fmt) for p in group]
        for name, table in raw.items():
            if name in tables:
                issues.append(
                    Issue(
                        table.label,
                        None,
                        None,
                        "duplicate-source",
                        f"{name} also come from {tables[name].label}; import them separately",
                    )
                )
                continue
            tables[name] = table
    if not paths:
        issues.append(Issue("", None, None, "no-files", "no files given"))
    return tables, issues, sources
