"""The CLI against the real Neo4j: import, the same answers as embedded, read-only cypher."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gridvoices.cli.main import app
from tests.conftest import DERBYSHIRE

pytestmark = pytest.mark.neo4j
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_import_and_answers_match_embedded(neo4j, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDVOICES_WORKSPACE", str(tmp_path))
    assert run("import", DERBYSHIRE, "--store", "neo4j", "--quiet").exit_code == 0
    assert run("import", DERBYSHIRE, "--quiet").exit_code == 0
    for cmd in (
        ["summary"],
        ["isolated"],
        ["barriers"],
        ["coverage"],
        ["paths", "svc-spoc", "svc-housing-av", "-k", "3"],
    ):
        a = json.loads(run(*cmd, "--json").stdout)
        b = json.loads(run(*cmd, "--json", "--store", "neo4j").stdout)
        assert a == b, cmd


def test_cypher_is_read_only_unless_write(neo4j):
    r = run("cypher", "CREATE (:Entity {id: 'x'}) RETURN 1 AS one")
    assert r.exit_code == 2
    assert "--write" in r.stderr
    r = run(
        "cypher", "MATCH (n:Entity {id: $id}) RETURN count(n) AS n", "--param", "id=x", "--json"
    )
    assert json.loads(r.stdout) == [{"n": 0}]
    r = run(
        "cypher",
        "CREATE (:Entity {id: $id}) RETURN 1 AS one",
        "--param",
        "id=x",
        "--write",
        "--json",
    )
    assert r.exit_code == 0
    r = run("cypher", "MATCH (n:Entity {id: 'x'}) RETURN count(n) AS n", "--json")
    assert json.loads(r.stdout) == [{"n": 1}]


def test_bad_import_leaves_neo4j_unchanged(neo4j, tiny):
    assert run("import", tiny, "--store", "neo4j").exit_code == 0
    before = json.loads(run("summary", "--json", "--store", "neo4j").stdout)
    (tiny / "groups.csv").write_text("id,name,fellowship,district,cadence\nG1,AA,XA,D1,weekly\n")
    r = run("import", tiny, "--store", "neo4j")
    assert r.exit_code == 2
    assert "groups.csv:2:fellowship: 'XA' is not one of" in r.stdout
    assert json.loads(run("summary", "--json", "--store", "neo4j").stdout) == before
