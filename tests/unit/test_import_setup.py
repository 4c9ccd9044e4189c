"""What an import does around its work: the collector paused, a new store's tables in one
transaction, the command line's memory settings (all for the national import's time, see
benchmarks p2)."""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.stores import sqlite_store
from gridvoices.stores.gcpause import paused_gc
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths


class TestPausedGc:
    def test_paused_inside_enabled_after(self):
        assert gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert gc.isenabled()

    def test_enabled_again_after_an_error(self):
        with pytest.raises(KeyError), paused_gc():
            raise KeyError("x")
        assert gc.isenabled()

    def test_a_callers_own_disable_is_kept(self):
        gc.disable()
        try:
            with paused_gc():
                pass
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_import_writes_with_the_collector_paused(self, tmp_path, monkeypatch):
        data = write_ecosystem(tmp_path / "gen", 20, 40, seed=3)
        store = SQLiteStore(tmp_path / "g.sqlite")
        seen = []
        write = store.write
        monkeypatch.setattr(
            store, "write", lambda *a, **k: (seen.append(gc.isenabled()), write(*a, **k))
        )
        import_paths(store, [data])
        store.close()
        assert seen == [False]
        assert gc.isenabled()


def _traced(monkeypatch) -> list[str]:
    """The SQL statements the stores opened from now on run (SQLite's trace callback)."""
    statements: list[str] = []
    connect = sqlite3.connect

    def traced_connect(*a, **k):
        conn = connect(*a, **k)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite_store.sqlite3, "connect", traced_connect)
    return statements


class TestSchema:
    def test_new_store_gets_its_tables_in_one_transaction(self, tmp_path, monkeypatch):
        statements = _traced(monkeypatch)
        SQLiteStore(tmp_path / "g.sqlite").close()
        creates = [i for i, s in enumerate(statements) if s.startswith("CREATE TABLE")]
        begin = statements.index("BEGIN IMMEDIATE")
        commit = statements.index("COMMIT")
        assert len(creates) > 5
        assert begin < creates[0] and creates[-1] < commit
        assert statements.count("COMMIT") == 1

    def test_existing_store_opens_while_another_holds_the_write_lock(self, tmp_path):
        path = tmp_path / "g.sqlite"
        SQLiteStore(path).close()
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        try:
            opened = SQLiteStore(path)  # no write: the tables are there
            assert opened.existing_ids()["services"] == set()
            opened.close()
        finally:
            writer.execute("ROLLBACK")
            writer.close()

    def test_failed_setup_leaves_a_new_file_empty(self, tmp_path, monkeypatch):
        path = tmp_path / "g.sqlite"
        calls = []

        def failing(self, name):
            calls.append(name)
            if len(calls) == 3:
                raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(SQLiteStore, "_add_provenance_columns", failing)
        with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
            SQLiteStore(path)
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0] == 0
        conn.close()
        monkeypatch.undo()
        SQLiteStore(path).close()  # and a later open creates them all
        conn = sqlite3.connect(path)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema")}
        conn.close()
        assert {"services", "referrals", "_flows", "_sources"} <= names


class TestBulkMemory:
    def test_settings_take_effect_in_a_fresh_process(self):
        # In a child: the settings last for the whole process, the test run's included.
        code = (
            "import atexit, gc, json, numpy as np\n"
            "from gridvoices.cli.bulk_memory import for_bulk_import\n"
            # Registered before: runs after the freeze at exit (atexit is last in, first out).
            "atexit.register(lambda: print(json.dumps({'frozen': gc.get_freeze_count() > 0})))\n"
            "took = for_bulk_import()\n"
            "for_bulk_import()  # twice in one process, as in the tests: harmless\n"
            "core = getattr(np, '_core', None) or np.core\n"
            "took['advice_was_on'] = core.multiarray._set_madvise_hugepage(True)\n"
            "took['frozen_before_exit'] = gc.get_freeze_count() > 0\n"
            "print(json.dumps(took))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        took, at_exit = json.loads(out[0]), json.loads(out[1])
        assert took["numpy_hugepages_off"] is True
        assert took["advice_was_on"] is False
        glibc = (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
        assert took["glibc_malloc"] is glibc
        assert took["frozen_at_exit"] is True
        assert took["frozen_before_exit"] is False  # nothing frozen while the command works
        assert at_exit == {"frozen": True}

    def test_the_import_command_applies_them(self, tmp_path, monkeypatch):
        from typer.testing import CliRunner

        from gridvoices.cli import bulk_memory
        from gridvoices.cli.main import app

        calls = []
        monkeypatch.setattr(bulk_memory, "for_bulk_import", lambda: calls.append(1) or {})
        data = write_ecosystem(tmp_path / "gen", 20, 40, seed=4)
        result = CliRunner().invoke(
            app, ["import", str(data), "-w", str(tmp_path / "ws"), "-q"], catch_exceptions=False
        )
        assert result.exit_code == 0
        assert calls == [1]
