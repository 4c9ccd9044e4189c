"""Referral-path latency on Neo4j against the embedded store and NetworkX, on the same pairs.

    python -m benchmarks neo4j-paths [--pairs 300] [--seed 1] [--k 4] [--period P ...]
                                     [--subset P ...] [--load DIR] [--workspace DIR]
                                     [--json out.json]

Connects to the running local Neo4j (``GRIDVOICES_NEO4J_HOME``, or ``NEO4J_URI``) that
already holds the data, or imports ``--load DIR`` into it first. The embedded side is
``--workspace DIR`` if given, else a temporary workspace filled from ``--load DIR`` or
from the tables read back from Neo4j, so every engine answers over the same data.

Pairs are random (seeded) service/group ids. Each figure is wall-clock from the Python
call, as an analyst sees it: ``shortest_paths_cypher`` / ``referral_paths_cypher`` through
``gridvoices.queries.run.answer`` on Neo4j, the SQL forms on the embedded store, and NetworkX on an
in-memory graph built once (its build time printed apart). A few other pairs warm each
engine first (plan compilation, caches). Every engine's answers are compared pair by
pair; the table reports how many pairs agree and how many had a path.

The periods-subset row (``--subset``, default the first half of the stored periods) times
``shortest_paths`` over those periods on the same pairs, beside the rows over every period,
so the filtered and unfiltered figures come from one run (issue 17, P5b).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["main"]

_WARM_PAIRS = 10


def _percentiles(ts: list[float]) -> tuple[float, float]:
    # Same p95 convention as benchmarks/imports.py, so the figures compare.
    ts = sorted(ts)
    return statistics.median(ts), ts[max(0, int(len(ts) * 0.95) - 1)]


def _timed(call: Callable, pairs, warm) -> tuple[list[float], list]:
    for a, b in warm:
        call(a, b)
    ts, answers = [], []
    for a, b in pairs:
        t = time.perf_counter()
        answers.append(call(a, b))
        ts.append((time.perf_counter() - t) * 1000)
    return ts, answers


def _pairs(ends: list[str], n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [tuple(rng.sample(ends, 2)) for _ in range(n)]


def _subset(neo4j, given: list[str] | None) -> list[str]:
    if given == ["none"]:
        return []
    if given:
        return sorted(given)
    stored = neo4j.periods()
    return stored[: len(stored) // 2] if len(stored) > 1 else []


def _subset_rows(neo4j, subset, pairs, warm, base, tables, embedded, answer) -> list[dict]:
    """shortest_paths over ``subset`` on Neo4j (and NetworkX on the baseline pairs)."""
    from gridvoices.queries.graph import build_graph
    from gridvoices.queries.paths.forms import shortest_paths

    step = f"shortest_paths {'+'.join(subset)}"
    ts, neo = _timed(
        lambda s, t: answer(neo4j, "shortest_paths", s, t, periods=subset, engine="cypher"),
        pairs,
        warm,
    )
    row = {**_neo4j_row(step, ts, neo), "periods": subset}
    if not base:
        return [row]
    G = build_graph(tables, subset)
    sql = [answer(embedded, "shortest_paths", s, t, periods=subset, engine="sql") for s, t in base]
    ref = [shortest_paths(G, s, t) for s, t in base]
    row.update(
        embedded_p50_ms=float("nan"),
        embedded_p95_ms=float("nan"),
        baseline_pairs=len(base),
        agree_with_networkx=sum(x == y for x, y in zip(neo, ref, strict=False)),
        embedded_agree_with_networkx=sum(x == y for x, y in zip(sql, ref, strict=True)),
    )
    return [row]


def _neo4j_row(step: str, times: list[float], answers: list) -> dict:
    p50, p95 = _percentiles(times)
    return {
        "step": step,
        "engine": "neo4j",
        "p50_ms": p50,
        "p95_ms": p95,
        "pairs": len(answers),
        "with_path": sum(1 for x in answers if x),
    }


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks neo4j-paths")
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--k", type=int, default=4, help="hops for referral_paths (default 4)")
    ap.add_argument("--period", action="append", help="a period to restrict flows to; repeatable")
    ap.add_argument(
        "--subset",
        action="append",
        help="periods of the periods-subset shortest_paths row; repeatable "
        "(default the first half of the stored periods; 'none' skips the row)",
    )
    ap.add_argument("--load", type=Path, help="import this data folder into Neo4j first")
    ap.add_argument("--workspace", type=Path, help="an embedded workspace holding the same data")
    ap.add_argument(
        "--baseline-pairs",
        type=int,
        help="time the embedded and NetworkX forms on only the first N of the pairs "
        "(default all; 0 skips them: seconds per pair at national scale)",
    )
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)

    from gridvoices.queries.graph import build_graph
    from gridvoices.queries.paths.forms import referral_paths, shortest_paths
    from gridvoices.queries.run import answer
    from gridvoices.stores.neo4j_store import Neo4jStore
    from gridvoices.stores.sqlite_store import SQLiteStore
    from gridvoices.stores.store import import_paths

    rows: list[dict] = []
    periods = a.period
    with tempfile.TemporaryDirectory() as tmp, Neo4jStore.connect() as neo4j:
        if a.load:
            t = time.perf_counter()
            import_paths(neo4j, [a.load])
            print(f"imported {a.load} into Neo4j in {time.perf_counter() - t:.0f} s")
        ends = [
            r["id"] for r in neo4j.query("MATCH (n:Service|Group) RETURN n.id AS id ORDER BY id")
        ]
        pairs = _pairs(ends, a.pairs, a.seed)
        # Warm-up pairs come from another seed so no timed pair is pre-cached.
        warm = _pairs(ends, _WARM_PAIRS, a.seed + 1_000_003)
        base = pairs[: len(pairs) if a.baseline_pairs is None else a.baseline_pairs]
        embedded, tables = None, None
        if base:
            embedded = SQLiteStore((a.workspace or Path(tmp)) / "gridvoices.sqlite")
            if a.load and not a.workspace:
                import_paths(embedded, [a.load])
            elif not a.workspace:
                embedded.write(neo4j.read())
            tables = embedded.read()
        t = time.perf_counter()
        G = build_graph(tables, periods) if tables is not None else None
        build_s = time.perf_counter() - t
        rels = neo4j.query("MATCH ()-[r:REFERS]->() RETURN count(r) AS n")[0]["n"]

        queries = (
            ("shortest_paths", {}, shortest_paths),
            (f"referral_paths k<={a.k}", {"k": a.k}, referral_paths),
        )
        for step, kw, graph_form in queries:
            name = step.split()[0]

            def on(store, engine, name=name, kw=kw):
                return lambda s, t: answer(store, name, s, t, periods=periods, engine=engine, **kw)

            neo_ts, neo = _timed(on(neo4j, "cypher"), pairs, warm)
            row = _neo4j_row(step, neo_ts, neo)
            rows.append(row)
            if not base:
                continue
            warm_base = warm[: max(1, _WARM_PAIRS // 4)]
            sql_ts, sql = _timed(on(embedded, "sql"), base, warm_base)
            nx_ts, ref = _timed(lambda s, t, f=graph_form, kw=kw: f(G, s, t, **kw), base, warm_base)
            e50, e95 = _percentiles(sql_ts)
            row.update(
                embedded_p50_ms=e50,
                embedded_p95_ms=e95,
                baseline_pairs=len(base),
                agree_with_networkx=sum(x == y for x, y in zip(neo, ref, strict=False)),
                embedded_agree_with_networkx=sum(x == y for x, y in zip(sql, ref, strict=True)),
            )
            g50, g95 = _percentiles(nx_ts)
            rows.append(
                {
                    "step": step,
                    "engine": "networkx",
                    "p50_ms": g50,
                    "p95_ms": g95,
                    "pairs": len(base),
                    "with_path": sum(1 for x in ref if x),
                    "graph_build_s": build_s,
                }
            )
        subset = _subset(neo4j, a.subset)
        if subset:
            rows += _subset_rows(neo4j, subset, pairs, warm, base, tables, embedded, answer)
        if embedded is not None:
            embedded.close()

    scope = ", ".join(periods) if periods else "all periods"
    print(
        f"# referral paths, {len(pairs)} random pairs (seed {a.seed}) over {len(ends):,} "
        f"services and groups, {rels:,} REFERS relationships, {scope}"
    )
    print(
        f"{'step':20} {'engine':9} {'p50 ms':>8} {'p95 ms':>8} {'embedded p50':>13} "
        f"{'p95':>8} {'with path':>10} {'agree':>8}"
        "   (agree: answers equal to NetworkX's, Neo4j / embedded)"
    )
    for r in rows:
        emb, agree = f"{'':13} {'':8}", ""
        if "embedded_p50_ms" in r:
            emb = f"{r['embedded_p50_ms']:13.1f} {r['embedded_p95_ms']:8.1f}"
            agree = f"{r['agree_with_networkx']}/{r['embedded_agree_with_networkx']}"
        elif r["engine"] == "networkx":
            agree = "(ref)"
        print(
            f"{r['step']:20} {r['engine']:9} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {emb} "
            f"{r['with_path']:>10} {agree:>8}"
        )
    if base:
        print(
            f"embedded and NetworkX on the first {len(base)} pairs; "
            f"NetworkX graph built once in {build_s:.1f} s (not in its figures)"
        )
    if a.json:
        a.json.write_text(json.dumps({"rows": rows}, indent=2))
    return rows


if __name__ == "__main__":
    main()
