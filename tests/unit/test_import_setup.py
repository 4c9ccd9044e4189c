"""What an import does around its work: the collector paused, a new store's tables in one
transaction (both for the national import's time, benchmarks p2)."""

from __future__ import annotations

import gc

import pytest
from gridvoices.loaders.generate import write_ecosystem
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
