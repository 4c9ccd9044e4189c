"""``python -m benchmarks NAME [options]``: run one benchmark script."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "all",
    "startup",
    "analyses",
    "centrality",
    "full",
    "imports",
    "p2",
    "views",
    "disclosure",
    "neo4j-paths",
    "neo4j-import",
    "neo4j-reads-during-import",
    "neo4j-recheck",
)

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in BENCHMARKS:
        sys.exit(f"usage: python -m benchmarks {{{'|'.join(BENCHMARKS)}}} [options]")
    code = importlib.import_module(f"benchmarks.{sys.argv[1].replace('-', '_')}").main(sys.argv[2:])
    sys.exit(code if isinstance(code, int) else 0)
