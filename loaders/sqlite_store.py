"""The embedded default store: one SQLite file, no server, each import one transaction."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd

from ecosystem.schema import ENTITIES, ENTITY_ORDER, Column

__all__ = ["SQLiteStore"]

_SQL_TYPES = {"int": "INTEGER", "bool": "INTEGER", "float": "REAL"}
_BATCH = 50_000


def _ddl(name: str) -> str:
    e = ENTITIES[name]
    cols = ", ".join(f'"{c.name}" {_SQL_TYPES.get(c.type, "TEXT")}' for c in e.columns)
    key = ", ".join(f'"{k}"' for k in e.key)
    return f'CREATE TABLE IF NOT EXISTS "{name}" ({cols}, PRIMARY KEY ({key})) WITHOUT ROWID'


def _to_sql(col: Column, series: pd.Series) -> list:
    if col.type in ("enum_list", "ref_list"):
        return [json.dumps(v) for v in series]
    if col.type == "bool":
        return [int(bool(v)) for v in series]
    if col.type in ("int", "float"):
        caster = int if col.type == "int" else float
        return [None if pd.isna(v) else caster(v) for v in series]
    return [None if v is None or (isinstance(v, float) and pd.isna(v)) else v for v in series]


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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        for name in ENTITY_ORDER:
            self.conn.execute(_ddl(name))
        self.conn.execute('CREATE INDEX IF NOT EXISTS referrals_target ON referrals("target")')

    def existing_ids(self) -> dict[str, set[str]]:
        out = {}
        for name, e in ENTITIES.items():
            if "id" in e.column_names:
                out[name] = {r[0] for r in self.conn.execute(f'SELECT id FROM "{name}"')}
        return out

    def write(self, tables: dict[str, pd.DataFrame], progress=None) -> None:
        """Upsert all tables in one transaction; on any error roll back to exactly before."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for name in ENTITY_ORDER:
                if name not in tables:
                    continue
                e, df = ENTITIES[name], tables[name]
                cols = e.column_names
                values = [_to_sql(e.column(c), df[c]) for c in cols]
                rows = list(zip(*values, strict=True))
                quoted = ", ".join(f'"{c}"' for c in cols)
                marks = ", ".join("?" for _ in cols)
                keys = ", ".join(f'"{k}"' for k in e.key)
                updates = ", ".join(f'"{c}"=excluded."{c}"' for c in cols if c not in e.key)
                sql = (
                    f'INSERT INTO "{name}" ({quoted}) VALUES ({marks}) '
                    f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
                )
                for i in range(0, len(rows), _BATCH):
                    cur.executemany(sql, rows[i : i + _BATCH])
                    if progress:
                        progress(name, min(i + _BATCH, len(rows)), len(rows))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def read(self) -> dict[str, pd.DataFrame]:
        out = {}
        for name, e in ENTITIES.items():
            cols = e.column_names
            quoted = ", ".join(f'"{c}"' for c in cols)
            order = ", ".join(f'"{k}"' for k in e.key)
            df = pd.read_sql_query(f'SELECT {quoted} FROM "{name}" ORDER BY {order}', self.conn)
            for c in e.columns:
                df[c.name] = _from_sql(c, df[c.name])
            out[name] = df
        return out

    def periods(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT period FROM referrals ORDER BY 1")]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
