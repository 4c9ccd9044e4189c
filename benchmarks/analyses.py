"""How long each analysis takes on the shipped data and on a generated ecosystem.

python -m benchmarks analyses [--services 5000 --flows 100000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries.analyses import run_all
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths

from gridvoices.demo import DEMO_DATA


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(data: Path, label: str) -> list[dict]:
    rows = []
    t = time.perf_counter()
    report, tables = validate_paths([data])
    rows.append({"data": label, "step": "read + validate", "seconds": time.perf_counter() - t})
    assert report.valid, report.lines(5)
    t = time.perf_counter()
    G = build_graph(tables)
    rows.append({"data": label, "step": "build graph", "seconds": time.perf_counter() - t})
    timings: dict[str, float] = {}
    run_all(G, timings=timings)
    rows += [{"data": label, "step": k, "seconds": v} for k, v in timings.items()]
    for r in rows:
        r["nodes"], r["edges"] = G.number_of_nodes(), G.number_of_edges()
        r["peak_rss_mb"] = round(_peak_mb())
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks analyses")
    ap.add_argument("--services", type=int, default=5000)
    ap.add_argument("--flows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    rows = measure(DEMO_DATA, "derbyshire")
    with tempfile.TemporaryDirectory() as tmp:
        gen = write_ecosystem(Path(tmp), a.services, a.flows, seed=a.seed)
        rows += measure(gen, f"generated {a.services} services / {a.flows} flows")
    print(f"{'data':44} {'step':16} {'seconds':>8} {'nodes':>7} {'edges':>8} {'peak MB':>8}")
    for r in rows:
        print(
            f"{r['data']:44} {r['step']:16} {r['seconds']:8.3f} {r['nodes']:7} {r['edges']:8} "
            f"{r['peak_rss_mb']:8}"
        )
    if a.json:
        a.json.write_text(json.dumps(rows, indent=2))
    return rows


if __name__ == "__main__":
    main()
