"""Importing into Neo4j: ``gridvoices import --store neo4j`` against LOAD CSV and a per-row loader.

    python -m benchmarks neo4j-import [--services 50000 --flows 1000000] [--home DIR]

Starts its own local Neo4j (``--home``, default ``~/.cache/gridvoices/neo4j-bench``;
its database is emptied between runs, so never point it at a home whose data
matters), generates a seeded ecosystem, copies the CSV files into the
server's import folder and measures in one run, the database emptied before each:

* ``LOAD CSV … CALL { … } IN TRANSACTIONS OF 10000 ROWS`` of every file: nodes
  with their properties, their RUN_BY / IN_DISTRICT / BASED_AT links, one
  REFERS per referral row (MATCH both ends by the unique id, CREATE), peer
  links and BORDERS. This is the baseline.
* One transaction per row, on the first ``--per-row`` flows, extrapolated
  to every row of every file.
* ``gridvoices import DIR --store neo4j`` as a fresh process (what a user
  runs), and the same import in process, split into read + validate,
  client-side work (grouping and packing: the process's CPU time) and the
  rest (server and network).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from gridvoices.stores import neo4j_server
from gridvoices.stores.neo4j_store import REBUILD_BORDERS, Neo4jStore

from benchmarks.process import generate, run

__all__ = ["main"]

_SRC = {"src": "benchmark", "imp": "load-csv"}
_EVERY = "IN TRANSACTIONS OF 10000 ROWS"
_LIST = "CASE WHEN row.{c} IS NULL THEN [] ELSE split(row.{c}, ';') END"

# (file, statement); $url is the file's URL in the server's import folder.
LOAD_CSV = (
    (
        "districts",
        f"""LOAD CSV WITH HEADERS FROM $url AS row CALL (row) {{
CREATE (:Entity:District {{id: row.id, name: row.name, borders: {_LIST.format(c="borders")},
        _source: $src, _import: $imp}}) }} {_EVERY}""",
    ),
    (
        "organisations",
        f"""LOAD CSV WITH HEADERS FROM $url AS row CALL (row) {{
CREATE (:Entity:Organisation {{id: row.id, name: row.name, kind: row.kind,
        commissioned: row.commissioned = 'yes', _source: $src, _import: $imp}}) }} {_EVERY}""",
    ),
    (
        "services",
        f"""LOAD CSV WITH HEADERS FROM $url AS row CALL (row) {{
CREATE (n:Entity:Service {{id: row.id, name: row.name, organisation: row.organisation,
        districts: {_LIST.format(c="districts")}, domain: row.domain,
        chime: {_LIST.format(c="chime")}, lived_experience_led: row.lived_experience_led = 'yes',
        active: row.active = 'yes', _source: $src, _import: $imp}})
WITH n, row
MATCH (o:Entity {{id: row.organisation}}) CREATE (n)-[:RUN_BY]->(o)
WITH n, row
UNWIND {_LIST.format(c="districts")} AS d
MATCH (dd:Entity {{id: d}}) CREATE (n)-[:IN_DISTRICT]->(dd) }} {_EVERY}""",
    ),
    (
        "groups",
        f"""LOAD CSV WITH HEADERS FROM $url AS row CALL (row) {{
CREATE (n:Entity:Group {{id: row.id, name: row.name, fellowship: row.fellowship,
        district: row.district, cadence: row.cadence, _source: $src, _import: $imp}})
WITH n, row
MATCH (d:Entity {{id: row.district}}) CREATE (n)-[:IN_DISTRICT]->(d) }} {_EVERY}""",
    ),
    (
        "navigators",
        f"""LOAD CSV WITH HEADERS FROM $url AS row CALL (row) {{
CREATE (n:Entity:Navigator {{id: row.id, role: row.role,
        lived_experience: row.lived_experience = 'yes', based_at: row.based_at,
        _source: $src, _import: $imp}})
WITH n, row
MATCH (b:Entity {{id: row.based_at}}) CREATE (n)-[:BASED_AT]->(b) }} {_EVERY}""",
    ),
    (
        "referrals",
        f"""LOAD CSV WITH HEADERS FROM $url AS row CALL (row) {{
MATCH (a:Entity {{id: row.source}})
MATCH (b:Entity {{id: row.target}})
CREATE (a)-[:REFERS {{periods: [row.period], counts: [toInteger(row.count)],
        accepted: [coalesce(toInteger(row.accepted), -1)], sources: [$src], imports: [$imp],
        total: toInteger(row.count)}}]->(b) }} {_EVERY}""",
    ),
    (
        "peer_links",
        f"""LOAD CSV WITH HEADERS FROM $url AS row CALL (row) {{
MATCH (a:Entity {{id: row.source}})
MATCH (b:Entity {{id: row.target}})
CREATE (a)-[:PEER_LINK {{kind: row.kind, strength: coalesce(toFloat(row.strength), 1.0),
        _source: $src, _import: $imp}}]->(b) }} {_EVERY}""",
    ),
)

PER_ROW = """
MATCH (a:Entity {id: $source})
MATCH (b:Entity {id: $target})
CREATE (a)-[:REFERS {periods: [$period], counts: [$count], accepted: [$accepted],
        sources: [$src], imports: [$imp], total: $count}]->(b)
