"""Generated ecosystems: deterministic, valid, and the analyses find what was planted."""

from __future__ import annotations

import json

import pytest
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.loaders.plant import check_planted
from gridvoices.queries.analyses import run_all
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths


def test_same_seed_same_files(tmp_path):
    a = write_ecosystem(tmp_path / "a", 80, 500, seed=4)
    b = write_ecosystem(tmp_path / "b", 80, 500, seed=4)
    for f in sorted(a.glob("*.csv")):
        assert f.read_bytes() == (b / f.name).read_bytes(), f.name


@pytest.mark.parametrize("size", [(120, 1500), (400, 6000)])
def test_analyses_find_what_was_planted(tmp_path, size):
    d = write_ecosystem(tmp_path / "g", *size, seed=2, planted=True)
    report, tables = validate_paths([d])
    assert report.valid, report.lines(5)
    planted = json.loads((d / "planted.json").read_text())
    assert check_planted(run_all(build_graph(tables)), planted) == []


def test_check_planted_notices_a_miss(tmp_path):
    d = write_ecosystem(tmp_path / "g", 120, 1500, seed=2)  # nothing planted
    _, tables = validate_paths([d])
    planted = {
        "closed_district": "E07000000",
        "isolated": "svc-0",
        "bridge": {"node": "svc-bridge", "cut_off": []},
        "missing_domain": {"district": "E07000001", "domain": "volunteering"},
    }
    assert len(check_planted(run_all(build_graph(tables)), planted)) >= 3
