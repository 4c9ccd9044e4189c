"""Child processes for the benchmarks: what one costs, and data made without inflating it.

Linux counts the pages a process was forked from in the child's peak RSS (the old
memory map's high-water mark is kept at exec), so a parent that has held a national
data set would inflate every later child's figure. Generating in a child keeps the
parent small; :func:`run` then reports the child's own wall time, peak RSS and CPU.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

__all__ = ["Cost", "run", "generate"]


class Cost(NamedTuple):
    wall: float  # seconds
    peak_mb: float
    cpu: float  # user + system seconds: what a shared machine disturbs least


def run(cmd: list[str], *, env: dict[str, str] | None = None, quiet: bool = True, cwd=None) -> Cost:
    """Run ``cmd`` to the end; its cost from its own rusage (via wait4). Fails on exit != 0."""
    t = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL if quiet else None, env=env, cwd=cwd)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise subprocess.CalledProcessError(code, cmd)
    return Cost(wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def generate(folder: Path, services: int, flows: int, *, seed: int = 1, planted=False) -> Path:
    """:func:`loaders.generate.write_ecosystem` in a child process; the folder written."""
    make = (
        "from gridvoices.loaders.generate import write_ecosystem; "
        f"write_ecosystem({str(folder)!r}, {services}, {flows}, seed={seed}, planted={planted})"
    )
    subprocess.run([sys.executable, "-c", make], check=True)
    return Path(folder)
