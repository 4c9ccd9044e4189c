"""Every benchmark at one size, with the planted answers checked first.

    python -m benchmarks all --size small|national [--out DIR]

``small`` (2,000 services / 20,000 flows) is what CI can afford as a smoke run;
``national`` is 50,000 services / 1,000,000 flows. The analyses must find what
the generator planted before any time is reported. Tables print and are written
as JSON and Markdown to ``--out`` (default gridvoices-out/benchmarks).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import imports
from loaders.generate import write_ecosystem
from loaders.plant import check_planted
from loaders.store import validate_paths
from queries.analyses import run_all
from queries.graph import build_graph

SIZES = {"small": (2000, 20_000), "national": (50_000, 1_000_000)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks all")
    ap.add_argument("--size", choices=SIZES, default="small")
    ap.add_argument("--out", type=Path, default=Path("gridvoices-out") / "benchmarks")
    a = ap.parse_args(argv)
    services, flows = SIZES[a.size]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        d = write_ecosystem(Path(tmp) / "data", services, flows, seed=1, planted=True)
        rows.append({"step": "generate (planted)", "seconds": time.perf_counter() - t})
        t = time.perf_counter()
        report, tables = validate_paths([d])
        G = build_graph(tables)
        rows.append({"step": "validate + build graph", "seconds": time.perf_counter() - t})
        timings: dict[str, float] = {}
        results = run_all(G, timings=timings)
        rows += [{"step": f"analysis: {k}", "seconds": v} for k, v in timings.items()]
        missed = check_planted(results, json.loads((d / "planted.json").read_text()))
    print(f"# all benchmarks, {a.size}: {services} services / {flows} flows")
    print("planted structures found:", "all" if not missed else f"MISSED {missed}")
    for r in rows:
        print(f"{r['step']:40} {r['seconds']:9.2f} s")
    more = imports.main(["--services", str(services), "--flows", str(flows), "--pairs", "20"])
    a.out.mkdir(parents=True, exist_ok=True)
    data = {"size": a.size, "missed": missed, "rows": rows, "imports": more}
    (a.out / f"all-{a.size}.json").write_text(json.dumps(data, indent=2, default=str))
    md = [f"# Benchmarks ({a.size})", "", "| step | seconds |", "|---|---|"]
    md += [f"| {r['step']} | {r['seconds']:.2f} |" for r in rows]
    md += [f"| {r['step']} | {r.get('seconds') or ''} |" for r in more]
    (a.out / f"all-{a.size}.md").write_text("\n".join(md) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
