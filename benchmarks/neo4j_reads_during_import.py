"""How long a Neo4j reader waits while an import writes (issue 15): ``gridvoices summary``
and ``gridvoices paths`` in a loop, each a fresh process, while a large import runs.

    python -m benchmarks neo4j-reads-during-import [--services 20000] [--flows 200000]
                                                  [--case reimport|empty|both]

Uses the running local Neo4j (``GRIDVOICES_NEO4J_HOME``, or ``NEO4J_URI``) and EMPTIES its
database. Two cases:

* ``reimport``: the database holds the generated data; the same source is imported again
  (one transaction, replacing it) while the readers run.
* ``empty``: the database is empty; the import takes the bulk path (many transactions)
  while the readers run. A reader that gets "no data yet" has its answer (nothing is
  committed); a refusal or an error is a failure.

With ``--show-small-counts`` the readers skip disclosure control (protecting every figure
reads the whole graph and takes tens of seconds at this size, store or no store), which
leaves what the store itself costs a reader. Prints, per case, the import's wall time and
the reads: count, failures, median and slowest in seconds, beside the same reads with no
import running.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.process import generate

__all__ = ["main"]

GV = [sys.executable, "-m", "gridvoices.cli.interrupts"]
NEO = ["--store", "neo4j"]
NO_DATA = "no data"


def _read(cmd: list[str]) -> tuple[float, bool, str]:
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    secs = time.perf_counter() - t
    text = (done.stdout + done.stderr).strip()
    # An empty committed state is an answer, not a failure.
    ok = done.returncode == 0 or (NO_DATA in text and "not finished" not in text)
    return secs, ok, text.splitlines()[-1] if text else ""


def _readers(data: Path, small: bool) -> list[list[str]]:
    ids = pd.read_csv(data / "services.csv", usecols=["id"])["id"].tolist()
    extra = ["--show-small-counts"] if small else []
    return [
        [*GV, "summary", *NEO, "--json", *extra],
        [*GV, "paths", ids[0], ids[len(ids) // 2], *NEO, "-k", "3", *extra],
    ]


def _import(data: Path) -> list[str]:
    return [*GV, "import", str(data), *NEO, "-q", "--source", "big", "--wait", "600"]


def _during(data: Path, readers: list[list[str]]) -> dict:
    start = time.perf_counter()
    writer = subprocess.Popen(_import(data), stdout=subprocess.DEVNULL)
    secs, failed, last_failure = [], 0, ""
    i = 0
    while writer.poll() is None:
        s, ok, line = _read(readers[i % len(readers)])
        i += 1
        if writer.poll() is None or ok:  # a read that overlapped the import
            secs.append(s)
            if not ok:
                failed += 1
                last_failure = line
    took = time.perf_counter() - start
    return {
        "import_s": took,
        "exit": writer.returncode,
        "reads": secs,
        "failed": failed,
        "last_failure": last_failure,
    }


def _line(label: str, secs: list[float], failed: int) -> str:
    if not secs:
        return f"{label}: no reads"
    return (
        f"{label}: {len(secs)} reads, {failed} failed, median {statistics.median(secs):.2f} s, "
        f"slowest {max(secs):.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks neo4j-reads-during-import")
    ap.add_argument("--services", type=int, default=20_000)
    ap.add_argument("--flows", type=int, default=200_000)
    ap.add_argument("--case", choices=("reimport", "empty", "both"), default="both")
    ap.add_argument(
        "--show-small-counts",
        action="store_true",
        help="readers skip disclosure control: what the store itself costs a reader",
    )
    a = ap.parse_args(argv)

    from gridvoices.stores.neo4j_store import Neo4jStore

    with tempfile.TemporaryDirectory() as tmp:
        data = generate(Path(tmp) / "data", a.services, a.flows)
        readers = _readers(data, a.show_small_counts)
        cases = ("empty", "reimport") if a.case == "both" else (a.case,)
        print(f"# reads during a Neo4j import of {a.services:,} services, {a.flows:,} flows")
        for case in cases:
            with Neo4jStore.connect() as store:
                store.clear()
            if case == "reimport":
                subprocess.run(_import(data), check=True, stdout=subprocess.DEVNULL)
            alone = [_read(r) for r in readers for _ in range(2)]
            r = _during(data, readers)
            print(f"## {case}: import {r['import_s']:.1f} s, exit {r['exit']}")
            print(_line("  alone ", [s for s, _, _ in alone], sum(not ok for _, ok, _ in alone)))
            print(_line("  during", r["reads"], r["failed"]))
            if r["last_failure"]:
                print(f"  last failure: {r['last_failure']}")
        with Neo4jStore.connect() as store:
            store.clear()
    return 0


if __name__ == "__main__":
    sys.exit(main())
