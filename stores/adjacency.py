"""The referral projection in compact form, kept in the embedded store beside the tables.

Building the NetworkX projection from a million flow rows takes longer than a
person will wait for one answer, and so does aggregating them in SQL on every
question. Every write to the embedded store therefore rewrites, in the same
transaction, the referral graph as a few numpy arrays in the ``_adjacency``
table; a fresh process loads them in milliseconds (see docs/data-model.md).

Nodes are the services then the groups, each sorted by id: the order
:func:`gridvoices.queries.graph.build_graph` adds them in. Edges are the ordered pairs with
at least one positive referral row, sorted by (source's node number, target id),
the order the projection's edges come in. Per-period counts are kept as rows
(edge, period, count) so any choice of periods gives each edge's flow with one
``bincount``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from gridvoices.stores import flow_columns

__all__ = ["Adjacency", "build", "save", "load", "rebuild", "referral_periods", "DDL"]

DDL = "CREATE TABLE IF NOT EXISTS _adjacency (name TEXT PRIMARY KEY, data BLOB)"
# Bumped whenever the layout changes: an older layout is rebuilt, never misread.
_VERSION = b"3"
_ARRAYS = ("eu", "ev", "row_edge", "row_period", "row_count")


@dataclass
class Adjacency:
    """The referral graph of services and groups as arrays (see the module docstring)."""

    ids: list[str]  # node number -> id
    n_services: int  # nodes [0, n_services) are services, the rest groups
    all_periods: list[str]  # every referral period stored, with zero counts too
    periods: list[str]  # period number -> period
    eu: np.ndarray  # edge -> source node
    ev: np.ndarray  # edge -> target node
    row_edge: np.ndarray  # one entry per positive referral row
    row_period: np.ndarray
    row_count: np.ndarray

    @cached_property
    def index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.ids)}

    @property
    def n(self) -> int:
        return len(self.ids)

    def flows(self, periods: list[str]) -> np.ndarray:
        """Each edge's referrals summed over ``periods`` (0: no edge for these periods)."""
        wanted = set(periods)
        mask = np.array([p in wanted for p in self.periods], dtype=bool)
        if not mask.any():
            return np.zeros(len(self.eu), dtype=np.int64)
        keep = mask[self.row_period]
        # float64 weights are exact for sums below 2**53 referrals.
        w = self.row_count.astype(np.float64) * keep
        return np.bincount(self.row_edge, weights=w, minlength=len(self.eu)).astype(np.int64)

    @cached_property
    def by_target(self) -> tuple[np.ndarray, np.ndarray]:
        """(edge numbers sorted by target node, start of each node's run): reverse lookups."""
        order = np.argsort(self.ev, kind="stable")
        starts = np.searchsorted(self.ev[order], np.arange(self.n + 1))
        return order, starts

    @cached_property
    def by_source(self) -> np.ndarray:
        """Start of each node's run of edges (edges are sorted by source)."""
        return np.searchsorted(self.eu, np.arange(self.n + 1))


