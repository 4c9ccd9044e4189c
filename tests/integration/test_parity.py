"""The same named query gives the same answer on Neo4j (Cypher) and embedded (NetworkX)."""

from __future__ import annotations

import random

import pytest
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries.run import answer
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths

from tests.conftest import DERBYSHIRE, FIXTURES

pytestmark = pytest.mark.neo4j


def _both(neo4j, tmp_path, data):
    embedded = SQLiteStore(tmp_path / "gridvoices.sqlite")
    import_paths(embedded, [data])
    import_paths(neo4j, [data])
    return embedded, neo4j


def _ends(store):
    t = store.read()
    return sorted(set(t["services"]["id"]) | set(t["groups"]["id"]))


def _assert_same(embedded, neo4j, pairs, period_choices):
    for periods in period_choices:
        for name in ("barriers", "isolation", "coverage", "feedback"):
            assert answer(embedded, name, periods=periods) == answer(
                neo4j, name, periods=periods
            ), (name, periods)
        assert answer(embedded, "summary", periods=periods) == answer(
            neo4j, "summary", periods=periods
        )
        assert answer(embedded, "isolated", periods=periods) == answer(
            neo4j, "isolated", periods=periods
        )
        for s, t in pairs:
            assert answer(embedded, "shortest_paths", s, t, periods=periods) == answer(
                neo4j, "shortest_paths", s, t, periods=periods
            ), (s, t, periods)
            assert answer(embedded, "referral_paths", s, t, k=3, periods=periods) == answer(
                neo4j, "referral_paths", s, t, k=3, periods=periods
            ), (s, t, periods)


def test_tables_read_back_identically(neo4j, tmp_path):
    embedded, _ = _both(neo4j, tmp_path, FIXTURES / "tiny")
    a, b = embedded.read(), neo4j.read()
    for name in a:
        assert a[name].to_dict("records") == b[name].to_dict("records"), name


@pytest.mark.parametrize("data", ["tiny", "derbyshire"])
def test_named_queries_agree_on_shipped_data(neo4j, tmp_path, data):
    path = FIXTURES / "tiny" if data == "tiny" else DERBYSHIRE
    embedded, _ = _both(neo4j, tmp_path, path)
    ends = _ends(embedded)
    rng = random.Random(7)
    pairs = [tuple(rng.sample(ends, 2)) for _ in range(40)]
    periods = sorted(embedded.periods())
    _assert_same(embedded, neo4j, pairs, [None, periods[:1], periods[-2:]])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_named_queries_agree_on_random_ecosystems(neo4j, tmp_path, seed):
    data = write_ecosystem(tmp_path / "gen", 40 + 20 * seed, 150 * seed, seed=seed)
    embedded, _ = _both(neo4j, tmp_path, data)
    ends = _ends(embedded)
    rng = random.Random(seed)
    pairs = [tuple(rng.sample(ends, 2)) for _ in range(30)]
    periods = sorted(embedded.periods())
    _assert_same(embedded, neo4j, pairs, [None, periods[1:3]])


def test_coverage_agrees_on_services_placed_in_no_district(neo4j, tmp_path):
    import shutil

    data = tmp_path / "unplaced"
    shutil.copytree(FIXTURES / "tiny", data)
    services = (data / "services.csv").read_text().splitlines()
    services[2] = services[2].replace(",D2;D1,", ",,")  # S2, recovery coaching: no place
    (data / "services.csv").write_text("\n".join(services) + "\n")
    embedded, _ = _both(neo4j, tmp_path, data)
    mine = answer(embedded, "coverage")
    assert mine == answer(neo4j, "coverage")
    county = {c["domain"]: c for c in mine["county"]}
    assert county["recovery_coaching"]["unplaced"] == 1
