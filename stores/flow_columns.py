"""The embedded store's referral flows, kept column-wise rather than one SQLite row each.

A national import holds a million flows. Through Python's ``sqlite3`` one row per flow
costs over a second of CPU even in a bare table, so the whole ``referrals`` entity is
kept as a few numpy arrays saved as BLOBs in the ``_flows`` table of the same SQLite
file, rewritten inside each import's transaction (a failed import leaves them as they
were). The SQL ``referrals`` table stays, empty, so older code that creates it still
runs; rows an older version left there are moved into the columns when a store is
opened (:func:`migrate`), and read with the columns until then (:func:`load`).

Layout: rows sorted by key (source, target, period as strings: what
``ORDER BY source, target, period`` gives, each key once); string columns are codes into
sorted dictionaries (``ids`` for both ends, ``periods``, the provenance ``origins``
(source names) and ``imports`` (import ids), -1 where no provenance was recorded);
``count`` and ``accepted`` are integers, ``known`` says where ``accepted`` was given.
Dictionaries hold only values some row uses, so the same flows always give the same
bytes: re-importing the same data rewrites identical blobs, but for ``imports`` (the new
import's id, as the SQL rows' ``_import`` changed too).
"""

from __future__ import annotations

import io
import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ENTITY",
    "COLUMNS",
    "DDL",
    "Flows",
    "empty",
    "from_frame",
    "upsert",
    "drop_stale",
    "referring",
    "rows",
    "to_frame",
    "per_origin",
    "save",
    "load",
    "migrate",
    "of",
    "to_blob",
    "from_blob",
]

ENTITY = "referrals"
# The referral columns of ecosystem.schema this layout stores (a test holds them equal).
COLUMNS = ("source", "target", "period", "count", "accepted")
DDL = "CREATE TABLE IF NOT EXISTS _flows (name TEXT PRIMARY KEY, data BLOB)"
# Bumped whenever the layout changes; a layout this code does not know is refused.
_VERSION = b"1"
_ARRAYS = ("source", "target", "period", "count", "accepted", "known", "origin", "imported")
# Each dictionary and the columns that hold codes into it.
_DICT_COLUMNS = (
    ("ids", ("source", "target")),
    ("periods", ("period",)),
    ("origins", ("origin",)),
    ("imports", ("imported",)),
)
_DICTS = tuple(name for name, _ in _DICT_COLUMNS)
_SQL_ROWS = (
    'SELECT source, target, period, "count", accepted, _source, _import FROM referrals '
    "ORDER BY source, target, period"
)


@dataclass(frozen=True, eq=False)
class Flows:
    """The stored referral flows as columns (see the module docstring for the layout)."""

    ids: list[str]  # code -> service or group id (both ends), sorted
    periods: list[str]  # code -> period, sorted
    origins: list[str]  # code -> provenance source name, sorted
    imports: list[str]  # code -> provenance import id, sorted
    source: np.ndarray
    target: np.ndarray
    period: np.ndarray
    count: np.ndarray
    accepted: np.ndarray  # 0 where not known
    known: np.ndarray  # bool: accepted was given
    origin: np.ndarray  # -1: no provenance recorded
    imported: np.ndarray  # -1: no provenance recorded

    def __len__(self) -> int:
        return len(self.count)

    def same(self, other: Flows) -> bool:
        """Whether both hold exactly the same flows and provenance."""
        return all(getattr(self, d) == getattr(other, d) for d in _DICTS) and all(
            np.array_equal(getattr(self, a), getattr(other, a)) for a in _ARRAYS
        )


def _codes(n: int) -> type:
    # The narrowest signed type for codes 0..n-1 and -1: a deterministic choice, so the
    # same flows always save the same bytes.
    for t in (np.int8, np.int16, np.int32):
        if n <= np.iinfo(t).max:
            return t
    return np.int64


def _ints(a: np.ndarray) -> np.ndarray:
    small = len(a) == 0 or (a.min() >= -(2**31) and a.max() < 2**31)
    return a.astype(np.int32 if small else np.int64)


def empty() -> Flows:
    """No flows."""
    z = np.zeros(0, dtype=np.int8)
    return Flows([], [], [], [], z, z, z, z.astype(np.int32), z.astype(np.int32),
                 z.astype(bool), z, z)  # fmt: skip


