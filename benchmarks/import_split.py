"""Where one embedded import's time goes, stage by stage (run in a child by ``benchmarks p2``).

    python -m benchmarks.import_split DATA WORKSPACE

Wraps the stages of :func:`gridvoices.stores.store.import_paths` with wall and CPU clocks
(no profiler, so no profiler overhead) and prints one line per stage. The stage names
follow the private helpers of ``stores.sqlite_store``; a renamed helper shows as absent.
"""

from __future__ import annotations

import functools
import shutil
import sys
import time

__all__ = ["main"]

_T0 = (time.perf_counter(), time.process_time())


def main(argv: list[str]) -> None:
    data, ws = argv
    shutil.rmtree(ws, ignore_errors=True)
    import gridvoices.cli.main  # noqa: F401  what the CLI loads before any work

    spent: dict[str, list[float]] = {}

    def timed(owner, name: str, label: str) -> None:
        f = getattr(owner, name, None)
        if f is None:
            return

        @functools.wraps(f)
        def wrapper(*a, **k):
            t, c = time.perf_counter(), time.process_time()
            try:
                return f(*a, **k)
            finally:
                x = spent.setdefault(label, [0.0, 0.0])
                x[0] += time.perf_counter() - t
                x[1] += time.process_time() - c

        static = isinstance(getattr(owner, "__dict__", {}).get(name), staticmethod)
        setattr(owner, name, staticmethod(wrapper) if static else wrapper)

    from pathlib import Path

    # What the import loads on its way (pandas among it) is counted here, not in a stage.
    import gridvoices.loaders.sources  # noqa: F401
    from gridvoices.loaders import csvfiles, validate
    from gridvoices.stores import sqlite_store as sq
    from gridvoices.stores import store as st

    spent["module imports (CLI, pandas, numpy)"] = [
        time.perf_counter() - _T0[0],
        time.process_time() - _T0[1],
    ]

    timed(csvfiles, "read_csv_file", "read CSV files")
    timed(validate, "validate_tables", "validation")
    timed(sq, "_categories", "write: factorize key columns")
    timed(sq, "_key_order", "write: key-order sort")
    timed(sq, "_to_sql", "write: column conversion")
    timed(sq.SQLiteStore, "_upsert", "write: row inserts (incl. sort, conversion)")
    timed(sq.SQLiteStore, "_merge_flows", "write: flow columns (encode + upsert)")
    timed(sq.SQLiteStore, "_save_flows", "write: flow columns (save BLOBs)")
    timed(sq.SQLiteStore, "_replace_stale", "write: replace the source's stale rows")
    timed(sq.SQLiteStore, "_recheck", "write: reference re-check")
    timed(sq.SQLiteStore, "_rewrite_adjacency", "write: compact graph (build + save)")
    timed(sq.SQLiteStore, "write", "write: total, COMMIT included")
    timed(st, "import_paths", "import (read, validate, write)")
    from gridvoices.cli.bulk_memory import for_bulk_import

    for_bulk_import()  # as the `import` command does before its work
    store = sq.SQLiteStore(Path(ws) / "gridvoices.sqlite")
    st.import_paths(store, [Path(data)])
    store.close()
    spent["process total"] = [time.perf_counter() - _T0[0], time.process_time() - _T0[1]]
    for label, (wall, cpu) in spent.items():
        print(f"{label:46} wall {wall:6.2f} s  CPU {cpu:6.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
