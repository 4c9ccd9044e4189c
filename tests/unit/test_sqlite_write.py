"""The embedded store's bulk write: every row stored as read, whatever the batch boundaries."""

from __future__ import annotations

import csv

from gridvoices.loaders.generate import write_ecosystem
from gridvoices.stores import flow_columns
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths


def _csv_flows(path) -> set[tuple]:
    with open(path / "referrals.csv", newline="", encoding="utf-8") as f:
        return {
            (
                r["source"],
                r["target"],
                r["period"],
                int(r["count"]),
                int(r["accepted"]) if r["accepted"] else None,
            )
            for r in csv.DictReader(f)
        }


def _stored(store: SQLiteStore) -> list[tuple]:
    # The flows are columns (stores.flow_columns), read back from the file, not the cache.
    f = flow_columns.load(store.conn)
    origin = [f.origins[o] if o >= 0 else None for o in f.origin.tolist()]
    return [(*r, o) for r, o in zip(flow_columns.rows(f), origin, strict=True)]


def test_every_flow_stored_once_as_read(tmp_path):
    # 1,203 flows: several full multi-row statements and a remainder of single rows.
    data = write_ecosystem(tmp_path / "gen", 150, 1203, seed=7)
    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [data])
    rows = _stored(store)
    assert {r[:5] for r in rows} == _csv_flows(data)
    assert len(rows) == len(_csv_flows(data))
    assert {r[5] for r in rows} == {str(data.resolve())}
    store.close()


def test_reimport_changes_nothing(tmp_path):
    data = write_ecosystem(tmp_path / "gen", 150, 1203, seed=8)
    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [data])
    before = {t: store.read()[t] for t in ("services", "referrals")}
    rows = _stored(store)
    import_paths(store, [data])
    assert _stored(store) == rows
    after = store.read()
    for t, frame in before.items():
        assert after[t].equals(frame), t
    store.close()


def test_changed_counts_replace_the_stored_ones(tmp_path):
    # The upsert path: every row of a second source's file conflicts with a stored key.
    data = write_ecosystem(tmp_path / "gen", 150, 1203, seed=9)
    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [data])
    lines = (data / "referrals.csv").read_text(encoding="utf-8").splitlines()
    changed = [lines[0]]
    for line in lines[1:]:
        s, t, p, n, a = line.split(",")
        changed.append(f"{s},{t},{p},{int(n) + 1000},{a}")
    other = tmp_path / "other"
    other.mkdir()
    (other / "referrals.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    import_paths(store, [other], source_name="corrections")
    rows = _stored(store)
    want = {(s, t, p, n + 1000, a) for s, t, p, n, a in _csv_flows(data)}
    assert {r[:5] for r in rows} == want
    assert {r[5] for r in rows} == {"corrections"}
    store.close()


def test_key_order_is_the_sorted_order():
    """Rows go in as ``sort_values`` orders the key (one combined int64 key, stably sorted)."""
    import random

    import pandas as pd
    from gridvoices.stores.sqlite_store import _categories, _key_order

    rng = random.Random(3)
    for _ in range(20):
        n = rng.randint(0, 2000)
        df = pd.DataFrame(
            {
                "a": [rng.choice(["x", "y", "é", "Z", "", "x "]) for _ in range(n)],
                "b": [f"s{rng.randint(0, 50)}" for _ in range(n)],
                "c": [rng.choice(["2024-Q1", "2024-Q2", "2023"]) for _ in range(n)],
            },
            dtype=object,
        )
        key = ["a", "b", "c"]
        order = _key_order(df, key, _categories(df, key))
        assert order.tolist() == df.sort_values(key, kind="stable").index.tolist()


def test_key_codes_from_validation_equal_hashing_the_rows(tmp_path):
    """The store reuses validation's codes (stripping made ' svc-1' and 'svc-1' one value)."""
    from gridvoices.ecosystem.schema import ENTITIES
    from gridvoices.stores.sqlite_store import _categories
    from gridvoices.stores.store import validate_paths

    data = write_ecosystem(tmp_path / "gen", 80, 400, seed=3)
    lines = (data / "referrals.csv").read_text(encoding="utf-8").splitlines()
    lines[5] = " " + lines[5]  # the same source id, written with a leading space
    (data / "referrals.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, typed = validate_paths([data])
    assert report.valid
    for name, frame in typed.items():
        key = list(ENTITIES[name].key)
        known = typed.distinct_of(name, frame)
        if name == "referrals":  # enum keys (peer_links' kind) are hashed from the rows
            assert set(key) <= set(known)
        hashed, reused = _categories(frame, key), _categories(frame, key, known)
        for k in key:
            assert list(reused[k].categories) == list(hashed[k].categories), (name, k)
            assert reused[k].codes.tolist() == hashed[k].codes.tolist(), (name, k)
    # Another frame (a copy, a subset) gets nothing to reuse.
    assert typed.distinct_of("referrals", typed["referrals"].copy()) == {}
