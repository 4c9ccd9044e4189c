"""P2 (issue 17): the embedded import against ``pandas.read_csv`` of the same flows, in one run.

    python -m benchmarks p2 [--services 50000 --flows 1000000] [--data DIR] [--rounds 3]
        [--baseline-python PY --baseline-cwd CHECKOUT] [--split]

Each round runs, each in a fresh process, ``python -c "import pandas;
pandas.read_csv('referrals.csv')"`` and ``python -m gridvoices.cli.main import DATA -w WS -q``
into a fresh workspace (all or nothing, indexes and the compact graph included), alternating so
that a shared machine's load falls on both alike; the medians and their ratio (wall and CPU)
are printed. ``--baseline-python``/``--baseline-cwd`` add the same import run by another
checkout (e.g. main, with its own environment) in the same rounds. ``--split`` then times the
import's stages in one more process (:mod:`benchmarks.import_split`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.process import generate, run

__all__ = ["main", "TARGET"]

TARGET = 3.0  # import wall time / read_csv wall time


def _env() -> dict[str, str]:
    # The code measured is the checkout's own: nothing else put on the path.
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def _import(python: str, data: Path, ws: Path) -> list[str]:
    return [python, "-m", "gridvoices.cli.main", "import", str(data), "-w", str(ws), "-q"]


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks p2")
    ap.add_argument("--services", type=int, default=50_000)
    ap.add_argument("--flows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path, help="An existing generated folder (else generated).")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline-python", help="Interpreter of a second checkout to compare.")
    ap.add_argument("--baseline-cwd", type=Path, help="That checkout (the import runs there).")
    ap.add_argument("--split", action="store_true", help="Also time the import's stages.")
    a = ap.parse_args(argv)
    here = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        data = a.data or generate(Path(tmp) / "data", a.services, a.flows, seed=a.seed)
        data = Path(data).resolve()
        ws = Path(tmp) / "ws"
        read = [sys.executable, "-c", "import pandas; pandas.read_csv('referrals.csv')"]
        steps = {
            "pandas.read_csv referrals.csv": (read, data),
            "gridvoices import (this checkout)": (_import(sys.executable, data, ws), here),
        }
        if a.baseline_python:
            steps["gridvoices import (baseline)"] = (
                _import(a.baseline_python, data, ws),
                a.baseline_cwd,
            )
        walls: dict[str, list[float]] = {k: [] for k in steps}
        cpus: dict[str, list[float]] = {k: [] for k in steps}
        load = [os.getloadavg()[0]]
        for _ in range(a.rounds):
            for name, (cmd, cwd) in steps.items():
                shutil.rmtree(ws, ignore_errors=True)
                cost = run(cmd, env=_env(), cwd=cwd)
                walls[name].append(cost.wall)
                cpus[name].append(cost.cpu)
        load.append(os.getloadavg()[0])
        base = statistics.median(walls["pandas.read_csv referrals.csv"])
        base_cpu = statistics.median(cpus["pandas.read_csv referrals.csv"])
        print(
            f"# P2, {data} ({a.rounds} alternating rounds, medians; load {load[0]:.1f} -> "
            f"{load[1]:.1f})"
        )
        print(f"{'step':36} {'wall s':>7} {'CPU s':>6} {'ratio':>6} {'CPU ratio':>9}  runs")
        out = {}
        for name in steps:
            w, c = statistics.median(walls[name]), statistics.median(cpus[name])
            out[name] = {"wall": w, "cpu": c, "ratio": w / base, "cpu_ratio": c / base_cpu}
            runs = " ".join(f"{x:.2f}" for x in walls[name])
            print(f"{name:36} {w:7.2f} {c:6.2f} {w / base:5.1f}x {c / base_cpu:8.1f}x  {runs}")
        ratio = out["gridvoices import (this checkout)"]["ratio"]
        print(f"target <= {TARGET:g}x: {'met' if ratio <= TARGET else 'NOT met'} ({ratio:.1f}x)")
        if a.split:
            print("# stages of one more import (this checkout)")
            subprocess.run(
                [sys.executable, "-m", "benchmarks.import_split", str(data), str(ws)],
                check=True,
                cwd=here,
                env=_env(),
            )
    return out


if __name__ == "__main__":
    main()
