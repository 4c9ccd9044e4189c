"""Shared fixtures: small partner data sets written to temporary folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
DERBYSHIRE = Path(__file__).resolve().parent.parent / "data" / "derbyshire"
# The public Open Referral examples sit in shared/ beside the project (and beside CI's clone).
SHARED_HSDS = Path(
    os.environ.get(
        "GRIDVOICES_SHARED_HSDS",
        Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "hsds",
    )
)


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A copy of the tiny hand-made ecosystem, safe to edit."""
    d = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", d)
    return d


def edit_csv(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Fault-injection trial counts (tests/faults, tests/integration/test_neo4j_faults.py).
from tests.faults.trials import pytest_terminal_summary, trials  # noqa: E402, F401
