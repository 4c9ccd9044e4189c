"""The bulk path of the Neo4j store: a large import into an empty database, many transactions.

One transaction for a national data set needs a 12 GB heap and minutes of
``MERGE``; when the database holds no ecosystem data yet, nothing can be
merged, so the rows are ``CREATE``d in batches of 20,000, each its own
transaction, sent as parallel column lists (``$id[i]``, ``$name[i]``) that
pack far faster than a list of maps. Flows arrive already grouped by
ordered pair, so each ``REFERS`` is created once with its period lists.

All or nothing still holds, by compensation instead of rollback:

1. A marker ``(:ImportInProgress {lock: 'import', import_id, source, started, beat})``
   is committed first, in the transaction that checks the store is empty.
   Its unique ``lock`` means a second bulk import cannot start beside it.
2. Every batch transaction also moves ``beat`` (the server's clock), so a
   marker whose ``beat`` stops moving belongs to an import that died.
3. The last transaction records the ``:Source`` and deletes the marker: the
   import becomes visible in that one commit.
4. On any failure (a Neo4j error, an exception, Ctrl-C) the rows this import
   created (tagged ``_import``) are deleted in batches, then the marker.

While a marker exists and the import's process holds the database's write lock
(:mod:`gridvoices.stores.neo4j_lock`), the store reads as what is committed: empty, so a
question gets "no data yet", never the partial graph and never a refusal. Once that process
is gone (not running on this machine, or its heartbeat stopped for seconds) the next
opening removes the partial data, leaving the store empty as it was before; a marker
without progress for ``stale_after`` seconds is removed too, whoever holds the lock.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.loaders.provenance import Source
from gridvoices.stores.neo4j_links import link_clause

__all__ = [
    "BULK_MIN_ROWS",
    "BATCH",
    "STALE_AFTER",
    "BulkAborted",
    "column_lists",
    "pair_columns",
    "bulk_write",
    "discard",
    "unfinished",
]

# Below this many rows in total the one-transaction path is fast enough and keeps
# its exact upsert and provenance semantics.
BULK_MIN_ROWS = 50_000
BATCH = 20_000
# Seconds without a batch commit after which an unfinished import counts as dead even
# though its process still holds the lock (a hung client); a dead process is noticed sooner.
STALE_AFTER = 300

MARKER_CONSTRAINT = (
    "CREATE CONSTRAINT import_in_progress IF NOT EXISTS "
    "FOR (m:ImportInProgress) REQUIRE m.lock IS UNIQUE"
)

HAS_DATA = """
OPTIONAL MATCH (e:Entity) WITH e LIMIT 1
OPTIONAL MATCH (s:Source) WITH e, s LIMIT 1
RETURN e IS NOT NULL OR s IS NOT NULL AS has_data
"""

BEGIN = """
CREATE (:ImportInProgress {lock: 'import', import_id: $imp, source: $src,
        started: datetime(), beat: datetime()})
"""

BEAT = """
MATCH (m:ImportInProgress {import_id: $imp}) SET m.beat = datetime() RETURN count(m) AS n
"""

UNFINISHED = """
MATCH (m:ImportInProgress)
RETURN m.import_id AS import_id, m.source AS source, toString(m.started) AS started,
       duration.inSeconds(m.beat, datetime()).seconds AS idle
"""

# Relationships first, in bounded transactions, so no node delete carries a million of them.
DISCARD = (
    """
MATCH (n:Entity {_import: $imp})-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS
""",
    """
MATCH (n:Entity {_import: $imp})
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
""",
    "MATCH (s:Source {import_id: $imp}) DELETE s",
    "MATCH (m:ImportInProgress {import_id: $imp}) DELETE m",
)

_TAG = "_source: $src, _import: $imp"

CREATE = {
    "districts": f"""
UNWIND range(0, size($id) - 1) AS i
CREATE (:Entity:District {{id: $id[i], {_TAG}, name: $name[i], borders: $borders[i]}})
""",
    "organisations": f"""
UNWIND range(0, size($id) - 1) AS i
CREATE (:Entity:Organisation {{id: $id[i], {_TAG}, name: $name[i], kind: $kind[i],
        commissioned: $commissioned[i]}})
""",
    "services": f"""
UNWIND range(0, size($id) - 1) AS i
CREATE (n:Entity:Service {{id: $id[i], {_TAG}, name: $name[i], organisation: $organisation[i],
        districts: $districts[i], domain: $domain[i], chime: $chime[i],
        lived_experience_led: $lived_experience_led[i], active: $active[i],
        latitude: $latitude[i], longitude: $longitude[i], postcode: $postcode[i]}})
WITH n, i
MATCH (o:Entity {{id: $organisation[i]}})
CREATE (n)-[:RUN_BY]->(o)
WITH n, i
UNWIND $districts[i] AS d
MATCH (dd:Entity {{id: d}})
MERGE (n)-[:IN_DISTRICT]->(dd)
""",
    "groups": f"""
