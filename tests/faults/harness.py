"""Fault injection: a child process imports, stops at a chosen point, and is killed or interrupted.

The child runs the real command line (``gridvoices.cli.interrupts.main``) with hooks that
pause at named points of an import: ``start`` (before anything), ``validated`` (lock held,
nothing written), ``upsert:<table>`` (inside the write transaction), ``batch:<n>`` (the
Neo4j bulk path, after n committed batches), ``pre-commit`` (everything written, not yet
committed) and ``post-commit`` (committed, not yet reported). At a pause it touches
``FAULT_FLAG`` and waits for ``FAULT_GO`` to exist; the test then signals it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]

POINTS_EMBEDDED = (
    "start",
    "validated",
    "upsert:services",
    "upsert:referrals",
    "pre-commit",
    "post-commit",
)

CHILD = r"""
import os, pathlib, sys, time

flag = pathlib.Path(os.environ["FAULT_FLAG"])
go = pathlib.Path(os.environ["FAULT_GO"])
point = os.environ.get("FAULT_AT", "")
batches = [0]


def pause(name):
    if name == point:
        flag.touch()
        while not go.exists():
            time.sleep(0.05)


import signal
from gridvoices.cli import interrupts

# As the console script does first thing (interrupts.main), before the hooks load pandas.
signal.signal(signal.SIGINT, interrupts._raise)
signal.signal(signal.SIGTERM, interrupts._raise)


def hooks():
    pause("start")
    from gridvoices.stores import neo4j_bulk, neo4j_store, neo4j_write, sqlite_store, store

    _validate = store._validate
    def validate(*a, **k):
        out = _validate(*a, **k)
        pause("validated")
        return out
    store._validate = validate

    _upsert = sqlite_store.SQLiteStore._upsert
    def upsert(self, cur, name, *a, **k):
        _upsert(self, cur, name, *a, **k)
        pause("upsert:" + name)
    sqlite_store.SQLiteStore._upsert = upsert

    # The referral flows are merged as columns (stores.flow_columns), not upserted as rows.
    _merge = sqlite_store.SQLiteStore._merge_flows
    def merge_flows(*a, **k):
        out = _merge(*a, **k)
        pause("upsert:referrals")
        return out
    sqlite_store.SQLiteStore._merge_flows = staticmethod(merge_flows)

    _recheck = sqlite_store.SQLiteStore._recheck
    def recheck(*a, **k):
        _recheck(*a, **k)
        pause("pre-commit")
    sqlite_store.SQLiteStore._recheck = staticmethod(recheck)

    _recheck_neo = neo4j_write.recheck_written
    def recheck_neo(*a, **k):
        out = _recheck_neo(*a, **k)
        pause("pre-commit")
        return out
    neo4j_write.recheck_written = recheck_neo

    for cls in (sqlite_store.SQLiteStore, neo4j_store.Neo4jStore):
        def make(orig):
            def write(self, *a, **k):
                orig(self, *a, **k)
                pause("post-commit")
            return write
        cls._write = make(cls._write)

    _batch = neo4j_bulk._batch_tx
    def batch_tx(*a, **k):
        _batch(*a, **k)
        batches[0] += 1
        pause("batch:%d" % batches[0])
    neo4j_bulk._batch_tx = batch_tx
    if os.environ.get("FAULT_BULK"):
        neo4j_bulk.BATCH = 500
        neo4j_store.Neo4jStore.__init__.__kwdefaults__["bulk_min_rows"] = 1


try:
    hooks()
except (interrupts.Interrupted, KeyboardInterrupt):
    sys.exit(interrupts._report_interrupt())
sys.argv = ["gridvoices", *sys.argv[1:]]
interrupts.main()
"""


class Child:
    """One child import, paused at ``point`` (or running straight through when None)."""

    def __init__(self, tmp: Path, args: list[str], point: str | None, env: dict | None = None):
        tmp.mkdir(parents=True, exist_ok=True)
        self.flag, self.go = tmp / "paused", tmp / "go"
        for f in (self.flag, self.go):
            f.unlink(missing_ok=True)
        e = {**os.environ, **(env or {})}
        e.update(FAULT_FLAG=str(self.flag), FAULT_GO=str(self.go), FAULT_AT=point or "")
        e.pop("COLUMNS", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, *args],
            cwd=ROOT,
            env=e,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_paused(self) -> bool:
        """True once the child reached its point; False if it ended first."""
        while not self.flag.exists():
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return True

    def resume(self) -> None:
        self.go.touch()

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)
        if sig != signal.SIGKILL:
            self.resume()  # the pause loop sleeps: the signal lands in it

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err


def snapshot(store) -> dict[str, str]:
    """Every table as CSV text: two stores are equal when their snapshots are."""
    tables = store.read()
    return {name: _canonical(df) for name, df in sorted(tables.items())}


def _canonical(df: pd.DataFrame) -> str:
    df = df.copy()
    for c in df.columns:
        df[c] = df[c].map(lambda v: ";".join(map(str, v)) if isinstance(v, list) else v)
    return df.sort_values(list(df.columns[:3]), kind="stable").to_csv(index=False)
