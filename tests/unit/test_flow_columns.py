"""The embedded store keeps referral flows as columns (gridvoices.stores.flow_columns)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest
from gridvoices.ecosystem.issues import ImportRejected
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.stores import flow_columns
from gridvoices.stores.check import check
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths

from tests.conftest import edit_csv

TINY_FLOWS = [
    ("G1", "S1", "2024-Q2", 0, None),
    ("S1", "S2", "2024-Q1", 12, 10),
    ("S1", "S2", "2024-Q2", 2, 2),
    ("S2", "G1", "2024-Q1", 3, None),
]


def _flows_table(path) -> list[tuple]:
    with sqlite3.connect(path) as c:
        return c.execute("SELECT name, data FROM _flows ORDER BY name").fetchall()


def _everything(path) -> list[str]:
    """The whole database as SQL text: every table, every row, every blob."""
    c = sqlite3.connect(path)
    try:
        return list(c.iterdump())
    finally:
        c.close()


def _flows_only(tmp_path, rows: str):
    """A second source's folder: only a referrals file, holding ``rows`` under the header."""
    second = tmp_path / "second"
    second.mkdir()
    (second / "referrals.csv").write_text(
        "source,target,period,count,accepted\n" + rows, encoding="utf-8"
    )
    return second


def _origins(store) -> dict[tuple, str]:
    f = flow_columns.load(store.conn)
    keys = [r[:3] for r in flow_columns.rows(f)]
    return dict(zip(keys, (f.origins[o] for o in f.origin.tolist()), strict=True))


def test_layout_covers_every_referral_column():
    assert flow_columns.COLUMNS == tuple(ENTITIES["referrals"].column_names)


class TestRoundTrip:
    def test_flows_read_back_in_key_order_from_a_fresh_store(self, tmp_path, tiny):
        path = tmp_path / "g.sqlite"
        with SQLiteStore(path) as store:
            import_paths(store, [tiny])
        with SQLiteStore(path) as store:
            assert flow_columns.rows(store.flows()) == TINY_FLOWS
            assert store.conn.execute("SELECT COUNT(*) FROM referrals").fetchone() == (0,)
            frame = store.read()["referrals"]
        assert frame["count"].dtype == "Int64" and frame["accepted"].dtype == "Int64"
        assert frame["accepted"].isna().tolist() == [True, False, False, True]
        assert [tuple(r) for r in frame.astype(object).to_numpy()] == [
            tuple(pd.NA if v is None else v for v in r) for r in TINY_FLOWS
        ]

    def test_save_then_load_is_the_same(self, tmp_path):
        frame = pd.DataFrame(
            {
                "source": ["b", "a", "a"],
                "target": ["a", "é", "b"],
                "period": ["2024", "2024-Q1", "2024"],
                "count": [5, 3_000_000_000, 0],
                "accepted": pd.array([None, 7, 0], dtype="Int64"),
            }
        )
        flows = flow_columns.from_frame(frame, tag=("src", "imp"))
        c = sqlite3.connect(tmp_path / "x.sqlite", isolation_level=None)
        flow_columns.save(c.cursor(), flows)
        back = flow_columns.load(c)
        assert back.same(flows)
        assert flow_columns.rows(back) == [
            ("a", "b", "2024", 0, 0),
            ("a", "é", "2024-Q1", 3_000_000_000, 7),
            ("b", "a", "2024", 5, None),
        ]
        # Only the periods asked for, positive counts only: what the SQL readers selected.
        assert flow_columns.rows(back, ["2024"], positive=True) == [("b", "a", "2024", 5, None)]

    def test_later_row_of_a_key_wins_as_an_upsert(self):
        frame = pd.DataFrame(
            {"source": ["a", "a"], "target": ["b", "b"], "period": ["2024", "2024"],
             "count": [1, 2], "accepted": [None, None]}
        )  # fmt: skip
        assert flow_columns.rows(flow_columns.from_frame(frame)) == [("a", "b", "2024", 2, None)]