UNWIND range(0, size($id) - 1) AS i
CREATE (n:Entity:Group {{id: $id[i], {_TAG}, name: $name[i], fellowship: $fellowship[i],
        district: $district[i], cadence: $cadence[i],
        latitude: $latitude[i], longitude: $longitude[i], postcode: $postcode[i]}})
WITH n, i
MATCH (d:Entity {{id: $district[i]}})
CREATE (n)-[:IN_DISTRICT]->(d)
""",
    "navigators": f"""
UNWIND range(0, size($id) - 1) AS i
CREATE (n:Entity:Navigator {{id: $id[i], {_TAG}, role: $role[i],
        lived_experience: $lived_experience[i], based_at: $based_at[i]}})
WITH n, i
MATCH (b:Entity {{id: $based_at[i]}})
CREATE (n)-[:BASED_AT]->(b)
""",
    # Pairs arrive grouped: pair i's periods are $period[$first[i] - $base .. $first[i+1] - $base].
    "referrals": """
UNWIND range(0, size($source) - 1) AS i
MATCH (a:Entity {id: $source[i]})
MATCH (b:Entity {id: $target[i]})
WITH a, b, $first[i] - $base AS lo, $first[i + 1] - $base AS hi
WITH a, b, $period[lo..hi] AS ps, $count[lo..hi] AS cs, $accepted[lo..hi] AS xs
CREATE (a)-[:REFERS {periods: ps, counts: cs, accepted: xs, sources: [p IN ps | $src],
        imports: [p IN ps | $imp], total: reduce(s = 0, c IN cs | s + c)}]->(b)
""",
    "feedback": f"""
UNWIND range(0, size($id) - 1) AS i
CREATE (n:Entity:Feedback {{id: $id[i], {_TAG}, about: $about[i], about_to: $about_to[i],
        period: $period[i], giver: $giver[i], rating: $rating[i], chime: $chime[i],
        barrier: $barrier[i], comment: $comment[i], channel: $channel[i]}})
WITH n, i
MATCH (a:Entity {{id: $about[i]}})
CREATE (n)-[:ABOUT]->(a)
WITH n, i WHERE $about_to[i] IS NOT NULL
MATCH (b:Entity {{id: $about_to[i]}})
CREATE (n)-[:ABOUT_TO]->(b)
""",
    "peer_links": """
UNWIND range(0, size($source) - 1) AS i
MATCH (a:Entity {id: $source[i]})
MATCH (b:Entity {id: $target[i]})
CREATE (a)-[:PEER_LINK {kind: $kind[i], strength: $strength[i], _source: $src,
        _import: $imp}]->(b)
