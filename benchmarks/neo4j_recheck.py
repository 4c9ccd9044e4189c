"""What re-checking references inside the write transaction costs on Neo4j (issue 15).

    python -m benchmarks neo4j-recheck [--services 50000] [--flows 1000000] [--repeat 3]

Uses the running local Neo4j (``GRIDVOICES_NEO4J_HOME``, or ``NEO4J_URI``) and EMPTIES its
database. Imports a generated ecosystem (the bulk path), then runs
:func:`gridvoices.stores.check.recheck_written` for that import - the statements a re-import
of the same data runs inside its one transaction before committing - in a transaction of
its own, ``--repeat`` times. Prints the import's time and the re-check's median and slowest
beside it, and whether it found anything (it must not: every reference resolves).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.process import generate

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks neo4j-recheck")
    ap.add_argument("--services", type=int, default=50_000)
    ap.add_argument("--flows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)

    from gridvoices.loaders.provenance import Source  # noqa: F401  (import cost outside timing)
    from gridvoices.stores.check import recheck_written
    from gridvoices.stores.neo4j_store import Neo4jStore
    from gridvoices.stores.store import import_paths

    with tempfile.TemporaryDirectory() as tmp, Neo4jStore.connect() as store:
        data = generate(Path(tmp) / "data", a.services, a.flows)
        store.clear()
        t = time.perf_counter()
        import_paths(store, [data], source_name="big")
        took = time.perf_counter() - t
        (src,) = store.query("MATCH (s:Source {name: 'big'}) RETURN s.import_id AS imp")
        rows = {k: len(v) for k, v in store.read().items()}
        secs, found = [], []
        for _ in range(a.repeat):
            with store.driver.session(database=store.database) as s:
                t = time.perf_counter()
                found = s.execute_read(lambda tx: recheck_written(tx, rows, src["imp"]))
                secs.append(time.perf_counter() - t)
        store.clear()
    print(
        f"# in-transaction reference re-check, {a.services:,} services / {a.flows:,} flows "
        f"({sum(rows.values()):,} rows)"
    )
    print(f"import (bulk path, empty database): {took:.1f} s")
    print(
        f"re-check: median {statistics.median(secs):.2f} s, slowest {max(secs):.2f} s "
        f"over {len(secs)} runs; problems found: {len(found)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
