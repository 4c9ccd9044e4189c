"""Integrity of the embedded store: references resolve, provenance is recorded, and the
compact referral graph is exactly what the tables hold.

:func:`dangling_sql` also serves the write path, which re-checks references inside its
own transaction (:meth:`gridvoices.stores.sqlite_store.SQLiteStore.write`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import numpy as np
from gridvoices.ecosystem.schema import ENTITIES, ENTITY_ORDER
from gridvoices.loaders.provenance import REFERENCES
from gridvoices.stores import flow_columns

__all__ = ["dangling_sql", "dangling_written", "dangling_flows", "check_sqlite"]


def dangling_sql(
    written: Iterable[str],
    removed: Iterable[str] = (),
    limit: int = 20,
    skip: Iterable[tuple[str, str]] = (),
) -> list[str]:
    """Queries for references that do not resolve, each row (table, key, column, value).

    Only references that a write could have broken are looked at: those from a
    table in ``written`` and those into an entity in ``removed``; none of ``skip``'s
    (table, column) pairs (the caller checks those another way). The referral flows are
    not SQL rows: :func:`dangling_flows` checks them.
    """
    written, removed, skip = set(written), set(removed), set(skip)
    out = []
    for table, col, is_list, refs in REFERENCES:
        if table == flow_columns.ENTITY:
            continue
        if (table, col) in skip or (table not in written and not removed.intersection(refs)):
            continue
        key = " || '/' || ".join(f'T."{k}"' for k in ENTITIES[table].key)
        value = "j.value" if is_list else f'T."{col}"'
        join = f', json_each(T."{col}") j' if is_list else ""
        # NOT EXISTS per target table: a primary-key lookup each, no list of every id.
        missing = " AND ".join(
            f'NOT EXISTS (SELECT 1 FROM "{r}" R WHERE R.id = {value})' for r in refs
        )
        out.append(
            f"SELECT '{table}', {key}, '{col}', {value} FROM \"{table}\" T{join} "
            f"WHERE {value} IS NOT NULL AND {missing} LIMIT {limit}"
        )
    return out


def dangling_written(
    cur: sqlite3.Cursor,
    tables: dict,
    removed: Iterable[str] = (),
    cats: dict | None = None,
    limit: int = 20,
) -> tuple[list[tuple], set[tuple[str, str]]]:
    """The references of the frames just written (``tables``) that name no stored record,
    checked in memory against the ids the store holds now (inside the caller's transaction).

    Returns (rows as :func:`dangling_sql` gives them, the (table, column) pairs checked).
    A reference into an entity in ``removed`` is left to :func:`dangling_sql`: rows of that
    table from earlier imports may name what the write removed, and only SQL sees those.
    Otherwise only the rows written can dangle (an upsert adds ids, never removes one),
    and a million written flows have a few tens of thousands of distinct ends: checking
    those against a set costs far less than one B-tree probe per row in SQL.

    >>> import pandas as pd
    >>> con = sqlite3.connect(":memory:")
    >>> _ = con.execute("CREATE TABLE districts (id TEXT)")
    >>> _ = con.execute("INSERT INTO districts VALUES ('D1')")
    >>> g = pd.DataFrame({"id": ["g1", "g2"], "district": ["D1", "D9"]})
    >>> rows, done = dangling_written(con.cursor(), {"groups": g})
    >>> rows, ("groups", "district") in done
    ([('groups', 'g2', 'district', 'D9')], True)
    """
    import pandas as pd

    removed, cats = set(removed), cats or {}
    rows: list[tuple] = []
    done: set[tuple[str, str]] = set()
    ids: dict[str, set] = {}
    for table, col, is_list, refs in REFERENCES:
        df = tables.get(table)
        if df is None or col not in df.columns or removed.intersection(refs):
            continue
        done.add((table, col))
        if len(rows) >= limit:
            continue
        series = df[col]
        if is_list:
            flat = pd.Series([v for vs in series if vs for v in vs], dtype=object)
            distinct = flat.unique()
        elif col in cats.get(table, {}):
            distinct = cats[table][col].categories
        else:
            distinct = series.unique()
        for r in refs:
            if r not in ids:
                ids[r] = {row[0] for row in cur.execute(f'SELECT id FROM "{r}"')}
        known = set().union(*(ids[r] for r in refs))
        # As a plain list: iterating a pandas string array goes element by element through
        # pandas (0.3 s for the national flows' 190,000 distinct ends).
        values = np.asarray(distinct, dtype=object).tolist()
        missing = {v for v in values if v is not None and v == v and v not in known}
        if not missing:
            continue
        if is_list:
            bad = series.map(lambda vs, gone=frozenset(missing): [v for v in vs or () if v in gone])
            hit = bad.map(bool).to_numpy(dtype=bool)
        else:
            bad = series
            hit = series.isin(missing).to_numpy(dtype=bool)
        key = list(ENTITIES[table].key)
        found = []
        for i in np.flatnonzero(hit):
            k = "/".join(str(df[c].iat[i]) for c in key)
            for v in bad.iat[i] if is_list else [bad.iat[i]]:
                found.append((table, k, col, v))
        rows += sorted(found, key=lambda r: r[1])[:limit]
    return rows, done


def dangling_flows(
    cur: sqlite3.Cursor,
    flows: flow_columns.Flows,
    written: Iterable[str],
    removed: Iterable[str] = (),
    limit: int = 20,
    skip: Iterable[tuple[str, str]] = (),
) -> list[tuple]:
    """:func:`dangling_sql`'s rows for the referral flows (the columns of
    :mod:`gridvoices.stores.flow_columns`), checked in memory: only each distinct end is
    looked up, against the ids stored now (inside the caller's transaction).

    As :func:`dangling_sql`: only when the flows were ``written`` or an entity they refer
    to lost records (``removed``), and none of ``skip``'s (table, column) pairs.
    """
    written, removed, skip = set(written), set(removed), set(skip)
    out: list[tuple] = []
    ids: dict[str, set] = {}
    for table, col, _, refs in REFERENCES:
        if table != flow_columns.ENTITY or (table, col) in skip:
            continue
        if table not in written and not removed.intersection(refs):
            continue
        for r in refs:
            if r not in ids:
                ids[r] = {row[0] for row in cur.execute(f'SELECT id FROM "{r}"')}
        known = set().union(*(ids[r] for r in refs))
        missing = {v for v in flows.ids if v not in known}
        if missing:
            hits = flow_columns.referring(flows, missing, limit)
            out += [(table, key, c, v) for c, v, key in hits if c == col]
    return out[:limit]


def check_sqlite(conn: sqlite3.Connection) -> list[str]:
    """Every problem found in the embedded store, as sentences (empty: all is well).

    Runs in one read transaction, so it sees one committed state even while an
    import writes (WAL).
    """
    from gridvoices.stores import adjacency

    problems: list[str] = []
    cur = conn.cursor()
    cur.execute("BEGIN")
    try:
        for (msg,) in cur.execute("PRAGMA quick_check"):
            if msg != "ok":
                problems.append(f"SQLite: {msg}")
        flows = flow_columns.load(cur)
        dangling = [r for sql in dangling_sql(ENTITIES) for r in cur.execute(sql)]
        for table, key, col, value in dangling + dangling_flows(cur, flows, ENTITIES):
            problems.append(f"{table} {key}: {col} {value!r} is not stored")
        known = {r[0] for r in cur.execute("SELECT name FROM _sources")}
        for name in ENTITY_ORDER:
            if name == flow_columns.ENTITY:
                origins = flows.origins
            else:
                origins = [
                    src
                    for (src,) in cur.execute(
                        f'SELECT DISTINCT _source FROM "{name}" WHERE _source IS NOT NULL'
                    )
                ]
            for src in origins:
                if src not in known:
                    problems.append(f"{name}: records of source {src!r}, which is not recorded")
        problems += _compare_adjacency(cur, adjacency)
    finally:
        cur.execute("ROLLBACK")
    return problems


def _compare_adjacency(cur: sqlite3.Cursor, adjacency) -> list[str]:
    stored = dict(cur.execute("SELECT name, data FROM _adjacency"))
    if not stored:
        has_rows = cur.execute(
            "SELECT EXISTS (SELECT 1 FROM services) OR EXISTS (SELECT 1 FROM groups)"
        ).fetchone()[0]
        return ["the compact referral graph is missing"] if has_rows else []
    if stored.get("version") != adjacency._VERSION:
        return []  # an older layout: rebuilt on first use, never misread
    saved = adjacency._from_stored(stored)
    fresh = adjacency._build_from_tables(cur)
    out = []
    for name in ("ids", "n_services", "all_periods", "periods"):
        if getattr(saved, name) != getattr(fresh, name):
            out.append(f"the compact referral graph's {name} differ from the tables")
    for name in ("eu", "ev"):
        a, b = getattr(saved, name), getattr(fresh, name)
        if a.shape != b.shape or not np.array_equal(a, b):
            out.append(f"the compact referral graph's edges ({name}) differ from the tables")
    if _rows(saved) != _rows(fresh):
        out.append("the compact referral graph's per-period counts differ from the tables")
    return out


def _rows(adj) -> list[tuple[int, str, int]]:
    # Rows are in no set order (built from written tables or read back): compare as sorted.
    return sorted(
        zip(
            adj.row_edge.tolist(),
            [adj.periods[p] for p in adj.row_period.tolist()],
            adj.row_count.tolist(),
            strict=True,
        )
    )
