"""Check raw partner tables against the schema and turn them into typed tables.

Raw tables are DataFrames of strings exactly as read (any source: CSV, a
workbook sheet). Checks are vectorised per column so a million-row file is
checked in seconds, and every problem names file, row and column.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping

import numpy as np
import pandas as pd
from gridvoices.ecosystem.issues import Issue, Report
from gridvoices.ecosystem.schema import ENTITIES, LIST_SEP, PERIOD_RE, Column, Entity
from gridvoices.loaders.cells import check_text
from gridvoices.loaders.crosscheck import check_refs, check_rules
from gridvoices.loaders.identifiers import identifying_column, scrub_text
from gridvoices.loaders.tables import (
    ColumnValues,
    Distinct,
    RawTable,
    TypedTables,
    emit,
    spreadsheet_rows,
)

__all__ = [
    "RawTable",
    "validate_tables",
    "unreadable_entities",
    "UNREADABLE",
    "TRUE_WORDS",
    "FALSE_WORDS",
]

TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})
_LARGEST = 2**53


def _split_cell(s: str) -> list[str]:
    """The items of a list cell.

    >>> _split_cell(" hope; ;identity ")
    ['hope', 'identity']
    """
    return [p.strip() for p in s.split(LIST_SEP) if p.strip()] if s else []


def _check_column(
    raw: RawTable, col: Column, out: dict, seen: Distinct | None = None
) -> Iterator[Issue]:
    c = ColumnValues(raw, col)
    u = c.u
    blank = (u == "").to_numpy(dtype=bool)
    if col.required and blank.any():
        yield from c.issues("missing-value", blank, u, lambda v: "a value is required")
    t = col.type
    yield from check_text(c, col, blank)
    if t in ("id", "text", "ref"):
        typed = u.where(~blank, None)
        if seen is not None:
            seen[col.name] = (c.codes, typed)
        out[col.name] = c.expand(typed)
    elif t == "enum":
        bad = ~blank & ~u.isin(col.choices)
        yield from c.issues(
            "not-in-list", bad, u, lambda v: f"{v!r} is not one of: {', '.join(col.choices)}"
        )
        out[col.name] = c.expand(u.where(~blank, None))
    elif t == "bool":
        low = u.str.lower()
        bad = ~blank & ~low.isin(TRUE_WORDS | FALSE_WORDS)
        yield from c.issues("not-a-boolean", bad, u, lambda v: f"{v!r} is not yes/no")
        out[col.name] = c.expand(low.isin(TRUE_WORDS))
    elif t in ("int", "float"):
        num = pd.to_numeric(u.where(~blank), errors="coerce").astype("float64")
        # inf, nan and 1e400 parse as numbers; none is a count or a rating.
        bad = ~blank & ~np.isfinite(num)
        if t == "int":
            bad |= ~blank & ~bad & (num != np.floor(num.fillna(0)))
        kind = "a whole number" if t == "int" else "a number"
        code = "not-an-integer" if t == "int" else "not-a-number"
        yield from c.issues(code, bad, u, lambda v: f"{v!r} is not {kind}")
        # Beyond 2**53 a number is no longer exact (nor an int64 in the stores).
        huge = ~blank & ~bad & (num.abs() > _LARGEST)
        yield from c.issues(
            "out-of-range", huge, u, lambda v: f"{v} is too large (at most {_LARGEST:,})"
        )
        bad |= huge
        ok = ~blank & ~bad
        if col.minimum is not None:
            yield from c.issues(
                "out-of-range",
                ok & (num < col.minimum),
                u,
                lambda v: f"{v} is below the minimum {col.minimum:g}",
            )
        if col.maximum is not None:
            yield from c.issues(
                "out-of-range",
                ok & (num > col.maximum),
                u,
                lambda v: f"{v} is above the maximum {col.maximum:g}",
            )
        num = num.where(ok)
        out[col.name] = c.expand(num.astype("Int64") if t == "int" else num.astype("Float64"))
    elif t == "period":
        bad = ~blank & ~u.str.match(PERIOD_RE)
        yield from c.issues(
            "bad-period",
            bad,
            u,
            lambda v: f"{v!r} is not a period like 2024-Q1, 2024-03 or 2024",
        )
        if seen is not None:
            seen[col.name] = (c.codes, u)
        out[col.name] = c.expand(u)
    elif t in ("enum_list", "ref_list"):
        # Split and checked once per distinct cell (50,000 services name a few hundred
        # district lists); each row still gets a list of its own.
        lists = [_split_cell(v) for v in u.tolist()]
        rows = c.codes.tolist()
        if t == "enum_list":
            allowed = {c.lower(): c for c in col.choices}
            bad_vals = [[x for x in xs if x.lower() not in allowed] for xs in lists]
            bad = np.flatnonzero(np.array([bool(b) for b in bad_vals], dtype=bool)[c.codes])
            yield from emit(
                raw.label,
                col.name,
                "not-in-list",
                bad + 2,
                [bad_vals[rows[i]] for i in bad],
                lambda v: f"{', '.join(map(repr, v))} not one of: {', '.join(col.choices)}",
            )
            lists = [[allowed[x.lower()] for x in xs if x.lower() in allowed] for xs in lists]
        # A list of its own per row (a caller may change one row's); copied in C loops.
        own = list(map(list, map(lists.__getitem__, rows)))
        out[col.name] = pd.Series(own, index=c.index, dtype=object)
    else:  # pragma: no cover - schema is fixed
        raise ValueError(f"unknown column type {t}")


def _duplicated(typed: pd.DataFrame, key: list[str], seen: Distinct) -> pd.Series:
    """``typed.duplicated(key, keep="first")``, from the key columns' distinct values.

    Each column's distinct typed values get one number each; rows are then compared by
    one integer instead of by a tuple of strings.
    """
    combined = np.zeros(len(typed), dtype=np.int64)
    span = 1
    for k in key:
        if k not in seen:
            return typed.duplicated(key, keep="first")
        codes, values = seen[k]
        number, distinct = pd.factorize(values, use_na_sentinel=False)
        span *= max(len(distinct), 1)
        if span >= 2**62:
            return typed.duplicated(key, keep="first")
        combined = combined * max(len(distinct), 1) + number[codes]
    return pd.Series(combined, index=typed.index).duplicated(keep="first")


def _complete(typed: pd.DataFrame, key: list[str], seen: Distinct) -> np.ndarray:
    """Rows with a value in every key column."""
    ok = np.ones(len(typed), dtype=bool)
    for k in key:
        if k in seen:
            codes, values = seen[k]
            ok &= values.notna().to_numpy(dtype=bool)[codes]
        else:
            ok &= typed[k].notna().to_numpy(dtype=bool)
    return ok


def _check_entity(
    raw: RawTable, entity: Entity, seen: Distinct | None = None
) -> tuple[list[Issue], pd.DataFrame | None]:
    seen = {} if seen is None else seen
    issues: list[Issue] = []
    frame = raw.frame
    missing = [c.name for c in entity.columns if c.required and c.name not in frame.columns]
    for name in missing:
        issues.append(
            Issue(raw.label, 1, name, "missing-column", f"required column {name!r} is missing")
        )
    known = set(entity.column_names)
    for name in frame.columns:
        if name not in known and identifying_column(name):
            issues.append(
                Issue(
                    raw.label,
                    1,
                    name,
                    "identifier-stripped",
                    f"column {name!r} looks like it identifies a person; it was not stored",
                    "warning",
                )
            )
        elif name not in known:
            issues.append(
                Issue(
                    raw.label,
                    1,
                    name,
                    "unknown-column",
                    f"column {name!r} is not part of the format and is ignored",
                    "warning",
                )
            )
    if missing:
        return issues, None
    if frame.empty:
        issues.append(
            Issue(raw.label, None, None, "no-rows", "the file has no data rows", "warning")
        )
    for c in entity.columns:
        if c.name not in frame.columns:
            frame[c.name] = ""
    out: dict[str, pd.Series] = {}
    for c in entity.columns:
        issues.extend(_check_column(raw, c, out, seen))
    # The columns were built here for this frame alone: no defensive copy of a million rows.
    typed = pd.DataFrame(out, index=frame.index, copy=False)
    for c in entity.columns:
        if c.type == "text" and c.name == "comment":
            typed[c.name], found = scrub_text(typed[c.name], raw.label, c.name)
            issues.extend(found)
    if entity.name == "peer_links":
        typed["strength"] = typed["strength"].fillna(1.0)  # blank means full strength
    key = list(entity.key)
    dup = _duplicated(typed, key, seen) & _complete(typed, key, seen)
    if dup.any():
        first_row = typed.groupby(key, dropna=True, sort=False).cumcount()
        firsts = {
            tuple(v): r + 2
            for r, v in zip(
                np.flatnonzero((first_row == 0).to_numpy()),
                typed.loc[first_row == 0, key].itertuples(index=False),
                strict=False,
            )
        }
        what = "id" if key == ["id"] else "(" + ", ".join(key) + ")"
        code = "duplicate-id" if key == ["id"] else "duplicate-key"
        keys = typed.loc[dup, key].itertuples(index=False)
        issues.extend(
            emit(
                raw.label,
                key[0],
                code,
                spreadsheet_rows(dup),
                [tuple(v) for v in keys],
                lambda v: f"duplicate {what} {'/'.join(map(str, v))!r}, first on row {firsts[v]}",
            )
        )
    return issues, typed


def validate_tables(
    tables: Mapping[str, RawTable],
    *,
    existing_ids: Mapping[str, set[str]] | None = None,
    unreadable: Collection[str] = (),
) -> tuple[Report, dict[str, pd.DataFrame]]:
    """Validate raw partner tables; return the report and the typed tables.

    References may point at rows in ``tables`` or at ids already in the store
    (``existing_ids``, entity name -> ids). References into an entity in
    ``unreadable`` (its file could not be read) are not checked: one line says so
    instead of one per row. The typed tables are only meaningful when ``report.valid``.
    """
    report = Report()
    typed = TypedTables()
    distinct: dict[str, Distinct] = {}
    for name, raw in tables.items():
        distinct[name] = {}
        issues, df = _check_entity(raw, ENTITIES[name], distinct[name])
        report.issues.extend(issues)
        if df is not None:
            typed[name] = df
            typed.distinct[name] = (df, distinct[name])
    existing = existing_ids or {}
    report.issues.extend(check_refs(tables, typed, existing, distinct, set(unreadable)))
    report.issues.extend(check_rules(tables, typed, existing, distinct))
    return report, typed


# Codes of a file that could not be read at all.
UNREADABLE = frozenset(
    {
        "encoding",
        "empty-file",
        "unreadable",
        "unclosed-quote",
        "duplicate-column",
        "too-large",
        "too-many-rows",
        "too-large-uncompressed",
    }
)


def unreadable_entities(issues: Iterable[Issue]) -> set[str]:
    """Entities whose file or sheet (``services.csv``, ``book.xlsx#services``) was unreadable."""
    out = set()
    for i in issues:
        if i.code in UNREADABLE and i.severity == "error":
            for name, e in ENTITIES.items():
                if i.file == e.filename or i.file.lower().endswith(f"#{name}"):
                    out.add(name)
    return out