class TestTwoSources:
    def test_same_key_takes_the_new_values_and_provenance(self, tmp_path, tiny):
        second = _flows_only(tmp_path, "S1,S2,2024-Q1,40,\nS3,S1,2024-Q3,6,6\n")
        store = SQLiteStore(tmp_path / "g.sqlite")
        import_paths(store, [tiny], source_name="a")
        import_paths(store, [second], source_name="b")
        rows = flow_columns.rows(flow_columns.load(store.conn))
        assert rows == [
            ("G1", "S1", "2024-Q2", 0, None),
            ("S1", "S2", "2024-Q1", 40, None),
            ("S1", "S2", "2024-Q2", 2, 2),
            ("S2", "G1", "2024-Q1", 3, None),
            ("S3", "S1", "2024-Q3", 6, 6),
        ]
        origins = _origins(store)
        assert origins[("S1", "S2", "2024-Q1")] == "b"
        assert origins[("S1", "S2", "2024-Q2")] == "a"
        counts = {s["source"]: s["rows"]["referrals"] for s in store.sources()}
        assert counts == {"a": 3, "b": 2}
        assert store.periods() == ["2024-Q1", "2024-Q2", "2024-Q3"]
        assert check(store) == []
        store.close()

    def test_reimport_removes_only_that_sources_stale_flows(self, tmp_path, tiny):
        second = _flows_only(tmp_path, "S3,S1,2024-Q3,6,6\n")
        store = SQLiteStore(tmp_path / "g.sqlite")
        import_paths(store, [tiny], source_name="a")
        import_paths(store, [second], source_name="b")
        edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q2,2,2\n", "")
        import_paths(store, [tiny], source_name="a")
        keys = [r[:3] for r in flow_columns.rows(store.flows())]
        assert keys == [
            ("G1", "S1", "2024-Q2"),
            ("S1", "S2", "2024-Q1"),
            ("S2", "G1", "2024-Q1"),
            ("S3", "S1", "2024-Q3"),
        ]
        assert _origins(store)[("S3", "S1", "2024-Q3")] == "b"
        # The compact graph followed: S1 -> S2 now carries 12, not 14.
        edges = store.compact()
        s1, s2 = edges.index["S1"], edges.index["S2"]
        pairs = zip(edges.eu.tolist(), edges.ev.tolist(), strict=True)
        flow = dict(zip(pairs, edges.flows(["2024-Q1", "2024-Q2"]).tolist(), strict=True))
        assert flow[(s1, s2)] == 12
        assert check(store) == []
        store.close()


def test_reimport_of_the_same_data_changes_nothing(tmp_path, tiny):
    path = tmp_path / "g.sqlite"
    store = SQLiteStore(path)
    import_paths(store, [tiny])
    before = dict(_flows_table(path))
    frame = store.read()["referrals"]
    import_paths(store, [tiny])
    after = dict(_flows_table(path))
    # Byte for byte, but for the new import's id (as the SQL rows' _import changed too).
    assert before.keys() == after.keys()
    assert {k: v for k, v in before.items() if k != "imports"} == {
        k: v for k, v in after.items() if k != "imports"
    }
    assert before["imports"] != after["imports"]
    assert store.read()["referrals"].equals(frame)
    store.close()


class TestFailedImportLeavesEverything:
    def test_still_referenced_flow_end_rejects_the_reimport(self, tmp_path, tiny):
        # Source b's flow names S3; a's re-import drops S3 (and changes a flow): refused
        # after the flows were merged, and nothing of it stays.
        second = _flows_only(tmp_path, "S3,S1,2024-Q3,6,6\n")
        path = tmp_path / "g.sqlite"
        store = SQLiteStore(path)
        import_paths(store, [tiny], source_name="a")
        import_paths(store, [second], source_name="b")
        before = _everything(path)
        edit_csv(tiny / "services.csv", "S3,Lonely,O2,D3,volunteering,,no,yes\n", "")
        edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q1,12,10", "S1,S2,2024-Q1,99,10")
        with pytest.raises(ImportRejected) as e:
            import_paths(store, [tiny], source_name="a")
        issue = e.value.report.issues[0]
        assert issue.code == "still-referenced"
        assert "'S3'" in issue.message and "referrals S3/S1/2024-Q3" in issue.message
        assert _everything(path) == before
        assert flow_columns.rows(store.flows())[1] == ("S1", "S2", "2024-Q1", 12, 10)
        store.close()

    def test_failure_after_the_merge_rolls_the_columns_back(self, tmp_path, tiny, monkeypatch):
        path = tmp_path / "g.sqlite"
        store = SQLiteStore(path)
        import_paths(store, [tiny])
        before = _everything(path)
        edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q1,12,10", "S1,S2,2024-Q1,99,10")

        def fail(cur, flows):
            flow_columns.save(cur, flows)  # written, then the import fails
            raise OSError("disk full")

        monkeypatch.setattr(SQLiteStore, "_rewrite_adjacency", staticmethod(fail))
        with pytest.raises(OSError, match="disk full"):
            import_paths(store, [tiny])
        assert _everything(path) == before
        assert flow_columns.rows(store.flows())[1] == ("S1", "S2", "2024-Q1", 12, 10)
        store.close()