""",
}


class BulkAborted(Exception):
    """The bulk import stopped before it was complete; its partial data is removed."""


def column_lists(name: str, df: pd.DataFrame) -> dict[str, list]:
    """A typed table as one driver-ready list per column (None for a missing value)."""
    cols: dict[str, list] = {}
    for c in ENTITIES[name].columns:
        s = df[c.name]
        if c.type in ("enum_list", "ref_list"):
            cols[c.name] = [list(v) for v in s]
        elif c.type == "bool":
            cols[c.name] = s.astype(bool).tolist()
        elif c.type == "int":
            cols[c.name] = [None if pd.isna(v) else int(v) for v in s]
        elif c.type == "float":
            cols[c.name] = [None if pd.isna(v) else float(v) for v in s]
        else:
            cols[c.name] = [
                None if v is None or (isinstance(v, float) and pd.isna(v)) else v for v in s
            ]
    return cols


def pair_columns(df: pd.DataFrame) -> dict[str, list]:
    """Flow rows grouped by ordered pair, as flat columns plus each pair's first row.

    ``source``/``target`` have one entry per pair, sorted by source;
    ``period``/``count``/``accepted`` one per row, pair by pair; pair ``i`` owns rows
    ``first[i]:first[i + 1]``. Unknown accepted counts become -1.

    >>> df = pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "a", "b"],
    ...     "period": ["p1", "p1", "p2"], "count": pd.array([1, 2, 3], dtype="Int64"),
    ...     "accepted": pd.array([None, 2, 1], dtype="Int64")})
    >>> c = pair_columns(df)
    >>> c["source"], c["target"], c["first"], c["period"], c["accepted"]
    (['a', 'b'], ['b', 'a'], [0, 2, 3], ['p1', 'p2', 'p1'], [-1, 1, 2])
    """
    # Pairs go out sorted by source: consecutive CREATEs then extend one node's
    # relationship chain, which stays in the page cache; in file order each one
    # touches a random record (about 3x slower at a million flows, measured).
    s_code, _ = pd.factorize(df["source"], sort=True)
    t_code, _ = pd.factorize(df["target"])
    key = s_code.astype(np.int64) * (int(t_code.max(initial=0)) + 1) + t_code
    order = np.argsort(key, kind="stable")  # stable: a pair's rows stay in file order
    grouped = key[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(order) else order
    heads = order[starts]
    return {
        "source": df["source"].to_numpy(dtype=object)[heads].tolist(),
        "target": df["target"].to_numpy(dtype=object)[heads].tolist(),
        "first": np.r_[starts, len(order)].astype(np.int64).tolist(),
        "period": df["period"].to_numpy(dtype=object)[order].tolist(),
        "count": df["count"].to_numpy(dtype=np.int64)[order].tolist(),
        "accepted": df["accepted"].fillna(-1).to_numpy(dtype=np.int64)[order].tolist(),
    }


def _batches(name: str, cols: dict[str, list], size: int):
    """(params, rows) per batch; a referral batch is ``size`` pairs with their rows."""
    if name != "referrals":
        n = len(next(iter(cols.values())))
        for i in range(0, n, size):
            yield {k: v[i : i + size] for k, v in cols.items()}, min(size, n - i)
        return
    first = cols["first"]
    for i in range(0, len(cols["source"]), size):
        j = min(i + size, len(cols["source"]))
        lo, hi = first[i], first[j]
        params = {
            "source": cols["source"][i:j],
            "target": cols["target"][i:j],
            "first": first[i : j + 1],
            "base": lo,
            "period": cols["period"][lo:hi],
            "count": cols["count"][lo:hi],
            "accepted": cols["accepted"][lo:hi],
        }
        yield params, hi - lo


def unfinished(session) -> dict | None:
    """The marker of an import that has not finished (running or dead), or None."""
    rows = session.run(UNFINISHED).data()
    return rows[0] if rows else None


def has_data(session) -> bool:
    return bool(session.run(HAS_DATA).single()["has_data"])


def discard(session, import_id: str) -> None:
    """Delete what import ``import_id`` created, then its marker (each step batched)."""
    for q in DISCARD:
        session.run(q, imp=import_id).consume()


def bulk_write(
    driver,
    database: str,
    tables: dict[str, pd.DataFrame],
    source: Source,
    progress: Callable | None,
    *,
    finish: Callable,
    batch: int | None = None,
) -> bool:
    """Create every row of ``tables`` in batched transactions; False if the store is not empty.

    ``finish(tx)`` runs in the last transaction, with the marker's removal
    (borders and the :Source record). Any failure removes what was written
    and re-raises.
    """
    tag = {"src": source.name, "imp": source.import_id}
    batch = batch or BATCH
    prepared = [
        (name, pair_columns(df) if name == "referrals" else column_lists(name, df))
        for name, df in tables.items()
        if name in CREATE and not df.empty
    ]
    links = {"link_periods": link_periods(tables)}
    queries = {**CREATE, "referrals": referrals_query(links["link_periods"])}

    def begin(tx) -> bool:
        if has_data(tx):
            return False
        tx.run(BEGIN, **tag).consume()
        return True

    def last(tx) -> None:
        finish(tx)
        tx.run(DISCARD[-1], **tag).consume()

    with driver.session(database=database) as s:
        if not s.execute_write(begin):
            return False
    try:
        # The session is closed before any clean-up: an interrupted batch's transaction
        # must be gone (rolled back), or the clean-up would wait on the locks it holds.
        with driver.session(database=database) as s:
            for name, cols in prepared:
                done = 0
                for params, rows in _batches(name, cols, batch):
                    s.execute_write(_batch_tx, queries[name], {**params, **tag, **links})
                    done += rows
                    if progress:
                        progress(name, done, None)
            s.execute_write(last)
    except BaseException as e:
        # Read by the caller's message: it must not say "nothing was stored" when
        # the partial data could not be removed (the server itself went away).
        e.partial_left = not _discard_quietly(driver, database, source.import_id)
        raise
    return True


def link_periods(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The periods of the referrals being written, each to get its per-period links."""
    df = tables.get("referrals")
    return [] if df is None or df.empty else sorted(set(df["period"].astype(str)))


def referrals_query(periods: list[str]) -> str:
    """The referrals batch statement with the per-period links of :mod:`.neo4j_links`.

    One text per set of periods, so every batch of an import shares one plan."""
    return CREATE["referrals"] + "WITH a, b, ps, cs\n" + link_clause(periods, "a", "b", "ps", "cs")


def _batch_tx(tx, query: str, params: dict) -> None:
    tx.run(query, params).consume()
    if tx.run(BEAT, imp=params["imp"]).single()["n"] != 1:
        raise BulkAborted(
            "another process removed this import's marker, taking it for a dead import; "
            f"raise {STALE_AFTER} s (stores.neo4j_bulk.STALE_AFTER) if batches are that slow"
        )


def _discard_quietly(driver, database: str, import_id: str) -> bool:
    """Best effort: if the server is gone too, the marker stays and the next opening cleans.

    True when the partial data is gone."""
    # A fresh session: an interrupted one may hold a half-read reply.
    try:
        with driver.session(database=database) as s:
            discard(s, import_id)
    except Exception:  # the original failure is the one to report
        return False
    return True