def _canonical(dicts: dict[str, list], arrays: dict[str, np.ndarray]) -> Flows:
    """Flows from codes into sorted dictionaries ``dicts``: rows sorted by key, each key
    once (the last row of a key wins, as a later upsert replaces an earlier one), the
    dictionaries pruned to the values rows use."""
    s, t, p = (arrays[k] for k in ("source", "target", "period"))
    n_id, n_p = max(len(dicts["ids"]), 1), max(len(dicts["periods"]), 1)
    picked: dict[str, np.ndarray] = {}
    if n_id * n_id * n_p < 2**62:
        # In place: each fresh million-row array costs its first touch of memory.
        key = s.astype(np.int64)
        key *= n_id
        key += t
        key *= n_p
        key += p
        # Not a stable sort (twice as fast): a key given twice keeps its last row below.
        order = np.argsort(key)
        k = key[order]
        starts = np.flatnonzero(np.append(True, k[1:] != k[:-1]))
        if len(starts) < len(k):
            order = np.maximum.reduceat(order, starts)
            k = k[starts]
        # The key holds the three codes: taking them back is cheaper than gathering rows.
        st, picked["period"] = np.divmod(k, n_p)
        picked["source"], picked["target"] = np.divmod(st, n_id)
    else:  # more ids than one int64 key can hold: compare the three columns
        order = np.lexsort((np.arange(len(s)), p, t, s))
        same = (s[order][1:] == s[order][:-1]) & (t[order][1:] == t[order][:-1])
        same &= p[order][1:] == p[order][:-1]
        if len(order):
            order = order[np.append(~same, True)]
    for name, v in arrays.items():
        if name in picked:
            continue
        if len(v) and v.min() == v.max():  # one value (one import's provenance): no gather
            picked[name] = np.full(len(order), v[0], dtype=v.dtype)
        else:
            picked[name] = v[order]
    out_dicts, out = {}, {}
    for name, cols in _DICT_COLUMNS:
        values = dicts[name]
        used = np.zeros(len(values) + 1, dtype=bool)  # the last slot catches -1
        for c in cols:
            used[picked[c]] = True
        used = used[:-1]
        out_dicts[name] = [v for v, u in zip(values, used.tolist(), strict=True) if u]
        narrow = _codes(len(out_dicts[name]))
        if used.all():  # every value still used: the codes stand
            for c in cols:
                out[c] = picked[c].astype(narrow)
            continue
        remap = np.append(np.cumsum(used) - 1, -1).astype(narrow)
        for c in cols:
            out[c] = remap[picked[c]]
    known = picked["known"].astype(bool)
    out["count"] = _ints(picked["count"].astype(np.int64))
    out["accepted"] = _ints(np.where(known, picked["accepted"].astype(np.int64), 0))
    out["known"] = known
    return Flows(**out_dicts, **{k: out[k] for k in _ARRAYS})


def _sorted_dictionary(values) -> tuple[list, np.ndarray]:
    """(the distinct non-null ``values`` sorted, each value's code in it, -1 for null)."""
    import pandas as pd

    values = np.asarray(values, dtype=object)
    distinct = sorted({v for v in values.tolist() if v is not None})
    codes = pd.Index(distinct, dtype=object).get_indexer(values)
    return distinct, codes.astype(np.int64)