class TestDangling:
    def test_write_naming_an_unknown_end_is_refused(self, tmp_path, tiny):
        path = tmp_path / "g.sqlite"
        store = SQLiteStore(path)
        import_paths(store, [tiny])
        before = _everything(path)
        bad = store.read()["referrals"].head(1).copy()
        bad.loc[:, "target"] = "nowhere"
        with pytest.raises(ImportRejected) as e:
            store.write({"referrals": bad})
        issue = e.value.report.issues[0]
        assert (issue.file, issue.column, issue.code) == (
            "referrals",
            "target",
            "unknown-reference",
        )
        assert "'nowhere'" in issue.message
        assert _everything(path) == before
        store.close()

    def test_check_finds_a_flow_into_nothing(self, tmp_path, tiny):
        store = SQLiteStore(tmp_path / "g.sqlite")
        import_paths(store, [tiny])
        frame = store.read()["referrals"]
        frame.loc[0, "source"] = "ghost"
        cur = store.conn.cursor()
        cur.execute("BEGIN")
        flow_columns.save(cur, flow_columns.from_frame(frame, tag=(None, None)))
        cur.execute("COMMIT")
        problems = check(SQLiteStore(tmp_path / "g.sqlite"))
        assert "referrals ghost/S1/2024-Q2: source 'ghost' is not stored" in problems
        store.close()


class TestMigration:
    @staticmethod
    def _as_old_workspace(path) -> list[tuple]:
        """Put the flows back as SQL rows and drop the columns: what an older version left."""
        c = sqlite3.connect(path, isolation_level=None)
        f = flow_columns.load(c)
        origin = [f.origins[o] for o in f.origin.tolist()]
        imported = [f.imports[o] for o in f.imported.tolist()]
        rows = [(*r, o, i) for r, o, i in zip(flow_columns.rows(f), origin, imported, strict=True)]
        c.execute("BEGIN")
        c.executemany("INSERT INTO referrals VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        c.execute("DROP TABLE _flows")
        c.execute("COMMIT")
        c.close()
        return rows

    def test_old_rows_move_into_the_columns_once(self, tmp_path, tiny):
        path = tmp_path / "g.sqlite"
        with SQLiteStore(path) as store:
            import_paths(store, [tiny])
            read_before, sources_before = store.read(), store.sources()
        rows = self._as_old_workspace(path)
        assert len(rows) == 4
        with SQLiteStore(path) as store:
            assert store.conn.execute("SELECT COUNT(*) FROM referrals").fetchone() == (0,)
            assert store.read()["referrals"].equals(read_before["referrals"])
            assert store.sources() == sources_before
            assert check(store) == []
        migrated = _everything(path)
        with SQLiteStore(path) as store:  # opening again changes nothing
            assert store.flows().same(flow_columns.load(store.conn))
        assert _everything(path) == migrated
        with SQLiteStore(path) as store:  # and the next import works on the migrated store
            import_paths(store, [tiny])
            assert flow_columns.rows(store.flows()) == TINY_FLOWS

    def test_rows_not_yet_migrated_are_read_with_the_columns(self, tmp_path, tiny):
        path = tmp_path / "g.sqlite"
        with SQLiteStore(path) as store:
            import_paths(store, [tiny])
        c = sqlite3.connect(path, isolation_level=None)
        # An older version wrote one flow as a row after the columns existed.
        c.execute("INSERT INTO referrals VALUES ('S1', 'S2', '2024-Q1', 50, NULL, 'old', 'x')")
        flows = flow_columns.load(c)
        c.close()
        assert flow_columns.rows(flows)[1] == ("S1", "S2", "2024-Q1", 50, None)
        assert len(flows) == 4
        with SQLiteStore(path) as store:
            assert flow_columns.rows(store.flows())[1] == ("S1", "S2", "2024-Q1", 50, None)
            assert store.conn.execute("SELECT COUNT(*) FROM referrals").fetchone() == (0,)


def test_unknown_layout_is_refused_not_misread(tmp_path, tiny):
    path = tmp_path / "g.sqlite"
    with SQLiteStore(path) as store:
        import_paths(store, [tiny])
        store.conn.execute("UPDATE _flows SET data = X'39' WHERE name = 'version'")
        with pytest.raises(ValueError, match="layout"):
            flow_columns.load(store.conn)


def test_narrow_codes_keep_minus_one():
    frame = pd.DataFrame(
        {"source": ["a"], "target": ["b"], "period": ["2024"], "count": [1], "accepted": [None]}
    )
    f = flow_columns.from_frame(frame)
    assert f.origin.tolist() == [-1] and f.origins == []
    assert np.asarray(f.source).dtype == np.int8


def test_dangling_flows_looks_only_where_a_write_could_break_references(tmp_path, tiny):
    from gridvoices.stores.integrity import dangling_flows

    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [tiny])
    frame = store.read()["referrals"]
    frame.loc[3, "target"] = "ghost"
    flows = flow_columns.from_frame(frame)
    cur = store.conn.cursor()
    want = [("referrals", "S2/ghost/2024-Q1", "target", "ghost")]
    assert dangling_flows(cur, flows, ["referrals"]) == want
    assert dangling_flows(cur, flows, [], removed=["groups"]) == want
    assert dangling_flows(cur, flows, ["services"], removed=["districts"]) == []
    assert dangling_flows(cur, flows, ["referrals"], skip=[("referrals", "target")]) == []
    store.close()