def build(
    services: list[str],
    groups: list[str],
    source: np.ndarray,
    target: np.ndarray,
    period: np.ndarray,
    count: np.ndarray,
) -> Adjacency:
    """The compact form of referral rows (source, target, period, count) over the nodes.

    ``services`` and ``groups`` are the stored ids, each sorted; ``source``, ``target``
    and ``period`` are arrays or ``pd.Categorical`` (codes already computed by the caller).
    """
    import pandas as pd  # only a write needs it; loading the arrays must stay light

    ids = list(services) + list(groups)
    n = len(ids)
    count = np.asarray(count, dtype=np.int64)
    positive = count > 0
    nodes = pd.Index(ids)
    # Each distinct id is looked up once; rows take their node numbers by code.
    src, dst, per = (
        x if isinstance(x, pd.Categorical) else pd.Categorical(np.asarray(x, dtype=object))
        for x in (source, target, period)
    )
    node_of = nodes.get_indexer(src.categories)
    # Both ends share one dictionary when they come from the flow columns: looked up once.
    same = src.categories is dst.categories or src.categories.equals(dst.categories)
    dst_node_of = node_of if same else nodes.get_indexer(dst.categories)
    src = node_of[src.codes][positive].astype(np.int64)
    dst = dst_node_of[dst.codes][positive].astype(np.int64)
    if len(src) and min(src.min(), dst.min()) < 0:
        raise ValueError("a referral names a service or group that is not stored")
    names = np.asarray(per.categories, dtype=object)
    # A few periods over a million rows: counted per code, not hashed row by row.
    all_periods = (
        sorted(names[np.flatnonzero(np.bincount(per.codes, minlength=len(names)))].tolist())
        if len(per)
        else []
    )
    used = np.flatnonzero(np.bincount(per.codes[positive], minlength=len(names)))
    used = used[np.argsort(names[used].astype(str), kind="stable")] if len(used) else used
    periods = names[used]
    remap = np.full(len(names), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    pidx = remap[per.codes[positive]]
    # Node numbers follow the projection's node order; a target's rank is by id.
    by_id = np.empty(n, dtype=np.int64)
    by_id[sorted(range(n), key=ids.__getitem__)] = np.arange(n)
    keys, row_edge = np.unique(src * n + by_id[dst], return_inverse=True)
    eu = keys // max(n, 1)
    first = np.zeros(len(keys), dtype=np.int64)
    first[row_edge] = dst
    small = count.max(initial=0) < 2**31
    return Adjacency(
        ids=ids,
        n_services=len(services),
        all_periods=[str(p) for p in all_periods],
        periods=[str(p) for p in periods],
        eu=eu.astype(np.int32),
        ev=first.astype(np.int32),
        row_edge=row_edge.astype(np.int32),
        row_period=pidx.astype(np.int16 if len(periods) < 2**15 else np.int32),
        row_count=count[positive].astype(np.int32 if small else np.int64),
    )


def save(cur: sqlite3.Cursor, adj: Adjacency) -> None:
    """Replace the stored compact form (inside the caller's transaction)."""
    cur.execute(DDL)
    cur.execute("DELETE FROM _adjacency")
    header = "\n".join([str(adj.n_services), *adj.periods]).encode()
    items = [
        ("version", _VERSION),
        ("ids", "\n".join(adj.ids).encode()),
        ("header", header),
        ("all_periods", "\n".join(adj.all_periods).encode()),
        *((name, flow_columns.to_blob(getattr(adj, name))) for name in _ARRAYS),
    ]
    cur.executemany("INSERT INTO _adjacency VALUES (?, ?)", items)


def rebuild(cur: sqlite3.Cursor, flows: flow_columns.Flows | None = None) -> Adjacency:
    """Rebuild the compact form from the stored tables and save it (inside a transaction).

    ``flows``: the referral flows the store holds now, when the caller has them in memory
    (a write, before it saved them); else they are read.
    """
    adj = _build_from_tables(cur, flows)
    save(cur, adj)
    return adj


def _build_from_tables(cur: sqlite3.Cursor, flows: flow_columns.Flows | None = None) -> Adjacency:
    import pandas as pd

    services = [r[0] for r in cur.execute("SELECT id FROM services ORDER BY id")]
    groups = [r[0] for r in cur.execute("SELECT id FROM groups ORDER BY id")]
    f = flow_columns.load(cur) if flows is None else flows
    ids, periods = pd.Index(f.ids, dtype=object), pd.Index(f.periods, dtype=object)
    # The flows' codes are already factorized: each distinct id is looked up once.
    ends = (pd.Categorical.from_codes(c, categories=ids) for c in (f.source, f.target))
    period = pd.Categorical.from_codes(f.period, categories=periods)
    return build(services, groups, *ends, period, f.count)


def load(conn: sqlite3.Connection) -> Adjacency:
    """The stored compact form; rebuilt (and saved) when missing or of an older layout."""
    try:
        stored = dict(conn.execute("SELECT name, data FROM _adjacency"))
    except sqlite3.OperationalError:
        stored = {}
    if stored.get("version") != _VERSION:
        cur = conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            # A read-only file, or a writer holding it: answer from the tables this time.
            cur.execute("BEGIN")
            try:
                return _build_from_tables(cur)
            finally:
                cur.execute("ROLLBACK")
        try:
            adj = rebuild(cur)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return adj
    return _from_stored(stored)


def _from_stored(stored: dict[str, bytes]) -> Adjacency:
    n_services, *periods = stored["header"].decode().split("\n")
    arrays = {k: flow_columns.from_blob(stored[k]) for k in _ARRAYS}
    return Adjacency(
        ids=_lines(stored["ids"]),
        n_services=int(n_services),
        all_periods=_lines(stored["all_periods"]),
        periods=periods,
        **arrays,
    )


def _lines(data: bytes) -> list[str]:
    text = data.decode()
    return text.split("\n") if text else []


def referral_periods(conn: sqlite3.Connection) -> list[str]:
    """Every period the stored referral rows name, sorted, without reading the rows."""
    row = conn.execute(
        "SELECT (SELECT data FROM _adjacency WHERE name = 'version'), "
        "(SELECT data FROM _adjacency WHERE name = 'all_periods')"
    ).fetchone()
    if row[0] != _VERSION:
        return load(conn).all_periods
    return _lines(row[1])
