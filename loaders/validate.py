"""Check raw partner tables against the schema and turn them into typed tables.

Raw tables are DataFrames of strings exactly as read (any source: CSV, a
workbook sheet). Checks are vectorised per column so a million-row file is
checked in seconds, and every problem names file, row and column.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd
from gridvoices.ecosystem.issues import Issue, Report
from gridvoices.ecosystem.schema import ENTITIES, LIST_SEP, PERIOD_RE, Column, Entity
from gridvoices.loaders.identifiers import identifying_column, scrub_text

__all__ = ["RawTable", "validate_tables", "TRUE_WORDS", "FALSE_WORDS"]

TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})
# Beyond this many problems of one kind in one column, the rest are counted, not listed.
_PER_COLUMN_LIMIT = 20


class RawTable:
    """A table of strings as read, with the label errors should name (``services.csv``)."""

    def __init__(self, entity: str, frame: pd.DataFrame, label: str):
        self.entity = entity
        self.frame = frame
        self.label = label


def _rows(mask: np.ndarray | pd.Series) -> np.ndarray:
    """Spreadsheet row numbers (header = 1) of the True positions."""
    return np.flatnonzero(np.asarray(mask)) + 2


def _emit(label, column, code, rows, values, message_for) -> Iterator[Issue]:
    for n, (row, value) in enumerate(zip(rows, values, strict=False)):
        if n == _PER_COLUMN_LIMIT:
            yield Issue(
                label,
                None,
                column,
                code,
                f"{len(rows) - n} more rows with the same problem in this column",
            )
            return
        yield Issue(label, int(row), column, code, message_for(value))


def _split(series: pd.Series) -> pd.Series:
    return series.map(lambda s: [p.strip() for p in s.split(LIST_SEP) if p.strip()] if s else [])


def _distinct(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each row's code and the distinct values, stripped.

    Checks run once per distinct value and are spread back to the rows: a flow file
    repeats a few thousand ids and a handful of periods a million times.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=series.dtype).str.strip()


class _Column:
    """A column as (row codes, distinct stripped values), and its issues by row."""

    def __init__(self, raw: RawTable, col: Column):
        self.label, self.name, self.index = raw.label, col.name, raw.frame.index
        self.codes, self.u = _distinct(raw.frame[col.name])

    def expand(self, values: pd.Series) -> pd.Series:
        """Per-distinct-value results, one per row again."""
        out = values.take(self.codes)
        out.index = self.index
        return out

    def issues(self, code: str, bad, values, message_for) -> Iterator[Issue]:
        """Issues for the rows whose distinct value is ``bad`` (a mask over the values)."""
        pos = np.flatnonzero(np.asarray(bad, dtype=bool)[self.codes])
        shown = np.asarray(values, dtype=object)[self.codes[pos]]
        return _emit(self.label, self.name, code, pos + 2, shown, message_for)


# Distinct typed values of the single-valued string columns of one table:
# column -> (each row's code, the value of each code).
Distinct = dict[str, tuple[np.ndarray, pd.Series]]


def _check_column(
    raw: RawTable, col: Column, out: dict, seen: Distinct | None = None
) -> Iterator[Issue]:
    c = _Column(raw, col)
    u = c.u
    blank = (u == "").to_numpy(dtype=bool)
    if col.required and blank.any():
        yield from c.issues("missing-value", blank, u, lambda v: "a value is required")
    t = col.type
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
        num = pd.to_numeric(u.where(~blank), errors="coerce")
        bad = ~blank & num.isna()
        if t == "int":
            bad |= ~blank & num.notna() & (num != np.floor(num.fillna(0)))
        kind = "a whole number" if t == "int" else "a number"
        code = "not-an-integer" if t == "int" else "not-a-number"
        yield from c.issues(code, bad, u, lambda v: f"{v!r} is not {kind}")
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
        # Row by row: each row gets a list of its own.
        s = c.expand(u)
        parts = _split(s)
        if t == "enum_list":
            allowed = {c.lower(): c for c in col.choices}
            bad_vals = parts.map(lambda xs: [x for x in xs if x.lower() not in allowed])
            bad = bad_vals.map(bool)
            yield from _emit(
                raw.label,
                col.name,
                "not-in-list",
                _rows(bad),
                bad_vals[bad],
                lambda v: f"{', '.join(map(repr, v))} not one of: {', '.join(col.choices)}",
            )
            parts = parts.map(lambda xs: [allowed[x.lower()] for x in xs if x.lower() in allowed])
        out[col.name] = parts
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
    typed = pd.DataFrame(out, index=frame.index)
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
            _emit(
                raw.label,
                key[0],
                code,
                _rows(dup),
                [tuple(v) for v in keys],
                lambda v: f"duplicate {what} {'/'.join(map(str, v))!r}, first on row {firsts[v]}",
            )
        )
    return issues, typed


def _check_refs(
    tables: Mapping[str, RawTable],
    typed: dict[str, pd.DataFrame],
    existing: Mapping[str, set[str]],
    distinct: Mapping[str, Distinct] | None = None,
) -> Iterator[Issue]:
    ids: dict[str, set[str]] = {name: set(existing.get(name, ())) for name in ENTITIES}
    for name, df in typed.items():
        if "id" in df.columns:
            ids[name] |= set(df["id"].dropna())
    for name, df in typed.items():
        entity, label = ENTITIES[name], tables[name].label
        for col in entity.columns:
            if col.type not in ("ref", "ref_list"):
                continue
            pool = set().union(*(ids[r] for r in col.refs))
            series = df[col.name]
            known = (distinct or {}).get(name, {})
            if col.type == "ref" and col.name in known:
                # Each distinct value looked up once (a flow file names each service often).
                codes, values = known[col.name]
                miss = (values.notna() & ~values.isin(pool)).to_numpy(dtype=bool)
                bad = miss[codes]
                vals = np.asarray(values, dtype=object)[codes[bad]]
            elif col.type == "ref":
                bad = series.notna() & ~series.isin(pool)
                vals = series[bad]
            else:
                bad_lists = series.map(lambda xs, pool=pool: [x for x in xs if x not in pool])
                bad = bad_lists.map(bool)
                vals = bad_lists[bad].map(lambda xs: ", ".join(xs))
            wanted = " or ".join(r.rstrip("s") for r in col.refs)
            yield from _emit(
                label,
                col.name,
                "unknown-reference",
                _rows(bad),
                vals,
                lambda v, wanted=wanted: f"{v!r} is not a known {wanted} id",
            )


def _same_value(known: Distinct, df: pd.DataFrame, a: str, b: str) -> pd.Series:
    """Rows where columns ``a`` and ``b`` hold the same (not missing) value."""
    if a not in known or b not in known:
        return df[a].notna() & (df[a] == df[b])
    # Match the distinct values of one column to the other's, then compare row codes.
    # Stripping can make two distinct raw values one value: number b's values afresh.
    (ca, va), (cb, vb) = known[a], known[b]
    nb, ub = pd.factorize(vb)
    as_b = pd.Index(ub).get_indexer(va)
    as_b[va.isna().to_numpy(dtype=bool)] = -1
    mapped = as_b[ca]
    return pd.Series((mapped >= 0) & (mapped == nb[cb]), index=df.index)


def _check_rules(
    tables: Mapping[str, RawTable],
    typed: dict[str, pd.DataFrame],
    existing: Mapping[str, set[str]],
    distinct: Mapping[str, Distinct] | None = None,
) -> Iterator[Issue]:
    seen: dict[str, str] = {}
    for name, ids in existing.items():
        for i in ids:
            seen.setdefault(i, name)
    for name, df in typed.items():
        if "id" not in df.columns:
            continue
        label = tables[name].label
        for row, i in zip(_rows(df["id"].notna()), df["id"].dropna(), strict=False):
            if i in seen and seen[i] != name:
                yield Issue(
                    label,
                    int(row),
                    "id",
                    "id-clash",
                    f"id {i!r} is already used for {seen[i]}; ids must be unique across files",
                )
            seen.setdefault(i, name)
    if "referrals" in typed:
        df, label = typed["referrals"], tables["referrals"].label
        loop = _same_value((distinct or {}).get("referrals", {}), df, "source", "target")
        yield from _emit(
            label,
            "target",
            "self-referral",
            _rows(loop),
            df.loc[loop, "source"],
            lambda v: f"{v!r} refers to itself; flows are between different services",
        )
        over = df["accepted"].notna() & df["count"].notna() & (df["accepted"] > df["count"])
        over = over.fillna(False).astype(bool)
        yield from _emit(
            label,
            "accepted",
            "accepted-over-count",
            _rows(over),
            df.loc[over, "accepted"],
            lambda v: f"accepted ({v}) is more than count",
        )
    if "services" in typed:
        df, label = typed["services"], tables["services"].label
        nodist = df["districts"].map(len) == 0
        for row, i in zip(_rows(nodist), df.loc[nodist, "id"], strict=False):
            yield Issue(
                label,
                int(row),
                "districts",
                "no-district",
                f"service {i!r} has no district",
                "warning",
            )


def validate_tables(
    tables: Mapping[str, RawTable], *, existing_ids: Mapping[str, set[str]] | None = None
) -> tuple[Report, dict[str, pd.DataFrame]]:
    """Validate raw partner tables; return the report and the typed tables.

    References may point at rows in ``tables`` or at ids already in the store
    (``existing_ids``, entity name -> ids). The typed tables are only
    meaningful when ``report.valid``.
    """
    report = Report()
    typed: dict[str, pd.DataFrame] = {}
    distinct: dict[str, Distinct] = {}
    for name, raw in tables.items():
        distinct[name] = {}
        issues, df = _check_entity(raw, ENTITIES[name], distinct[name])
        report.issues.extend(issues)
        if df is not None:
            typed[name] = df
    report.issues.extend(_check_refs(tables, typed, existing_ids or {}, distinct))
    report.issues.extend(_check_rules(tables, typed, existing_ids or {}, distinct))
    return report, typed
