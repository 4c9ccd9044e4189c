"""The layers hold: each imports only the ones below it (import-linter, contract in pyproject)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("ecosystem", "loaders", "stores", "queries", "visualise", "data")


def _tree(tmp: Path, copy: str | None = None) -> Path:
    """The installed layout (gridvoices/<folder>) as links to the checkout's folders, which
    the package-dir mapping joins only at install time; ``copy`` is copied instead."""
    pkg = tmp / "gridvoices"
    pkg.mkdir()
    for f in (ROOT / "gridvoices").iterdir():
        (pkg / f.name).symlink_to(f)
    for name in FOLDERS:
        if name == copy:
            shutil.copytree(ROOT / name, pkg / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (pkg / name).symlink_to(ROOT / name)
    shutil.copy(ROOT / "pyproject.toml", tmp)
    return tmp


def _lint(tree: Path) -> subprocess.CompletedProcess:
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_layer_imports_only_the_ones_below(tmp_path):
    pytest.importorskip("importlinter")
    r = _lint(_tree(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 kept, 0 broken" in r.stdout


def test_a_wrong_way_import_is_caught(tmp_path):
    pytest.importorskip("importlinter")
    tree = _tree(tmp_path, copy="ecosystem")
    (tree / "gridvoices" / "ecosystem" / "upward.py").write_text(
        "from gridvoices.queries.graph import build_graph  # noqa: F401\n"
    )
    r = _lint(tree)
    assert r.returncode != 0
    assert "gridvoices.ecosystem is not allowed to import gridvoices.queries" in r.stdout
