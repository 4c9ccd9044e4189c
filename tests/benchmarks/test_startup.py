"""Smoke run of ``python -m benchmarks startup``: it runs and prints a row per command.

Never checks a time (the machines are shared); the figures are for people.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_startup_one_repetition(tmp_path):
    out = tmp_path / "startup.json"
    cmd = [sys.executable, "-m", "benchmarks", "startup", "--repeat", "1"]
    cmd += ["--only", "summary,paths", "--top", "5", "--json", str(out)]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    lines = res.stdout.splitlines()
    assert [ln.split()[0] for ln in lines if ln.startswith(("summary ", "paths "))] == [
        "summary",
        "paths",
    ]
    assert "import-time profile" in res.stdout
    data = json.loads(out.read_text())
    assert [r["command"] for r in data["rows"]] == ["summary", "paths"]
    assert {"seconds", "ratio_pass", "target", "met"} <= set(data["rows"][0])
    assert len(data["profile"]) == 5
    assert data["baseline"]["byte_compiled"] is True  # as an installed package is


def test_startup_rejects_an_unknown_command():
    cmd = [sys.executable, "-m", "benchmarks", "startup", "--only", "nosuch"]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert "unknown command(s) nosuch" in res.stderr