def _column_codes(frame: pd.DataFrame, cats: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, each row's code) of a key column: the caller's factorization when
    it made one, else one made here."""
    import pandas as pd

    cat = cats.get(name)
    if cat is None:
        codes, uniques = pd.factorize(frame[name], use_na_sentinel=False)
        return np.asarray(uniques, dtype=object), codes
    return np.asarray(cat.categories, dtype=object), np.asarray(cat.codes)


def from_frame(
    frame: pd.DataFrame,
    cats: dict | None = None,
    tag: tuple[str | None, str | None] = (None, None),
    origins: pd.Series | None = None,
    imports: pd.Series | None = None,
) -> Flows:
    """Validated referral rows (the ``referrals`` table of an import) as :class:`Flows`.

    ``cats``: key column -> ``pd.Categorical`` the caller already made. ``tag``: the
    provenance (source name, import id) of every row; or per row, ``origins`` and
    ``imports`` (read back from SQL rows).
    """
    import pandas as pd

    cats = cats or {}
    (su, sc), (tu, tc), (pu, pc) = (_column_codes(frame, cats, k) for k in COLUMNS[:3])
    ids, end_codes = _sorted_dictionary(np.concatenate([su, tu]))
    periods, period_codes = _sorted_dictionary(pu)
    n = len(frame)
    end_codes, period_codes = end_codes.astype(np.int32), period_codes.astype(np.int32)
    arrays = {
        "source": end_codes[: len(su)][sc],
        "target": end_codes[len(su) :][tc],
        "period": period_codes[pc],
        "count": np.asarray(frame["count"], dtype=np.int64),
    }
    if "accepted" in frame:
        acc = pd.array(frame["accepted"], dtype="Int64")
        arrays["known"] = ~np.asarray(acc.isna(), dtype=bool)
        arrays["accepted"] = acc.to_numpy(dtype=np.int64, na_value=0)
    else:
        arrays["known"] = np.zeros(n, dtype=bool)
        arrays["accepted"] = np.zeros(n, dtype=np.int64)
    dicts = {"ids": ids, "periods": periods}
    for name, col, given, value in (
        ("origins", "origin", origins, tag[0]),
        ("imports", "imported", imports, tag[1]),
    ):
        if given is not None:
            dicts[name], arrays[col] = _sorted_dictionary(given)
        else:
            dicts[name] = [] if value is None else [value]
            arrays[col] = np.full(n, -1 if value is None else 0, dtype=np.int8)
    return _canonical(dicts, arrays)


def _union(a: list, b: list) -> tuple[list, np.ndarray, np.ndarray]:
    """(sorted union of two sorted dictionaries, a's and b's code maps into it; -1 kept)."""
    union = sorted(set(a).union(b))
    index = {v: i for i, v in enumerate(union)}
    maps = [np.array([index[v] for v in d] + [-1], dtype=np.int64) for d in (a, b)]
    return union, maps[0], maps[1]


def upsert(stored: Flows, new: Flows) -> Flows:
    """``stored`` with ``new``'s rows added; a key in both takes ``new``'s values and
    provenance (what an SQL upsert on the key does)."""
    if not len(stored):
        return new
    dicts, arrays = {}, {}
    for name, cols in _DICT_COLUMNS:
        dicts[name], ma, mb = _union(getattr(stored, name), getattr(new, name))
        for c in cols:
            arrays[c] = np.concatenate([ma[getattr(stored, c)], mb[getattr(new, c)]])
    for c in ("count", "accepted", "known"):
        arrays[c] = np.concatenate([getattr(stored, c), getattr(new, c)])
    return _canonical(dicts, arrays)


def _stale(flows: Flows, name: str, import_id: str) -> np.ndarray:
    """Rows of source ``name`` from another import than ``import_id`` (as the SQL
    ``_source = name AND _import <> import_id``: no recorded import is never stale)."""
    if name not in flows.origins:
        return np.zeros(len(flows), dtype=bool)
    other = np.array([i != import_id for i in flows.imports] + [False], dtype=bool)
    return (flows.origin == flows.origins.index(name)) & other[flows.imported]


def drop_stale(flows: Flows, name: str, import_id: str) -> tuple[Flows, bool]:
    """(``flows`` without source ``name``'s rows from other imports, whether any went)."""
    stale = _stale(flows, name, import_id)
    if not stale.any():
        return flows, False
    keep = ~stale
    dicts = {d: getattr(flows, d) for d in _DICTS}
    return _canonical(dicts, {a: getattr(flows, a)[keep] for a in _ARRAYS}), True


def _key(flows: Flows, i: int) -> str:
    ids = flows.ids
    return f"{ids[flows.source[i]]}/{ids[flows.target[i]]}/{flows.periods[flows.period[i]]}"


def referring(
    flows: Flows,
    ids: set[str],
    limit: int = 20,
    unless: tuple[str, str] | None = None,
) -> list[tuple[str, str, str]]:
    """(column, value, row key) of the first ``limit`` rows whose source or target is in
    ``ids``, in key order; ``unless`` (source name, import id): rows that source's
    re-import is about to remove do not count."""
    hit_code = np.array([v in ids for v in flows.ids] + [False], dtype=bool)
    found = []
    for col in ("source", "target"):
        hit = hit_code[getattr(flows, col)]
        if unless is not None:
            hit &= ~_stale(flows, *unless)
        found += [(i, col) for i in np.flatnonzero(hit)[:limit].tolist()]
    found.sort()
    return [(col, flows.ids[getattr(flows, col)[i]], _key(flows, i)) for i, col in found[:limit]]


def rows(
    flows: Flows, periods: list[str] | None = None, positive: bool = False
) -> list[tuple[str, str, str, int, int | None]]:
    """(source, target, period, count, accepted or None) in key order, as SQL returns them:
    of ``periods`` only (None: all), of positive counts only with ``positive``."""
    keep = np.ones(len(flows), dtype=bool)
    if periods is not None:
        wanted = set(periods)
        keep &= np.array([p in wanted for p in flows.periods] + [False])[flows.period]
    if positive:
        keep &= flows.count > 0
    ids = np.array(flows.ids + [None], dtype=object)
    per = np.array(flows.periods + [None], dtype=object)
    acc = np.where(flows.known[keep], flows.accepted[keep].astype(object), None)
    return list(
        zip(
            ids[flows.source[keep]].tolist(),
            ids[flows.target[keep]].tolist(),
            per[flows.period[keep]].tolist(),
            flows.count[keep].tolist(),
            acc.tolist(),
            strict=True,
        )
    )


def to_frame(flows: Flows) -> pd.DataFrame:
    """The flows as ``SQLiteStore.read()`` gives an entity: key order, nullable integers."""
    import pandas as pd

    ids = np.array(flows.ids + [None], dtype=object)
    per = np.array(flows.periods + [None], dtype=object)
    return pd.DataFrame(
        {
            "source": pd.Series(ids[flows.source], dtype=object),
            "target": pd.Series(ids[flows.target], dtype=object),
            "period": pd.Series(per[flows.period], dtype=object),
            "count": pd.array(flows.count.astype(np.int64), dtype="Int64"),
            "accepted": pd.arrays.IntegerArray(
                flows.accepted.astype(np.int64), ~flows.known.astype(bool)
            ),
        }
    )


def per_origin(flows: Flows) -> dict[str, int]:
    """How many rows each provenance source holds."""
    counts = np.bincount(flows.origin[flows.origin >= 0], minlength=len(flows.origins))
    return dict(zip(flows.origins, counts.tolist(), strict=True))


def to_blob(a: np.ndarray) -> bytes:
    """``a`` in numpy's own format, no pickles (also the compact graph's arrays)."""
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def from_blob(data: bytes) -> np.ndarray:
    """The array :func:`to_blob` saved."""
    return np.load(io.BytesIO(data), allow_pickle=False)


def save(cur: sqlite3.Cursor, flows: Flows) -> None:
    """Replace the stored columns (inside the caller's transaction)."""
    cur.execute(DDL)
    cur.execute("DELETE FROM _flows")
    items = [("version", _VERSION)]
    items += [(d, json.dumps(getattr(flows, d), ensure_ascii=False).encode()) for d in _DICTS]
    items += [(a, to_blob(getattr(flows, a))) for a in _ARRAYS]
    cur.executemany("INSERT INTO _flows VALUES (?, ?)", items)


def _from_stored(stored: dict[str, bytes]) -> Flows:
    if stored.get("version") != _VERSION:
        raise ValueError(
            f"the referral flows are stored in layout {stored.get('version')!r}, which this "
            f"version of GRID Voices does not know (it reads {_VERSION!r}); upgrade it"
        )
    return Flows(
        **{d: json.loads(stored[d]) for d in _DICTS},
        **{a: from_blob(stored[a]) for a in _ARRAYS},
    )


def _sql_rows(conn) -> Flows | None:
    """Rows an older version stored in the SQL ``referrals`` table, if any."""
    try:
        if conn.execute("SELECT 1 FROM referrals LIMIT 1").fetchone() is None:
            return None
    except sqlite3.OperationalError:  # no such table
        return None
    import pandas as pd

    names = [*COLUMNS, "_source", "_import"]
    try:
        frame = pd.DataFrame(conn.execute(_SQL_ROWS).fetchall(), columns=names)
    except sqlite3.OperationalError:  # a table without provenance columns
        sql = _SQL_ROWS.replace(", _source, _import", "")
        frame = pd.DataFrame(conn.execute(sql).fetchall(), columns=list(COLUMNS))
        frame["_source"] = frame["_import"] = None
    frame = frame.astype({c: object for c in ("_source", "_import", "accepted")})
    return from_frame(frame, origins=frame["_source"], imports=frame["_import"])


def load(conn) -> Flows:
    """The stored flows: the columns, with any rows still in the SQL table upserted over
    them (an older version wrote those after the columns, or no migration ran yet)."""
    try:
        stored = dict(conn.execute("SELECT name, data FROM _flows"))
    except sqlite3.OperationalError:  # a store (or a test's bare database) without columns
        stored = {}
    flows = _from_stored(stored) if stored else empty()
    old = _sql_rows(conn)
    return flows if old is None else upsert(flows, old)


def migrate(conn: sqlite3.Connection) -> bool:
    """Move the SQL ``referrals`` rows into the columns, in one transaction; whether any
    moved. Nothing to move, or the store is busy or read-only: nothing is done (readers
    still see those rows through :func:`load`)."""
    try:
        if conn.execute("SELECT 1 FROM referrals LIMIT 1").fetchone() is None:
            return False
    except sqlite3.OperationalError:
        return False
    cur = conn.cursor()
    try:
        cur.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return False
    try:
        save(cur, load(cur))
        # The table stays (older code creates and reads it), empty.
        cur.execute("DELETE FROM referrals")
        cur.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            cur.execute("ROLLBACK")
        raise
    return True


def of(store) -> Flows:
    """The flows of an embedded ``store``: its cached copy when it keeps one, else read
    from its ``conn``."""
    cached = getattr(store, "flows", None)
    return cached() if callable(cached) else load(store.conn)