"""

COUNTS = """
CALL () { MATCH (n:Entity) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
CALL () { MATCH ()-[r:REFERS]->() RETURN count(r) AS refers }
RETURN nodes, relationships, refers
"""


def _load_csv(store: Neo4jStore, folder: str) -> float:
    t = time.perf_counter()
    with store.driver.session(database=store.database) as s:
        for name, q in LOAD_CSV:
            s.run(q, url=f"file:///{folder}/{name}.csv", **_SRC).consume()
        s.run(REBUILD_BORDERS).consume()
    return time.perf_counter() - t


def _per_row(store: Neo4jStore, data: Path, n: int) -> tuple[float, int]:
    """Seconds for ``n`` flows, one transaction each (the nodes must be in place)."""
    import pandas as pd

    rows = pd.read_csv(data / "referrals.csv", nrows=n, dtype=str, keep_default_na=False)
    t = time.perf_counter()
    with store.driver.session(database=store.database) as s:
        for r in rows.itertuples(index=False):
            s.execute_write(
                lambda tx, r=r: tx.run(
                    PER_ROW,
                    source=r.source,
                    target=r.target,
                    period=r.period,
                    count=int(r.count),
                    accepted=int(r.accepted) if r.accepted else -1,
                    **_SRC,
                ).consume()
            )
    return time.perf_counter() - t, len(rows)


def _in_process(store: Neo4jStore, data: Path) -> dict[str, float]:
    """Where the time of an import goes: read + validate, client work, server (and network)."""
    from gridvoices.loaders.provenance import source_for
    from gridvoices.loaders.sources import read_sources
    from gridvoices.loaders.validate import validate_tables

    t = time.perf_counter()
    raw, _, read = read_sources([data])
    report, typed = validate_tables(raw, existing_ids=store.existing_ids())
    assert report.valid, report.lines(5)
    validated = time.perf_counter() - t
    cpu, t = time.process_time(), time.perf_counter()
    store.write(typed, source=source_for(read, "benchmark"))
    write = time.perf_counter() - t
    client = time.process_time() - cpu
    return {"read+validate": validated, "client": client, "server": write - client}


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks neo4j-import")
    ap.add_argument("--services", type=int, default=5000)
    ap.add_argument("--flows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-row", type=int, default=2000, help="flows to time one tx per row")
    ap.add_argument(
        "--home",
        type=Path,
        default=Path.home() / ".cache" / "gridvoices" / "neo4j-bench",
        help="the benchmark's own Neo4j home (its database is emptied)",
    )
    ap.add_argument("--heap", default="4g")
    ap.add_argument("--pagecache", default="256m", help="the server's page cache")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    info = neo4j_server.start(home=a.home, heap=a.heap, pagecache=a.pagecache)
    user, password = info.auth()
    # The CLI child finds this server through its home; no password in argv.
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["GRIDVOICES_NEO4J_HOME"] = str(info.home)
    store = Neo4jStore.connect(info.uri, user, password)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = generate(Path(tmp) / "data", a.services, a.flows, seed=a.seed)
        total_rows = sum(sum(1 for _ in open(f, encoding="utf-8")) - 1 for f in data.glob("*.csv"))
        folder = f"bench-{os.getpid()}"
        shutil.copytree(data, info.home / "import" / folder)
        try:
            store.clear()
            base = _load_csv(store, folder)
            csv_counts = store.query(COUNTS)[0]
            rows.append(
                {"step": "LOAD CSV IN TRANSACTIONS (all files)", "seconds": base, **csv_counts}
            )
            with store.driver.session(database=store.database) as sess:
                sess.run(
                    "MATCH ()-[r:REFERS]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS"
                ).consume()
            sample, n = _per_row(store, data, a.per_row)
            per_row = sample / n * total_rows
            rows.append(
                {"step": f"one tx per row ({n} timed, x {total_rows} rows)", "seconds": per_row}
            )
            store.clear()
            cost = run(
                [
                    sys.executable,
                    "-m",
                    "gridvoices.cli.main",
                    "import",
                    str(data),
                    "--store",
                    "neo4j",
                    "-q",
                    "--source",
                    "benchmark",
                ],
                env=env,
            )
            ours = {"seconds": cost.wall, "peak_mb": cost.peak_mb, **store.query(COUNTS)[0]}
            rows.append({"step": "gridvoices import --store neo4j", **ours})
            rows.append({"step": "  vs LOAD CSV", "vs": "LOAD CSV", "ratio": base / cost.wall})
            rows.append(
                {"step": "  vs one tx per row", "vs": "per row", "ratio": per_row / cost.wall}
            )
            store.clear()
            for step, seconds in _in_process(store, data).items():
                rows.append({"step": f"  in process: {step}", "seconds": seconds})
            store.clear()
        finally:
            shutil.rmtree(info.home / "import" / folder, ignore_errors=True)
            store.close()
    size = f"{a.services} services / {a.flows} flows ({total_rows} rows)"
    print(f"# Neo4j import, {size}")
    print(f"{'step':48} {'seconds':>9} {'peak MB':>8} {'ratio':>8}  graph")
    for r in rows:
        secs = f"{r['seconds']:9.2f}" if "seconds" in r else " " * 9
        mb = f"{r['peak_mb']:8.0f}" if "peak_mb" in r else " " * 8
        ratio = f"{r['ratio']:.1f}x" if "ratio" in r else ""
        graph = (
            f"{r['nodes']} nodes, {r['relationships']} rels ({r['refers']} REFERS)"
            if "nodes" in r
            else ""
        )
        print(f"{r['step']:48} {secs} {mb} {ratio:>8}  {graph}")
    if a.json:
        a.json.write_text(json.dumps({"size": size, "rows": rows}, indent=2))
    return rows


if __name__ == "__main__":
    main()
