"""Every benchmark at one size, with the planted answers checked first, in one table.

    python -m benchmarks all --size small|national [--out DIR] [--skip-neo4j] [--skip-views]

``small`` (2,000 services / 20,000 flows) is the smoke run CI can afford: it checks
that every benchmark still runs and that the analyses find what the generator
planted, never the times. ``national`` is 50,000 services / 1,000,000 flows.

In order: generate a seeded ecosystem with planted structures; the full analysis in
a fresh process (planted answers checked: a miss stops the run with exit code 1);
the embedded import against ``pandas.read_csv`` and the cold CLI questions
(:mod:`benchmarks.imports`); sampled against exact betweenness and Leiden against
Louvain (:mod:`benchmarks.centrality`); the Neo4j import against LOAD CSV and a
per-row loader on a Neo4j of its own (:mod:`benchmarks.neo4j_import`, home
``--neo4j-home``, emptied); referral-path latency on that server with the data
loaded (:mod:`benchmarks.neo4j_paths`); the network view in headless Chromium
against raw pyvis (:mod:`benchmarks.views`). The table (step, size, figure, peak
memory, comparison, ratio, target, met) prints and is written as JSON and Markdown
to ``--out`` (default gridvoices-out/benchmarks).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.process import generate

__all__ = ["main", "SIZES"]

SIZES = {"small": (2000, 20_000), "national": (50_000, 1_000_000)}
# Per size: nodes for the centrality comparison, view sizes, path pairs (and how many of
# them the slow embedded / NetworkX forms also answer), Neo4j heap and page cache.
PLAN = {
    "small": {
        "nodes": 1000,
        "views": [1000],
        "pairs": 100,
        "baseline": 100,
        "heap": "1g",
        "per_row": 300,
        "repeat": 1,
    },
    "national": {
        "nodes": 5000,
        "views": [1000, 10_000, 50_000],
        "pairs": 300,
        "baseline": 30,
        "heap": "4g",
        "pagecache": "2g",
        "per_row": 2000,
        "repeat": 3,
    },
}
PYVIS_TIMEOUT = 60  # seconds raw pyvis gets to draw a first picture, per size
PATH_TARGETS_MS = {"shortest_paths": 10.0, "referral_paths": 50.0}
SUBSET_TARGET_MS = 20.0  # shortest_paths over a subset of periods (issue 17, P5b)


def _row(group: str, size: str, r: dict) -> dict:
    """One benchmark's row in the common shape of the table."""
    out = {"group": group, "step": r["step"].strip(), "size": r.get("size", size)}
    if r.get("p50_ms") is not None:
        out["figure"] = f"p50 {r['p50_ms']:.1f} ms / p95 {r['p95_ms']:.1f} ms"
    elif r.get("seconds") is not None:
        out["figure"] = f"{r['seconds']:.2f} s"
    else:
        out["figure"] = ""
    for k in ("seconds", "p50_ms", "p95_ms", "peak_mb", "vs", "ratio", "target", "met"):
        if r.get(k) is not None:
            out[k] = r[k]
    return out


