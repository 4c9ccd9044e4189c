"""Reading the editable mapping CSVs: rows with their spreadsheet row, patterns, terms."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from gridvoices.ecosystem.issues import Issue

__all__ = ["Term", "read_rules", "regex"]


def read_rules(path: Path, columns: tuple[str, ...]) -> tuple[list[dict], list[Issue]]:
    """Rows of a mapping CSV as dicts with their spreadsheet row number under ``_row``."""
    label = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        return [], [Issue(label, None, None, "bad-mapping", f"mapping file not readable: {e}")]
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        msg = f"mapping file needs the columns {', '.join(columns)}"
        return [], [Issue(label, 1, missing[0], "bad-mapping", msg)]
    rows = []
    for n, row in enumerate(reader, start=2):
        clean = {k: (v or "").strip() for k, v in row.items() if k}
        if any(clean.get(c) for c in columns):
            rows.append({**clean, "_row": n})
    return rows, []


def regex(label: str, row: dict, col: str, issues: list[Issue]) -> re.Pattern | None:
    try:
        return re.compile(row[col], re.IGNORECASE)
    except re.error as e:
        issues.append(Issue(label, row["_row"], col, "bad-mapping", f"not a valid pattern: {e}"))
        return None


@dataclass(frozen=True)
class Term:
    """A taxonomy term as a directory gives it: scheme (vocabulary), code, name, id."""

    scheme: str = ""
    code: str = ""
    name: str = ""
    id: str = ""

    def __str__(self) -> str:
        head = f"{self.scheme}:" if self.scheme else ""
        body = " ".join(x for x in (self.code, self.name) if x) or self.id
        return head + body
