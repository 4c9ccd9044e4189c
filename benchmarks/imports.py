"""Import and cold-query costs of the embedded store, against the obvious baselines.

    python -m benchmarks imports [--services 50000 --flows 1000000] [--json out.json]

Measured in one run, each as a separate process where a user would start one:
``pandas.read_csv`` of referrals.csv (the baseline), ``gridvoices import`` into a
fresh workspace (all or nothing, indexes included), then ``summary`` and
``paths`` from a cold process, and path-query latency (p50 / p95) in-process on
the SQL forms. Figures print as a table with the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loaders.generate import write_ecosystem

__all__ = ["main"]


def _run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process (its own rusage, via wait4)."""
    t = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, cmd)
    return wall, usage.ru_maxrss / 1024


def _latency(store, name: str, pairs, **kw) -> tuple[float, float]:
    from queries.run import answer

    ts = []
    for a, b in pairs:
        t = time.perf_counter()
        answer(store, name, a, b, **kw)
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    return statistics.median(ts), ts[max(0, int(len(ts) * 0.95) - 1)]


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks imports")
    ap.add_argument("--services", type=int, default=5000)
    ap.add_argument("--flows", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    exe = [sys.executable, "-m", "ecosystem.cli"]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = write_ecosystem(Path(tmp) / "data", a.services, a.flows, seed=a.seed)
        ws = Path(tmp) / "ws"
        base, base_mb = _run(
            [
                sys.executable,
                "-c",
                f"import pandas; pandas.read_csv({str(data / 'referrals.csv')!r})",
            ]
        )
        rows.append({"step": "pandas.read_csv referrals.csv", "seconds": base, "peak_mb": base_mb})
        wall, mb = _run([*exe, "import", str(data), "-w", str(ws), "-q"])
        rows.append(
            {
                "step": "gridvoices import (embedded)",
                "seconds": wall,
                "peak_mb": mb,
                "vs": "read_csv",
                "ratio": wall / base,
            }
        )
        for q in (["summary", "--json"], ["paths", "svc-1", "svc-2", "-k", "4", "--json"]):
            wall, mb = _run([*exe, *q, "-w", str(ws)])
            rows.append({"step": f"cold gridvoices {q[0]}", "seconds": wall, "peak_mb": mb})
        from loaders.sqlite_store import SQLiteStore

        store = SQLiteStore(ws / "gridvoices.sqlite")
        t = store.read()
        ends = list(t["services"]["id"]) + list(t["groups"]["id"])
        rng = random.Random(a.seed)
        pairs = [tuple(rng.sample(ends, 2)) for _ in range(a.pairs)]
        for name, kw in (("shortest_paths", {}), ("referral_paths", {"k": 4})):
            p50, p95 = _latency(store, name, pairs, **kw)
            rows.append(
                {
                    "step": f"{name} (SQL, in process) p50 / p95 ms",
                    "seconds": None,
                    "p50_ms": p50,
                    "p95_ms": p95,
                }
            )
        store.close()
    size = f"{a.services} services / {a.flows} flows"
    print(f"# imports and cold queries, {size}")
    print(f"{'step':48} {'seconds':>9} {'peak MB':>8} {'ratio':>8}")
    for r in rows:
        if r.get("seconds") is None:
            print(f"{r['step']:48} p50 {r['p50_ms']:.1f} / p95 {r['p95_ms']:.1f}")
            continue
        ratio = f"{r['ratio']:.1f}x" if "ratio" in r else ""
        print(f"{r['step']:48} {r['seconds']:9.2f} {r['peak_mb']:8.0f} {ratio:>8}")
    if a.json:
        a.json.write_text(json.dumps({"size": size, "rows": rows}, indent=2))
    return rows


if __name__ == "__main__":
    main()
