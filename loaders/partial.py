"""Partial import, on request: load the valid records, set each rejected one aside.

All-or-nothing stays the default. With a partial import, every error that
names a record (a file and row, or a JSON item and field) sets that record
aside instead of stopping the import; the rest is validated again (dropping a
record can leave another pointing at nothing) until it is valid, and is then
written in one transaction as usual. Errors about a whole file (a missing
column, an unreadable file) still stop it: no record can be trusted then.

Dangling references are set aside, not kept with the reference recorded as
unknown: the analyses count providers, referral routes and districts, and a
placeholder organisation would invent a provider. The set-aside file names
each record and the id it pointed at, so the partner can add it and import again.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gridvoices.ecosystem.issues import Issue
from gridvoices.loaders.validate import RawTable, validate_tables

__all__ = ["SetAside", "set_aside_invalid", "write_set_aside", "summary", "records_set_aside"]


@dataclass(frozen=True)
class SetAside:
    """A record left out: where it was, which record, and why."""

    file: str
    row: int | None
    field: str | None
    code: str
    reason: str
    record: str = ""  # id and name, when the record reached a table

    def location(self) -> str:
        return ":".join(str(x) for x in (self.file, self.row, self.field) if x is not None)


def _aside(i: Issue, record: str = "") -> SetAside:
    return SetAside(i.file, i.row, i.column, i.code, i.message, record)


def set_aside_invalid(
    raw: dict[str, RawTable],
    issues: list[Issue],
    existing_ids: Mapping[str, set[str]] | None = None,
) -> tuple[dict[str, RawTable], list[Issue], list[SetAside]]:
    """The valid part of ``raw``, the issues still standing, and the records set aside.

    Reader errors naming a record set it aside (the reader already left it
    out); validation errors naming a table row drop that row and validate again.
    Errors naming no record are returned unchanged, so the import still stops.
    """
    aside = [_aside(i) for i in issues if i.severity == "error" and i.row is not None]
    kept = [i for i in issues if not (i.severity == "error" and i.row is not None)]
    tables = {
        k: RawTable(t.entity, t.frame.reset_index(drop=True), t.label) for k, t in raw.items()
    }
    by_label = {t.label: k for k, t in tables.items()}
    # Original spreadsheet rows of the rows still kept, per table.
    rows = {k: list(range(2, len(t.frame) + 2)) for k, t in tables.items()}
    for _ in range(sum(len(t.frame) for t in tables.values()) + 1):
        report, _ = validate_tables(tables, existing_ids=existing_ids)
        drop: dict[str, set[int]] = {}
        for i in report.errors:
            if i.row is None or i.row < 2 or i.file not in by_label:
                continue  # a file-level problem, or "N more rows": next round lists them
            drop.setdefault(by_label[i.file], set()).add(i.row - 2)
            name = by_label[i.file]
            rec = tables[name].frame.iloc[i.row - 2]
            record = " ".join(str(rec.get(c, "")) for c in ("id", "name") if rec.get(c, ""))
            where = Issue(i.file, rows[name][i.row - 2], i.column, i.code, i.message)
            aside.append(_aside(where, record))
        if not drop:
            return tables, kept, aside
        for name, positions in drop.items():
            t = tables[name]
            keep = [p for p in range(len(t.frame)) if p not in positions]
            tables[name] = RawTable(t.entity, t.frame.iloc[keep].reset_index(drop=True), t.label)
            rows[name] = [rows[name][p] for p in keep]
    return tables, kept, aside


def write_set_aside(aside: list[SetAside], path: Path) -> Path:
    """Write the set-aside records as CSV (location, code, reason, record)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["location", "code", "reason", "record"])
        for a in aside:
            w.writerow([a.location(), a.code, a.reason, a.record])
    return path


def records_set_aside(aside: list[SetAside]) -> int:
    """Distinct records set aside (one record may have several problems)."""
    return len({(a.file, a.row) for a in aside})


def summary(read: int, loaded: int, aside: list[SetAside]) -> str:
    """``read 4089, loaded 3642, set aside 447 (unknown-reference 447)``: records, by reason.

    >>> summary(3, 2, [SetAside("s.csv", 2, "name", "missing-value", "no name")])
    'read 3, loaded 2, set aside 1 (missing-value 1)'
    """
    first: dict[tuple, str] = {}
    for a in aside:  # a record with several problems is one record set aside, by its first
        first.setdefault((a.file, a.row), a.code)
    by = ", ".join(f"{k} {n}" for k, n in Counter(first.values()).most_common())
    return f"read {read}, loaded {loaded}, set aside {len(first)}" + (f" ({by})" if by else "")
