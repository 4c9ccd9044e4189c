"""Smoke run of ``python -m benchmarks p2``: it runs, prints both medians, the ratio and the
stages of an import. Never checks a time (the machines are shared)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_p2_one_round_with_split():
    cmd = [sys.executable, "-m", "benchmarks", "p2", "--services", "200", "--flows", "2000"]
    cmd += ["--rounds", "1", "--split"]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    steps = [ln.split("  ")[0] for ln in res.stdout.splitlines()]
    assert "pandas.read_csv referrals.csv" in steps
    assert "gridvoices import (this checkout)" in steps
    assert any(ln.startswith("target <= 3x: ") for ln in res.stdout.splitlines())
    for stage in ("read CSV files", "validation", "write: row inserts", "write: total"):
        assert stage in res.stdout, stage