@pytest.mark.parametrize(("periods", "both"), [(None, 1), (["2024-Q1"], 0), (["2024-Q2"], 1)])
def test_summary_counts_a_peer_link_with_referrals_once(tmp_path, tiny, periods, both):
    from gridvoices.queries.run import answer

    # G1 -> S1: a peer link, and referrals in 2024-Q2 only.
    edit_csv(tiny / "referrals.csv", "G1,S1,2024-Q2,0,", "G1,S1,2024-Q2,5,")
    edit_csv(tiny / "peer_links.csv", "G1,S2,links_with,", "G1,S2,links_with,\nG1,S1,attends,")
    store = SQLiteStore(tmp_path / "g.sqlite")
    import_paths(store, [tiny])
    sql = answer(store, "summary", periods=periods, engine="sql")
    assert sql == answer(store, "summary", periods=periods, engine="graph")
    t = sql["totals"]
    assert t["links"] == t["referral_links"] + t["peer_links"] - both
    store.close()


def test_cached_flows_follow_another_process_commit(tmp_path, tiny):
    path = tmp_path / "g.sqlite"
    reader, writer = SQLiteStore(path), SQLiteStore(path)
    import_paths(writer, [tiny])
    assert flow_columns.rows(reader.flows()) == TINY_FLOWS
    edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q1,12,10", "S1,S2,2024-Q1,13,10")
    import_paths(writer, [tiny])
    assert flow_columns.rows(reader.flows())[1] == ("S1", "S2", "2024-Q1", 13, 10)
    reader.close()
    writer.close()


def test_cached_compact_graph_follows_another_process_commit(tmp_path, tiny):
    path = tmp_path / "g.sqlite"
    reader, writer = SQLiteStore(path), SQLiteStore(path)
    import_paths(writer, [tiny])
    before = reader.compact()
    edit_csv(tiny / "referrals.csv", "S1,S2,2024-Q1,12,10", "S1,S2,2024-Q1,13,10")
    import_paths(writer, [tiny])
    after = reader.compact()
    assert after is not before
    assert after.flows(after.periods).sum() == before.flows(before.periods).sum() + 1
    assert reader.compact() is after  # nothing committed since: the same arrays
    reader.close()
    writer.close()
