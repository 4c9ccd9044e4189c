"""Cold CLI on the shipped Derbyshire data (issue 17, P7): every command from a fresh process.

    python -m benchmarks startup [--repeat 5] [--only summary,paths] [--cache on|off]
                                 [--top 15] [--json out.json] [--no-compile]

Imports the shipped illustrative data (the demo's data) into a temporary workspace, then
runs each command ``--repeat`` times as a whole process (the ``gridvoices`` console script)
and reports the median wall time beside the medians of ``python -c pass`` and
``python -c "import gridvoices"`` measured in the same run, as ratios. The disclosure
protection is remembered on disk by content hash; each command is run once untimed first so
the figures are with that cache warm, and ``--cache off`` sets ``GRIDVOICES_CACHE=off`` for
every run (the cost without it). The package is byte-compiled first, as ``pip install``
does (a checkout run with ``PYTHONDONTWRITEBYTECODE`` set, as in the engineers' sessions,
would otherwise compile ~55 modules from source on every run); ``--no-compile`` skips
that. Last, the slowest command (against its target) is run once
under ``python -X importtime`` and the modules that took longest to import (cumulative) are
listed: where the remaining start-up time goes.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.process import run

__all__ = ["main", "COMMANDS", "TARGETS", "import_profile"]

# The targets of issue 17's P7 row, seconds (median of whole-process runs).
QUESTION_S, ANALYSIS_S, VIEW_S, REPORT_S = 0.3, 1.0, 1.5, 2.0

# name -> arguments after the command; {out} is a per-run output folder.
COMMANDS: dict[str, list[str]] = {
    "summary": ["summary"],
    "paths": ["paths", "Lantern Recovery Hub", "svc-housing-av", "-k", "3"],
    "isolated": ["isolated"],
    "barriers": ["barriers"],
    "coverage": ["coverage"],
    "contagion": ["contagion"],
    "metrics": ["metrics"],
    "index": ["index"],
    "compare": ["compare", "2024-Q1..2024-Q2", "2024-Q3..2024-Q4"],
    "whatif": ["whatif", "--close", "svc-housing-av"],
    "feedback": ["feedback"],
    "view": ["view", "network", "-o", "{out}/network.html"],
    "report": ["report", "-q", "-o", "{out}/report.html"],
}
TARGETS: dict[str, float] = {
    **dict.fromkeys(("summary", "paths", "isolated"), QUESTION_S),
    **dict.fromkeys(
        ("barriers", "coverage", "contagion", "metrics", "index", "compare", "whatif", "feedback"),
        ANALYSIS_S,
    ),
    "view": VIEW_S,
    "report": REPORT_S,
}


def _median(cmd: list[str], repeat: int, env: dict[str, str], cwd: Path) -> dict:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, _mb, cpu = _run_in(cmd, env, cwd)
        walls.append(wall)
        cpus.append(cpu)
    return {
        "seconds": statistics.median(walls),
        "cpu_seconds": statistics.median(cpus),
        "runs": [round(w, 3) for w in walls],
    }


def _run_in(cmd: list[str], env: dict[str, str], cwd: Path):
    # benchmarks.process.run runs in the current folder; the CLI must run in the workspace's
    # (never in a checkout, whose code would shadow the installed one).
    here = Path.cwd()
    os.chdir(cwd)
    try:
        return run(cmd, env=env)
    finally:
        os.chdir(here)


def import_profile(cmd: list[str], env: dict[str, str], cwd: Path, top: int) -> list[dict]:
    """The ``top`` modules by cumulative import time (``-X importtime``) of one run of ``cmd``.

    ``cmd`` starts with the interpreter; ``-X importtime`` is put right after it.
    Returns dicts of ``module``, ``cumulative_ms`` and ``self_ms``; nested imports are
    listed too (a parent's figure includes its children's).
    """
    res = subprocess.run(
        [cmd[0], "-X", "importtime", *cmd[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in res.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = line[len("import time:") :].split("|", 2)
        rows.append(
            {
                "module": name.strip(),
                "depth": (len(name) - len(name.lstrip()) - 1) // 2,
                "cumulative_ms": int(cum_us) / 1000,
                "self_ms": int(self_us) / 1000,
            }
        )
    rows.sort(key=lambda r: -r["cumulative_ms"])
    return rows[:top]


def _workspace(folder: Path, env: dict[str, str]) -> None:
    """Import the shipped data into ``folder`` the way ``gridvoices demo`` does."""
    from gridvoices.demo import DEMO_DATA

    folder.mkdir(parents=True, exist_ok=True)
    cmd = [*_cli(), "import", str(DEMO_DATA), "--source", f"illustrative: {DEMO_DATA.name}", "-q"]
    subprocess.run(cmd, cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)


# The folders the gridvoices package is installed from (pyproject's package-dir).
_PACKAGE_DIRS = (
    "gridvoices",
    "gridvoices.ecosystem",
    "gridvoices.loaders",
    "gridvoices.stores",
    "gridvoices.queries",
    "gridvoices.visualise",
)


def byte_compile() -> list[str]:
    """Write the bytecode of every gridvoices module, as installing it would; the folders."""
    folders = []
    for name in _PACKAGE_DIRS:
        for folder in importlib.util.find_spec(name).submodule_search_locations or []:
            compileall.compile_dir(folder, quiet=1)
            folders.append(folder)
    return folders


def _cli() -> list[str]:
    """The ``gridvoices`` console script as a user starts it (its module form if not installed)."""
    script = Path(sys.executable).with_name("gridvoices")
    return (
        [sys.executable, str(script)]
        if script.is_file()
        else [sys.executable, "-m", "gridvoices.cli.main"]
    )


def _print(rows: list[dict], base: dict, profile: list[dict], slowest: str) -> None:
    print("# cold CLI on the shipped Derbyshire data (median of whole-process runs)")
    # Wall time on a shared machine follows its load; CPU seconds much less so.
    load = " -> ".join(" ".join(f"{x:.1f}" for x in la) for la in base["loadavg"])
    print(f"load average (1, 5, 15 min) {load}")
    print(
        f"python -c pass {base['pass']:.3f} s; python -c 'import gridvoices' {base['import']:.3f} s"
    )
    print("package byte-compiled first" if base.get("byte_compiled") else "no byte-compiling")
    print(
        f"{'command':10} {'median s':>8} {'cpu s':>6} {'x pass':>7} {'x import':>8} "
        f"{'target':>7}  met"
    )
    for r in rows:
        met = "yes" if r["met"] else "NO"
        print(
            f"{r['command']:10} {r['seconds']:8.3f} {r['cpu_seconds']:6.2f} "
            f"{r['ratio_pass']:6.1f}x {r['ratio_import']:7.1f}x {r['target']:6.1f}s  {met}"
        )
    if profile:
        print(f"# import-time profile of the slowest ({slowest}), top modules by cumulative ms")
        for p in profile:
            print(
                f"{p['cumulative_ms']:9.1f} {p['self_ms']:8.1f}  {'  ' * p['depth']}{p['module']}"
            )


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks startup")
    ap.add_argument("--repeat", type=int, default=5, help="Whole-process runs per command.")
    ap.add_argument("--only", help="Comma-separated commands (default: all).")
    ap.add_argument("--cache", choices=("on", "off"), default="on")
    ap.add_argument("--top", type=int, default=15, help="Modules listed from the profile.")
    ap.add_argument("--json", type=Path)
    ap.add_argument(
        "--no-compile", action="store_true", help="Do not byte-compile the package first."
    )
    a = ap.parse_args(argv)
    names = a.only.split(",") if a.only else list(COMMANDS)
    unknown = sorted(set(names) - set(COMMANDS))
    if unknown:
        ap.error(f"unknown command(s) {', '.join(unknown)}; known: {', '.join(COMMANDS)}")
    env = dict(os.environ)
    if a.cache == "off":
        env["GRIDVOICES_CACHE"] = "off"
    exe = _cli()
    if not a.no_compile:
        byte_compile()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        _workspace(ws, env)
        out = Path(tmp) / "out"
        out.mkdir()
        base: dict = {
            "byte_compiled": not a.no_compile,
            "loadavg": [os.getloadavg()],
            "pass": _median([sys.executable, "-c", "pass"], a.repeat, env, ws)["seconds"],
            "import": _median([sys.executable, "-c", "import gridvoices"], a.repeat, env, ws)[
                "seconds"
            ],
        }
        cmds = {n: [*exe, *(s.format(out=out) for s in COMMANDS[n])] for n in names}
        for name, cmd in cmds.items():
            if a.cache == "on":
                _run_in(cmd, env, ws)  # untimed: fills the disclosure cache
            cost = _median(cmd, a.repeat, env, ws)
            rows.append(
                {
                    "command": name,
                    **cost,
                    "ratio_pass": cost["seconds"] / base["pass"],
                    "ratio_import": cost["seconds"] / base["import"],
                    "target": TARGETS[name],
                    "met": cost["seconds"] <= TARGETS[name],
                }
            )
        base["loadavg"].append(os.getloadavg())
        slowest = max(rows, key=lambda r: r["seconds"] / r["target"])["command"]
        profile = import_profile(cmds[slowest], env, ws, a.top) if a.top else []
    _print(rows, base, profile, slowest)
    if a.json:
        doc = {
            "cache": a.cache,
            "repeat": a.repeat,
            "baseline": base,
            "rows": rows,
            "profile_of": slowest,
            "profile": profile,
        }
        a.json.write_text(json.dumps(doc, indent=2))
    return rows
