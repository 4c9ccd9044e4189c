"""The wheel's package list names every package folder, and the shipped data travels with it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_folder_is_in_the_wheel():
    cfg = _config()
    found = set()
    for name, folder in cfg["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *rel.parts]))
    assert found == set(cfg["packages"])


def test_shipped_data_is_package_data():
    globs = _config()["package-data"]["gridvoices.data"]
    data = ROOT / "data"
    shipped = {p for g in globs for p in data.glob(g) if p.is_file()}
    wanted = {
        p
        for p in data.rglob("*")
        if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    }
    assert wanted <= shipped, sorted(str(p.relative_to(data)) for p in wanted - shipped)
