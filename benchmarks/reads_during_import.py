"""How long a reader waits while an import writes (issue 15): ``gridvoices summary`` in a loop
while a large import runs into the same embedded workspace.

    python benchmarks/reads_during_import.py DATA_DIR [--workspace WS]

The workspace first holds the tiny fixture, so every read has an answer. Prints the
number of reads, failures, and the median and slowest read in seconds, alone and during
the import.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GV = [sys.executable, "-m", "gridvoices.cli.interrupts"]


def _read(ws: Path) -> tuple[float, bool]:
    t = time.perf_counter()
    done = subprocess.run(
        [*GV, "summary", "-w", str(ws), "--json"], capture_output=True, text=True, check=False
    )
    return time.perf_counter() - t, done.returncode == 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", type=Path)
    ap.add_argument("--workspace", type=Path)
    a = ap.parse_args()
    ws = a.workspace or Path(tempfile.mkdtemp()) / "ws"
    subprocess.run(
        [*GV, "import", str(ROOT / "tests/fixtures/tiny"), "-w", str(ws), "-q"], check=True
    )
    alone = [_read(ws)[0] for _ in range(3)]
    start = time.perf_counter()
    writer = subprocess.Popen([*GV, "import", str(a.data), "-w", str(ws), "-q", "--source", "big"])
    during, failed = [], 0
    while writer.poll() is None:
        secs, ok = _read(ws)
        if writer.poll() is None or ok:
            during.append(secs)
            failed += not ok
    took = time.perf_counter() - start
    print(f"import: {took:.1f} s, exit {writer.returncode}")
    print(f"reads alone: median {statistics.median(alone):.2f} s, slowest {max(alone):.2f} s")
    if during:
        print(
            f"reads during the import: {len(during)}, failed {failed}, median "
            f"{statistics.median(during):.2f} s, slowest {max(during):.2f} s"
        )


if __name__ == "__main__":
    main()
