"""Import and cold-query costs of the embedded store, against the obvious baselines.

    python -m benchmarks imports [--services 50000 --flows 1000000] [--repeat 3] [--json out.json]

Measured in one run, each as a separate process where a user would start one:
``pandas.read_csv`` of referrals.csv (the baseline), ``gridvoices import`` into a
fresh workspace (all or nothing, indexes and the compact graph included), then
``summary``, ``paths``, ``isolated --flag no_flows`` and the full ``isolated``
from a cold process, and path-query latency (p50 / p95) in-process on the SQL
forms. Each process step runs ``--repeat`` times and its median is shown; the
machine may be shared, so the import is also given as a ratio to the read_csv
median of the same run. Each step prints its target (issue 9) and whether it
was met.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.process import generate, run

__all__ = ["main", "IMPORT_RATIO_TARGET", "COLD_QUERY_TARGET_S"]

IMPORT_RATIO_TARGET = 3.0  # import time / read_csv time
COLD_QUERY_TARGET_S = 2.0  # one question from a fresh process


def _median_run(cmd: list[str], repeat: int, before=None) -> dict:
    """Median wall and CPU seconds, and peak MB, over ``repeat`` runs (``before`` runs
    ahead of each)."""
    walls, mbs, cpus = [], [], []
    for _ in range(repeat):
        if before:
            before()
        wall, mb, cpu = run(cmd)
        walls.append(wall)
        mbs.append(mb)
        cpus.append(cpu)
    return {
        "seconds": statistics.median(walls),
        "cpu_seconds": statistics.median(cpus),
        "runs": [round(w, 3) for w in walls],
        "peak_mb": max(mbs),
    }


def _latency(store, name: str, pairs, **kw) -> tuple[float, float]:
    from gridvoices.queries.run import answer

    ts = []
    for a, b in pairs:
        t = time.perf_counter()
        answer(store, name, a, b, **kw)
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    return statistics.median(ts), ts[max(0, int(len(ts) * 0.95) - 1)]


_COLD = (
    ["summary", "--json"],
    ["paths", "svc-1", "svc-2", "-k", "4", "--json"],
    ["isolated", "--flag", "no_flows", "--json"],
    ["isolated", "--json"],
)


def _print(rows: list[dict], size: str) -> None:
    print(f"# imports and cold queries, {size} (median of the runs)")
    print(f"{'step':44} {'seconds':>8} {'cpu s':>6} {'peak MB':>8} {'ratio':>7} {'target':>8}  met")
    for r in rows:
        if r.get("seconds") is None:
            print(f"{r['step']:44} p50 {r['p50_ms']:.1f} / p95 {r['p95_ms']:.1f}")
            continue
        ratio = f"{r['ratio']:.1f}x" if "ratio" in r else ""
        target = r.get("target", "")
        met = {True: "yes", False: "NO", None: ""}[r.get("met")]
        print(
            f"{r['step']:44} {r['seconds']:8.2f} {r['cpu_seconds']:6.2f} {r['peak_mb']:8.0f} "
            f"{ratio:>7} {target:>8}  {met}"
        )


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks imports")
    ap.add_argument("--services", type=int, default=5000)
    ap.add_argument("--flows", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="Runs per process step (median).")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    exe = [sys.executable, "-m", "gridvoices.cli.main"]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = generate(Path(tmp) / "data", a.services, a.flows, seed=a.seed)
        ws = Path(tmp) / "ws"
        read = f"import pandas; pandas.read_csv({str(data / 'referrals.csv')!r})"
        base = _median_run([sys.executable, "-c", read], a.repeat)
        rows.append({"step": "pandas.read_csv referrals.csv", **base})
        imp = _median_run(
            [*exe, "import", str(data), "-w", str(ws), "-q"],
            a.repeat,
            before=lambda: shutil.rmtree(ws, ignore_errors=True),
        )
        ratio = imp["seconds"] / base["seconds"]
        rows.append(
            {
                "step": "gridvoices import (embedded)",
                **imp,
                "vs": "read_csv",
                "ratio": ratio,
                "cpu_ratio": imp["cpu_seconds"] / base["cpu_seconds"],
                "target": f"<={IMPORT_RATIO_TARGET:g}x",
                "met": ratio <= IMPORT_RATIO_TARGET,
            }
        )
        for q in _COLD:
            cold = _median_run([*exe, *q[:-1], "-w", str(ws), q[-1]], a.repeat)
            rows.append(
                {
                    "step": "cold gridvoices " + " ".join(q[:-1]),
                    **cold,
                    "target": f"<={COLD_QUERY_TARGET_S:g}s",
                    "met": cold["seconds"] <= COLD_QUERY_TARGET_S,
                }
            )
        from gridvoices.stores.sqlite_store import SQLiteStore

        store = SQLiteStore(ws / "gridvoices.sqlite")
        ends = [
            r[0]
            for t in ("services", "groups")
            for r in store.conn.execute(f"SELECT id FROM {t} ORDER BY id")
        ]
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
    _print(rows, size)
    print(f"import / read_csv by CPU time: {rows[1]['cpu_ratio']:.1f}x")
    if a.json:
        a.json.write_text(json.dumps({"size": size, "rows": rows}, indent=2))
    return rows


if __name__ == "__main__":
    main()