def _paths_rows(size: str, rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        name = r["step"].split()[0]
        if r["engine"] == "networkx":
            nx_row = {
                "step": f"NetworkX {r['step']} ({r['pairs']} of the pairs, graph in memory)",
                "p50_ms": r["p50_ms"],
                "p95_ms": r["p95_ms"],
            }
            out.append(_row("neo4j paths", size, nx_row))
            continue
        # A periods-subset row (issue 17, P5b) has its own goal.
        target = SUBSET_TARGET_MS if "periods" in r else PATH_TARGETS_MS[name]
        neo = {
            "step": f"Neo4j {r['step']} ({r['pairs']} pairs, {r['with_path']} with a path)",
            "p50_ms": r["p50_ms"],
            "p95_ms": r["p95_ms"],
            "target": f"p95 <= {target:g} ms",
            "met": r["p95_ms"] <= target,
        }
        out.append(_row("neo4j paths", size, neo))
        if "embedded_p50_ms" in r and "periods" not in r:
            emb = {
                "step": f"embedded (SQL) {r['step']} ({r['baseline_pairs']} of the pairs, "
                f"{r['embedded_agree_with_networkx']} agree with NetworkX)",
                "p50_ms": r["embedded_p50_ms"],
                "p95_ms": r["embedded_p95_ms"],
            }
            out.append(_row("neo4j paths", size, emb))
    return out


def _views_rows(rows: list[dict], timeout: float) -> list[dict]:
    out = []
    for r in rows:
        pyvis, ready = r.get("pyvis_iterations_s"), r["ready_s"]
        out.append(
            {
                "group": "views",
                "step": "network view ready in headless Chromium",
                "size": f"{r['services']} services ({r['nodes']} nodes / {r['edges']} edges)",
                "figure": f"{ready:.2f} s",
                "seconds": ready,
                "vs": "raw pyvis, first picture",
                # No picture within the timeout: the ratio is at least timeout / ready.
                "ratio": (pyvis or timeout) / ready,
                "ratio_at_least": pyvis is None,
                "target": "<= 3 s",
                "met": ready <= 3.0,
                "baseline": f"{pyvis:.1f} s" if pyvis else f"no picture within {timeout:g} s",
            }
        )
    return out


def _markdown(data: dict) -> str:
    head = (
        f"# Benchmarks ({data['size']}: {data['services']} services / {data['flows']} flows)\n\n"
        f"{data['date']}, {data['machine']}. One run; ratios are measured in the same run.\n"
        f"Planted structures found by the analyses: "
        f"{'all' if not data['missed'] else 'MISSED ' + ', '.join(data['missed'])}.\n\n"
        "| step | size | figure | peak MB | comparison | ratio | target | met |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in data["rows"]:
        ratio = f"{r['ratio']:.1f}x" if r.get("ratio") else ""
        ratio = f"> {ratio}" if r.get("ratio_at_least") else ratio
        vs = r.get("vs", "") + (f" ({r['baseline']})" if r.get("baseline") else "")
        met = {True: "yes", False: "**no**"}.get(r.get("met"), "")
        mb = f"{r['peak_mb']:.0f}" if r.get("peak_mb") else ""
        lines.append(
            f"| {r['step']} | {r['size']} | {r['figure']} | {mb} | {vs} | {ratio} | "
            f"{r.get('target', '')} | {met} |"
        )
    return head + "\n".join(lines) + "\n"


def _print(rows: list[dict]) -> None:
    print(f"\n{'step':62} {'figure':>30} {'ratio':>8}  target")
    for r in rows:
        ratio = f"{r['ratio']:.1f}x" if r.get("ratio") else ""
        met = {True: "met", False: "MISSED"}.get(r.get("met"), "")
        target = f"{r.get('target', '')} {met}".strip()
        print(f"{r['step'][:62]:62} {r['figure']:>30} {ratio:>8}  {target}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks all")
    ap.add_argument("--size", choices=SIZES, default="small")
    ap.add_argument("--out", type=Path, default=Path("gridvoices-out") / "benchmarks")
    ap.add_argument("--skip-neo4j", action="store_true", help="no Neo4j import or path steps")
    ap.add_argument("--skip-views", action="store_true", help="no browser step")
    ap.add_argument(
        "--neo4j-home",
        type=Path,
        default=Path.home() / ".cache" / "gridvoices" / "neo4j-bench",
        help="the benchmark's own Neo4j home (its database is emptied)",
    )
    a = ap.parse_args(argv)
    from benchmarks import centrality, full, imports

    services, flows = SIZES[a.size]
    plan = PLAN[a.size]
    size = f"{services} services / {flows} flows"
    sized = ["--services", str(services), "--flows", str(flows)]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        # In a child, so this process stays small (see benchmarks.process).
        data = generate(Path(tmp) / "data", services, flows, planted=True)
        rows.append(
            _row(
                "generate", size, {"step": "generate (planted)", "seconds": time.perf_counter() - t}
            )
        )
        print(f"# all benchmarks, {a.size}: {size}", flush=True)
        res = full.measure(data)
        missed = res["missed"] or []
        print("planted structures found:", "all" if not missed else f"MISSED {missed}", flush=True)
        rows += [_row("full analysis", size, r) for r in full.rows_of(res, size)]
        if missed:
            _print(rows)
            return 1
        cold = imports.main([*sized, "--pairs", "20", "--repeat", str(plan["repeat"])])
        rows += [_row("embedded", size, r) for r in cold]
        rows += [
            _row("centrality", "", r) for r in centrality.main(["--nodes", str(plan["nodes"])])
        ]
        if not a.skip_neo4j:
            rows += _neo4j(a, plan, sized, data, size)
        if not a.skip_views:
            from benchmarks import views

            sizes = [str(n) for n in plan["views"]]
            rows += _views_rows(
                views.main(
                    [
                        "--sizes",
                        *sizes,
                        "--pyvis-timeout",
                        str(PYVIS_TIMEOUT),
                        "--json",
                        str(Path(tmp) / "v.json"),
                    ]
                ),
                PYVIS_TIMEOUT,
            )
    _print(rows)
    data_out = {
        "size": a.size,
        "services": services,
        "flows": flows,
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "missed": missed,
        "rows": rows,
    }
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / f"all-{a.size}.json").write_text(json.dumps(data_out, indent=2, default=str))
    (a.out / f"all-{a.size}.md").write_text(_markdown(data_out))
    print(f"\nwrote {a.out / f'all-{a.size}.md'} and .json")
    return 0


def _neo4j(a, plan: dict, sized: list[str], data: Path, size: str) -> list[dict]:
    """The Neo4j import comparison, then path latency on the same server with ``data`` loaded."""
    from gridvoices.stores import neo4j_server

    from benchmarks import neo4j_import, neo4j_paths

    home = str(a.neo4j_home)
    opts = ["--home", home, "--heap", plan["heap"], "--per-row", str(plan["per_row"])]
    if plan.get("pagecache"):
        opts += ["--pagecache", plan["pagecache"]]
    # The path step connects to the benchmark's server, whatever NEO4J_* says.
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("NEO4J_")}
    saved_home = os.environ.get("GRIDVOICES_NEO4J_HOME")
    os.environ["GRIDVOICES_NEO4J_HOME"] = home
    try:
        out = [_row("neo4j import", size, r) for r in neo4j_import.main([*sized, *opts])]
        paths = neo4j_paths.main(
            [
                "--load",
                str(data),
                "--pairs",
                str(plan["pairs"]),
                "--baseline-pairs",
                str(plan["baseline"]),
            ]
        )
        return out + _paths_rows(size, paths)
    finally:
        os.environ.update(saved)
        if saved_home is None:
            os.environ.pop("GRIDVOICES_NEO4J_HOME", None)
        else:
            os.environ["GRIDVOICES_NEO4J_HOME"] = saved_home
        neo4j_server.stop(home)


if __name__ == "__main__":
    sys.exit(main())
