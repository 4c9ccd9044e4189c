"""The embedded default store: one SQLite file, no server, each import one transaction."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from gridvoices.ecosystem.issues import ImportRejected, Report
from gridvoices.ecosystem.schema import ENTITIES, ENTITY_ORDER, Column
from gridvoices.loaders.provenance import REFERENCES, Source, still_referenced
from gridvoices.stores import adjacency, flow_columns, outcome
from gridvoices.stores.integrity import dangling_flows, dangling_sql, dangling_written
from gridvoices.stores.locks import FileLock

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SQLiteStore"]

_SQL_TYPES = {"int": "INTEGER", "bool": "INTEGER", "float": "REAL"}
_BATCH = 50_000
_MAX_PARAMS = 999  # SQLITE_MAX_VARIABLE_NUMBER before SQLite 3.32
# Tables the compact referral graph is built from (gridvoices.stores.adjacency).
_GRAPH_TABLES = {"services", "groups", "referrals"}
# Dropped: the compact referral graph answers lookups by target (gridvoices.stores.adjacency).
_OLD_INDEXES = ("referrals_target",)


def _ddl(name: str) -> str:
    e = ENTITIES[name]
    cols = ", ".join(f'"{c.name}" {_SQL_TYPES.get(c.type, "TEXT")}' for c in e.columns)
    key = ", ".join(f'"{k}"' for k in e.key)
    # _source/_import: provenance of each record (see gridvoices.loaders.provenance).
    return (
        f'CREATE TABLE IF NOT EXISTS "{name}" ({cols}, _source TEXT, _import TEXT, '
        f"PRIMARY KEY ({key})) WITHOUT ROWID"
    )


_SOURCES_DDL = """
CREATE TABLE IF NOT EXISTS _sources (
    name TEXT PRIMARY KEY, format TEXT, imported_at TEXT, import_id TEXT
)
"""


def _to_sql(col: Column, series: pd.Series) -> list:
    # Whole-column conversions: a million rows go through here on a national import.
    if col.type in ("enum_list", "ref_list"):
        # Few distinct lists (districts, CHIME tags): each is encoded once.
        done: dict[tuple, str] = {}
        return [
            done.get(t) or done.setdefault(t, json.dumps(v)) for v in series for t in [tuple(v)]
        ]
    if col.type == "bool":
        return series.astype(bool).astype(int).tolist()
    return series.to_numpy(dtype=object, na_value=None).tolist()


def _categories(df: pd.DataFrame, columns, known: dict | None = None) -> dict[str, pd.Categorical]:
    """Each column as codes over its distinct values (hashed once, shared by the key sort
    and the compact graph). Categories are in order of appearance, not sorted.

    ``known``: column -> (each row's code, the typed value of each code), as validation
    left them (:class:`gridvoices.loaders.tables.TypedTables`): only those few values are
    hashed again (stripping can make two raw values one), not every row.
    """
    import pandas as pd

    out = {}
    for k in columns:
        codes, values = (known or {}).get(k, (None, None))
        if codes is not None and len(codes) == len(df) and not values.isna().any():
            number, uniques = pd.factorize(values, use_na_sentinel=False)
            out[k] = pd.Categorical.from_codes(number[codes], categories=uniques)
            continue
        codes, uniques = pd.factorize(df[k], use_na_sentinel=False)
        out[k] = pd.Categorical.from_codes(codes, categories=uniques)
    return out


def _key_order(df: pd.DataFrame, key: list[str], cats: dict) -> np.ndarray:
    """Row order sorted by ``key``, as ``sort_values`` would give it, in a fraction of the time:
    only each key column's distinct values are sorted as strings, rows by integer ranks."""
    ranks, span = [], 1
    for k in key:
        cat = cats[k] if k in cats else _categories(df, [k])[k]
        values = np.asarray(cat.categories, dtype=object).tolist()
        rank = np.empty(len(values), dtype=np.int64)
        rank[sorted(range(len(values)), key=values.__getitem__)] = np.arange(len(values))
        ranks.append((rank[cat.codes], max(len(values), 1)))
        span *= max(len(values), 1)
    if not ranks:
        return np.arange(len(df))
    if span >= 2**62:
        return np.lexsort([r for r, _ in reversed(ranks)])
    # One int64 per row, sorted stably: the lexsort order at less than half its cost.
    combined = np.zeros(len(df), dtype=np.int64)
    for r, size in ranks:
        combined = combined * size + r
    return np.argsort(combined, kind="stable")


def _upsert_sql(name: str, columns: list[str], key, rows: int) -> str:
    """An upsert of ``rows`` rows of ``columns`` per statement; the provenance (``?1``, ``?2``)
    is bound once per statement, the rows' values follow from ``?3``.

    >>> print(_upsert_sql("t", ["id", "x"], ["id"], 2).replace(" FROM", "\\n FROM"))
    INSERT INTO "t" ("id", "x", _source, _import) SELECT column1, column2, ?1, ?2
     FROM (VALUES (?3, ?4), (?5, ?6)) WHERE true ON CONFLICT ("id") DO UPDATE SET "x"=excluded."x", _source=excluded._source, _import=excluded._import
    """  # noqa: E501
    width = len(columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    picked = ", ".join(f"column{i + 1}" for i in range(width))
    marks = ", ".join(
        "(" + ", ".join(f"?{3 + r * width + i}" for i in range(width)) + ")" for r in range(rows)
    )
    keys = ", ".join(f'"{k}"' for k in key)
    updates = [f'"{c}"=excluded."{c}"' for c in columns if c not in key]
    updates += ["_source=excluded._source", "_import=excluded._import"]
    # "WHERE true": without it SQLite would read ON CONFLICT as a join constraint.
    return (
        f'INSERT INTO "{name}" ({quoted}, _source, _import) SELECT {picked}, ?1, ?2 '
        f"FROM (VALUES {marks}) WHERE true "
        f"ON CONFLICT ({keys}) DO UPDATE SET {', '.join(updates)}"
    )


def _from_sql(col: Column, series: pd.Series) -> pd.Series:
    if col.type in ("enum_list", "ref_list"):
        return series.map(json.loads)
    if col.type == "bool":
        return series.astype(bool)
    if col.type == "int":
        return series.astype("Int64")
    if col.type == "float":
        return series.astype("Float64")
    return series.astype(object).where(series.notna(), None)


def _dangling_issues(rows) -> list:
    from gridvoices.ecosystem.issues import Issue

    return [
        Issue(
            table,
            None,
            col,
            "unknown-reference",
            f"{table} {key} refers to {value!r}, which is no longer stored (another import "
            "changed it since validation); nothing was stored, import again",
        )
        for table, key, col, value in rows
    ]


class SQLiteStore:
    """Embedded store in a SQLite file (standard library ``sqlite3``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> s = SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "g.sqlite")
    >>> s.existing_ids()["services"]
    set()
    """

    kind = "embedded"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The store holds the true, unsuppressed counts: readable by its owner only.
        # SQLite gives its -wal and -shm files the mode of the database file.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        # One import at a time per workspace, from validation to commit (see stores.locks).
        self.lock = FileLock(self.path.with_name(self.path.name + ".lock"), f"the store {path}")
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        # WAL: readers see the last committed state while an import writes, never waiting
        # for it (a rollback journal blocked them for the whole commit of a large import).
        # The price is writing pages twice (log, then checkpoint). FULL syncs the log at
        # each commit, so a crash keeps exactly the committed state.
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self._create_schema()
        self._adjacency: adjacency.Adjacency | None = None
        self._flows: flow_columns.Flows | None = None
        # PRAGMA data_version when both caches were taken: it changes when another
        # connection commits to the file (never for this one's own commits).
        self._seen: int | None = None
        # Flow rows an older version kept in the SQL table move into the columns once.
        flow_columns.migrate(self.conn)
        self.conn.execute("PRAGMA cache_size=-200000")  # 200 MB page cache for big imports

    def _create_schema(self) -> None:
        """The tables, created where missing. A new file gets them in one transaction:
        each statement on its own is a commit that syncs the log (a dozen syncs, ~40 ms on
        a disk). An existing store is left to the statements one by one, which write
        nothing when its tables are there, so opening one never waits for an import's
        write lock."""
        conn = self.conn
        new = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0] == 0
        if new:
            conn.execute("BEGIN IMMEDIATE")
        try:
            for name in ENTITY_ORDER:
                conn.execute(_ddl(name))
                self._add_provenance_columns(name)
            conn.execute(_SOURCES_DDL)
            conn.execute(adjacency.DDL)
            conn.execute(flow_columns.DDL)
            if new:
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _fresh(self) -> None:
        """Drop the cached flows and compact graph if another connection has committed since
        they were read: a long-lived store (the Python API, a server) never answers from
        what another process has since replaced."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._seen:
            self._adjacency = self._flows = None
            self._seen = version

    def compact(self) -> adjacency.Adjacency:
        """The compact referral graph (:mod:`gridvoices.stores.adjacency`), loaded once; this
        store's writes replace it, another process's commit makes it read again."""
        self._fresh()
        if self._adjacency is None:
            self._adjacency = adjacency.load(self.conn)
        return self._adjacency

    def flows(self) -> flow_columns.Flows:
        """The stored referral flows (:mod:`gridvoices.stores.flow_columns`), loaded once;
        this store's writes replace them, another process's commit makes them read again."""
        self._fresh()
        if self._flows is None:
            self._flows = flow_columns.load(self.conn)
        return self._flows

    def _add_provenance_columns(self, name: str) -> None:
        # Stores written before provenance (or an optional column such as latitude) existed
        # gain the columns; their records have no value there.
        have = {r[1] for r in self.conn.execute(f'PRAGMA table_info("{name}")')}
        for col in ("_source", "_import"):
            if col not in have:
                self.conn.execute(f'ALTER TABLE "{name}" ADD COLUMN {col} TEXT')
        for c in ENTITIES[name].columns:
            if c.name not in have and not c.required:
                sql_type = _SQL_TYPES.get(c.type, "TEXT")
                self.conn.execute(f'ALTER TABLE "{name}" ADD COLUMN "{c.name}" {sql_type}')

    @contextmanager
    def writing(self, wait: float = 0) -> Iterator[None]:
        """Hold the workspace's write lock (``wait`` s for it; ``math.inf``: as long as it takes).

        Raises :class:`gridvoices.stores.locks.StoreBusy` naming the holder.
        """
        self.lock.wait = wait
        with self.lock:
            yield

    def stored(self, source: Source) -> str:
        """Whether ``source``'s import committed: "stored" or "nothing" (see stores.outcome)."""
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            row = conn.execute(
                "SELECT 1 FROM _sources WHERE import_id = ?", (source.import_id,)
            ).fetchone()
        finally:
            conn.close()
        return "stored" if row else "nothing"

    def existing_ids(self) -> dict[str, set[str]]:
        out = {}
        for name, e in ENTITIES.items():
            if "id" in e.column_names:
                out[name] = {r[0] for r in self.conn.execute(f'SELECT id FROM "{name}"')}
        return out

    def write(
        self,
        tables: dict[str, pd.DataFrame],
        progress=None,
        *,
        source: Source | None = None,
    ) -> None:
        """Upsert all tables in one transaction; on any error roll back to exactly before.

        With a ``source``, that source's records this import did not contain are
        removed (a re-import replaces the source), unless others still refer to them.
        """
        probe = (lambda: self.stored(source)) if source is not None else (lambda: "unknown")
        with self.lock, outcome.writing(probe):
            self._write(tables, progress, source)

    def _write(self, tables, progress, source: Source | None) -> None:
        tag = (source.name, source.import_id) if source else (None, None)
        cur = self.conn.cursor()
        self._adjacency = None
        self._flows = None
        cur.execute("BEGIN IMMEDIATE")
        try:
            for ix in _OLD_INDEXES:
                cur.execute(f"DROP INDEX IF EXISTS {ix}")
            # Read inside the transaction: what is committed now, whatever another process did.
            stored = flows = flow_columns.load(cur)
            cats: dict[str, dict] = {}
            for name in ENTITY_ORDER:
                if name in tables:
                    known = getattr(tables, "distinct_of", lambda *_: {})(name, tables[name])
                    cats[name] = _categories(tables[name], ENTITIES[name].key, known)
                    if name == flow_columns.ENTITY:
                        flows = self._merge_flows(flows, tables[name], tag, progress, cats[name])
                    else:
                        self._upsert(cur, name, tables[name], tag, progress, cats[name])
            removed: set[str] = set()
            if source is not None:
                removed, flows = self._replace_stale(cur, source, flows)
            self._recheck(cur, tables, removed, cats, flows)
            if flows is not stored:
                self._save_flows(cur, flows)
            if _GRAPH_TABLES & (removed | tables.keys()):
                self._adjacency = self._rewrite_adjacency(cur, flows)
            cur.execute("COMMIT")
            self._flows = flows
            self._seen = self.conn.execute("PRAGMA data_version").fetchone()[0]
        except BaseException:
            self._adjacency = None
            self._flows = None
            # An interrupt can arrive just after COMMIT returned: then there is nothing to
            # roll back, and trying would replace the interrupt with an OperationalError.
            if self.conn.in_transaction:
                cur.execute("ROLLBACK")
            raise

    @staticmethod
    def _recheck(
        cur,
        tables: dict,
        removed: set[str],
        cats: dict | None = None,
        flows: flow_columns.Flows | None = None,
    ) -> None:
        """Refuse the write if any reference from or into a touched table is left dangling.

        Validation checked references against the store as it was; this re-check runs in
        the write transaction itself, so no other writer can have changed the answer. The
        frames just written are checked in memory against the ids stored now; SQL checks
        only what a removal could have broken in older rows, and the flow columns (``flows``,
        as this write leaves them) the same way in memory.
        """
        problems, done = dangling_written(cur, tables, removed, cats)
        for sql in dangling_sql(tables.keys(), removed, skip=done):
            if len(problems) >= 20:
                break
            problems += cur.execute(sql).fetchall()
        if flows is not None and len(problems) < 20:
            problems += dangling_flows(cur, flows, tables.keys(), removed, skip=done)
        if problems:
            raise ImportRejected(Report(_dangling_issues(problems[:20])))

    @staticmethod
    def _rewrite_adjacency(cur, flows: flow_columns.Flows) -> adjacency.Adjacency:
        """The compact referral graph of what the store now holds (``flows``: the flow
        columns as this write leaves them), saved in this transaction."""
        return adjacency.rebuild(cur, flows)

    @staticmethod
    def _merge_flows(
        stored: flow_columns.Flows, df: pd.DataFrame, tag, progress, cats: dict
    ) -> flow_columns.Flows:
        """``stored`` with the written referral rows upserted, in memory (saved later in
        the same transaction by :meth:`_save_flows`)."""
        merged = flow_columns.upsert(stored, flow_columns.from_frame(df, cats, tuple(tag)))
        if progress:
            progress(flow_columns.ENTITY, len(df), len(df))
        return merged

    @staticmethod
    def _save_flows(cur, flows: flow_columns.Flows) -> None:
        flow_columns.save(cur, flows)
        # Rows an older version left in the SQL table are in ``flows`` now (load merged
        # them): left there, the next load would lay them over newer values.
        cur.execute("DELETE FROM referrals")

    def _upsert(self, cur, name, df, tag, progress, cats: dict) -> None:
        e = ENTITIES[name]
        cols = e.column_names
        # Rows in key order fill the table's B-tree left to right instead of at random:
        # several times faster on a large import.
        df = df.iloc[_key_order(df, list(e.key), cats)]
        values = [_to_sql(e.column(c), df[c]) for c in cols]
        n, width, tag = len(df), len(cols), list(tag)
        # Many rows per statement: executemany's per-row cost (bind, step, reset) was over
        # half of a million-row insert. Within SQLite's oldest host-parameter limit (999).
        per = max(1, (_MAX_PARAMS - 2) // width)
        one, many = _upsert_sql(name, cols, e.key, 1), _upsert_sql(name, cols, e.key, per)
        step = per * width
        for i in range(0, n, _BATCH):
            chunk = [v[i : i + _BATCH] for v in values]
            flat = list(itertools.chain.from_iterable(zip(*chunk, strict=True)))
            full = len(flat) // step * step
            cur.executemany(many, (tag + flat[j : j + step] for j in range(0, full, step)))
            cur.executemany(one, (tag + flat[j : j + width] for j in range(full, len(flat), width)))
            if progress:
                progress(name, min(i + _BATCH, n), n)

    def _replace_stale(
        self, cur, source: Source, flows: flow_columns.Flows
    ) -> tuple[set[str], flow_columns.Flows]:
        """Remove the source's records this import did not contain: (the tables that lost
        any, ``flows`` without the source's stale rows)."""
        stale = "_source = :s AND _import <> :i"
        p = {"s": source.name, "i": source.import_id}
        problems = []
        # Only entities that lose records can leave references dangling; checking the others
        # would scan a million flow rows for nothing.
        losing = {
            entity
            for entity in ENTITY_ORDER
            if "id" in ENTITIES[entity].column_names
            and cur.execute(f'SELECT 1 FROM "{entity}" WHERE {stale} LIMIT 1', p).fetchone()
        }
        for table, col, is_list, refs in REFERENCES:
            if table == flow_columns.ENTITY:
                for entity in (r for r in refs if r in losing):
                    gone = {
                        r[0] for r in cur.execute(f'SELECT id FROM "{entity}" WHERE {stale}', p)
                    }
                    hits = flow_columns.referring(
                        flows, gone, unless=(source.name, source.import_id)
                    )
                    problems += [(entity, v, table, k) for c, v, k in hits if c == col]
                continue
            e = ENTITIES[table]
            key = " || '/' || ".join(f'T."{k}"' for k in e.key)
            value = "j.value" if is_list else f'T."{col}"'
            join = f', json_each(T."{col}") j' if is_list else ""
            for entity in (r for r in refs if r in losing):
                q = (
                    f"SELECT '{entity}', {value}, '{table}', {key} FROM \"{table}\" T{join} "
                    f'WHERE {value} IN (SELECT id FROM "{entity}" WHERE {stale}) '
                    f"AND NOT (T._source IS :s AND T._import <> :i) LIMIT 20"
                )
                problems += cur.execute(q, p).fetchall()
        if problems:
            raise ImportRejected(Report(still_referenced(source, problems[:20])))
        removed = set()
        flows, dropped = flow_columns.drop_stale(flows, source.name, source.import_id)
        if dropped:
            removed.add(flow_columns.ENTITY)
        for name in ENTITY_ORDER:
            if name == flow_columns.ENTITY:
                continue
            if cur.execute(f'DELETE FROM "{name}" WHERE {stale}', p).rowcount:
                removed.add(name)
        cur.execute(
            "INSERT INTO _sources VALUES (:s, :f, :t, :i) ON CONFLICT (name) DO UPDATE SET "
            "format = excluded.format, imported_at = excluded.imported_at, "
            "import_id = excluded.import_id",
            {**p, "f": source.format, "t": source.imported_at},
        )
        return removed, flows

    def sources(self) -> list[dict]:
        """Each source loaded: name, format, import time and how many records it holds."""
        out = []
        flows = flow_columns.per_origin(self.flows())
        for name, fmt, at in self.conn.execute(
            "SELECT name, format, imported_at FROM _sources ORDER BY name"
        ):
            rows = {
                t: self.conn.execute(
                    f'SELECT count(*) FROM "{t}" WHERE _source = ?', (name,)
                ).fetchone()[0]
                if t != flow_columns.ENTITY
                else flows.get(name, 0)
                for t in ENTITY_ORDER
            }
            out.append(
                {
                    "source": name,
                    "format": fmt,
                    "imported_at": at,
                    "rows": {k: v for k, v in rows.items() if v},
                }
            )
        return out

    def read(self) -> dict[str, pd.DataFrame]:
        # pandas is loaded here, not at import: a question answered from SQL needs none of it.
        import pandas as pd

        out = {}
        for name, e in ENTITIES.items():
            if name == flow_columns.ENTITY:
                out[name] = flow_columns.to_frame(self.flows())
                continue
            cols = e.column_names
            quoted = ", ".join(f'"{c}"' for c in cols)
            order = ", ".join(f'"{k}"' for k in e.key)
            df = pd.read_sql_query(f'SELECT {quoted} FROM "{name}" ORDER BY {order}', self.conn)
            for c in e.columns:
                df[c.name] = _from_sql(c, df[c.name])
            out[name] = df
        return out

    def periods(self) -> list[str]:
        """Every period of a referral row or a feedback response, sorted."""
        # The referral periods come with the compact graph: no scan of a million rows.
        fb = {r[0] for r in self.conn.execute("SELECT DISTINCT period FROM feedback")}
        return sorted(fb.union(adjacency.referral_periods(self.conn)))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
