"""Council feeds as partners run them: one line per kind of problem, duplicate ids named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gridvoices.ecosystem.issues import ImportRejected, Issue
from gridvoices.loaders.sources import read_sources
from gridvoices.stores.store import import_paths, open_store
from typer.testing import CliRunner

from gridvoices.cli.issue_lines import grouped_lines
from gridvoices.cli.main import app


def _feed(tmp_path: Path, items: list[dict]) -> Path:
    """An Open Referral UK v1 ``/services`` page, as a council's API returns it."""
    feed = tmp_path / "services.json"
    feed.write_text(json.dumps({"totalElements": len(items), "content": items}), "utf-8")
    return feed


def _leisure(n: int) -> list[dict]:
    """Services no domain rule knows: each gets its own "kept as wraparound" warning."""
    return [
        {"id": f"c{k}", "name": f"Coffee Morning {k}", "description": "Tea and a chat."}
        for k in range(n)
    ]


class TestGroupedLines:
    def test_a_kind_seen_often_is_one_line_with_count_example_and_places(self):
        many = [
            Issue("s.json", k, f"[{k - 1}].name", "unmapped-domain", f"service {k}", "warning")
            for k in range(2, 12)
        ]
        lines = grouped_lines(many)
        assert lines == [
            "s.json: warning: 10 × unmapped-domain, e.g. service 2; at 2:[1].name, "
            "3:[2].name, 4:[3].name and 7 more (--verbose lists all)"
        ]

    def test_errors_first_and_rare_kinds_listed_as_they_are(self):
        warnings = [Issue("s.json", k, "url", "bad-format", f"url {k}", "warning") for k in (2, 3)]
        error = Issue("s.json", 9, "name", "missing-value", "no name")
        assert grouped_lines([*warnings, error]) == [
            "s.json:9:name: no name",
            "s.json:2:url: warning: url 2",
            "s.json:3:url: warning: url 3",
        ]

    def test_kinds_are_told_apart_by_file_and_severity(self):
        a = [Issue("a.csv", k, "x", "bad-value", "m", "warning") for k in range(2, 6)]
        b = [Issue("b.csv", k, "x", "bad-value", "m", "warning") for k in range(2, 6)]
        c = [Issue("a.csv", k, "x", "bad-value", "m") for k in range(2, 6)]
        lines = grouped_lines(a + b + c)
        assert [line.split(" × ")[0] for line in lines] == [
            "a.csv: 4",
            "a.csv: warning: 4",
            "b.csv: warning: 4",
        ]

    def test_limit_says_how_many_lines_are_hidden(self):
        kinds = [Issue("s.json", 2, "x", f"code-{k}", "m", "warning") for k in range(5)]
        assert grouped_lines(kinds, limit=2)[-1] == "(first 2 lines shown, 3 more)"


def test_validate_groups_a_flood_and_verbose_lists_every_problem(tmp_path):
    feed = _feed(tmp_path, _leisure(30))
    grouped = CliRunner().invoke(app, ["validate", str(feed)])
    assert grouped.exit_code == 0
    unmapped = [x for x in grouped.stdout.splitlines() if "unmapped-domain" in x]
    assert len(unmapped) == 1 and "30 × unmapped-domain" in unmapped[0]
    assert "at 1:content[0].name, 2:content[1].name, 3:content[2].name and 27 more" in unmapped[0]
    verbose = CliRunner().invoke(app, ["validate", str(feed), "--verbose"])
    lines = [x for x in verbose.stdout.splitlines() if "matches no rule" in x]
    assert len(lines) == 30
    # The library still returns every issue: --json keeps them all.
    as_json = CliRunner().invoke(app, ["validate", str(feed), "--json"])
    codes = [i["code"] for i in json.loads(as_json.stdout)["issues"]]
    assert codes.count("unmapped-domain") == 30


@pytest.fixture()
def duplicated(tmp_path) -> Path:
    """Bristol's feed lists two different yoga classes under one id, and one copy twice."""
    items = [
        {"id": "y1", "name": "Fishponds Yoga for Fitness", "description": "Yoga classes."},
        {"id": "w1", "name": "Walking Group", "description": "A weekly walk."},
        {"id": "y1", "name": "Yoga for Relaxation", "description": ""},
        {"id": "w1", "name": "Walking Group", "description": "A weekly walk."},
    ]
    return _feed(tmp_path, items)


def test_a_second_service_under_one_id_is_named_not_merged(duplicated):
    _, issues, _ = read_sources([duplicated])
    dup = [i for i in issues if i.code == "duplicate-id"]
    assert [(i.severity, i.row, i.column) for i in dup] == [("error", 3, "content[2].id")]
    assert dup[0].message == (
        "service id 'y1' is used again by 'Yoga for Relaxation' (first by 'Fishponds Yoga "
        "for Fitness' at 1:content[0]; the name differs); not imported: give each service "
        "its own id"
    )
    # A repeat that agrees with the first record is a copy: kept once, one warning.
    copies = [i for i in issues if i.code == "duplicate-record"]
    assert len(copies) == 1 and copies[0].severity == "warning"
    assert "'w1' appears 2 times" in copies[0].message


def test_duplicate_ids_refuse_the_import_or_are_set_aside_with_partial(duplicated, tmp_path):
    db = open_store("embedded", workspace=tmp_path)
    try:
        with pytest.raises(ImportRejected) as e:
            import_paths(db, [duplicated])
        assert [i.code for i in e.value.report.errors] == ["duplicate-id"]
        assert db.existing_ids().get("services", set()) == set()
        result = import_paths(db, [duplicated], partial=True)
        assert result.rows["services"] == 2
        assert [(a.row, a.field, a.code) for a in result.set_aside] == [
            (3, "content[2].id", "duplicate-id")
        ]
        names = db.existing_ids()["services"]
        assert len(names) == 2  # the first yoga class and the walking group
    finally:
        db.close()
