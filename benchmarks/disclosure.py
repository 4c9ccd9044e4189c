"""What disclosure control hides and costs, on the shipped data and on a generated ecosystem.

python -m benchmarks disclosure [--services 40 --flows 250 --seed 3] [--no-outputs] [--json F]

For each data set: the figures the layer protects (every answer's sums for all periods,
each period and every contiguous range), how many the 1-4 rule hides, how many
complements are added, how many hidden figures of 1-4 were exposed before the complements
and are now (exact, rational), the share of referrals in period cells that is hidden (by
the rule alone and now), the protection's CPU time, and the audit of every output of the
runs for all periods, each period and every range together (the outputs read back: the
JSON export, summary, barriers, feedback, the views' pages, the report), with and without
the complements.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from gridvoices.ecosystem.disclosure import exposed_figures, primary, protect, secondary
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries.disclosure import edge_cells, figures, period_spans
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.disclosure_audit import audit

from gridvoices.demo import DEMO_DATA


def measure(data: Path, label: str, *, outputs: bool = True) -> dict:
    report, tables = validate_paths([data])
    assert report.valid, report.lines(5)
    G = build_graph(tables)
    figs = figures(G)
    t = time.process_time()
    p = protect(figs)
    cpu = time.process_time() - t
    parts = {f.key: f.parts for f in figs}
    rule = primary(figs)
    cells = {c: n for u, v, d in G.edges(data=True) for c, n in edge_cells(u, v, d).items()}
    total = sum(cells.values())
    one = {f.parts[0]: f.key for f in figs if f.key[0] == "cell"}

    def lost(hidden) -> float:
        return sum(n for c, n in cells.items() if one[c] in hidden) / total

    row = {
        "data": label,
        "cells": len(cells),
        "figures": len(figs),
        "distinct": len({f.cells for f in figs}),
        "hidden_by_rule": len(p.primary),
        "complements": len(p.secondary),
        "exposed_before": len(exposed_figures(parts, rule, rule)),
        "exposed_now": len(exposed_figures(parts, p.hidden, p.primary)),
        "lost_rule": round(100 * lost(rule), 1),
        "lost_now": round(100 * lost(p.hidden), 1),
        # Totals (figures of several cells, ranges left out): the coarse protection hides many.
        "totals_hidden_pct": round(100 * totals_hidden(figs, p.hidden), 1),
        # How protect() went about it: one exact search, closed period-pair sub-tables,
        # sub-tables checked and repaired, or hypercubes (secondary.method).
        "search": secondary.method(figs),
        "protect_cpu_s": round(cpu, 1),
    }
    if outputs:
        runs = [
            None if keep is None else sorted(keep) for _, keep in period_spans(G.graph["periods"])
        ]
        t = time.process_time()
        now = audit(tables, runs)
        row["audit_cpu_s"] = round(time.process_time() - t, 1)
        row["audit_runs"] = len(runs)
        row["audit_published"], row["audit_hidden"] = now.published, now.hidden
        row["audit_hidden_small"], row["audit_exposed"] = now.sensitive, len(now.exposed)
        row["audit_exposed_by_rule"] = len(audit(tables, runs, secondary=False).exposed)
    return row


def totals_hidden(figs, hidden) -> float:
    """The share of distinct totals (several cells, all periods or one) shown as ``*``."""
    totals = {f.cells: f.key for f in figs if len(f.parts) > 1 and f.weight == 1.0}
    return sum(k in hidden for k in totals.values()) / max(len(totals), 1)


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks disclosure")
    ap.add_argument("--services", type=int, default=40)
    ap.add_argument("--flows", type=int, default=250)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--no-outputs", action="store_true", help="skip the audit of every output")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    rows = [measure(DEMO_DATA, "derbyshire", outputs=not a.no_outputs)]
    with tempfile.TemporaryDirectory() as tmp:
        gen = write_ecosystem(Path(tmp), a.services, a.flows, seed=a.seed)
        label = f"generated {a.services}/{a.flows} seed {a.seed}"
        rows.append(measure(gen, label, outputs=not a.no_outputs))
    for r in rows:
        print(" ".join(f"{k}={v}" for k, v in r.items()))
    if a.json:
        a.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return rows
