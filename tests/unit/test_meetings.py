"""Meeting Guide JSON meeting lists -> mutual-aid groups with district, cadence and fellowship."""

from __future__ import annotations

import json
import shutil

import pytest
from gridvoices.loaders.mapping import MappingOptions
from gridvoices.loaders.meetings import cadence_for, detect_meetings, read_meetings
from gridvoices.loaders.sources import detect_format
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths, validate_paths

from tests.conftest import FIXTURES

MEETINGS = FIXTURES / "meetings"
AA = MEETINGS / "derbyshire-aa.json"


def _groups(typed):
    return typed["groups"].set_index("name")


def test_fixture_imports_as_groups():
    assert detect_format(AA) == "meeting-guide"
    report, typed = validate_paths([AA])
    assert report.valid, report.lines()
    g = _groups(typed)
    assert len(g) == 15  # 22 meetings; 3 of them in groups not imported
    assert g.loc["Chesterfield Serenity Group", "cadence"] == "several_weekly"  # 3 meetings
    assert g.loc["Buxton Early Birds", "cadence"] == "daily"  # day: [0..6]
    assert g.loc["Glossop Big Book Study", "cadence"] == "weekly"
    assert g.loc["Alfreton Lunchtime", "cadence"] == "several_weekly"  # day: [1, 3]
    assert g.loc["Bakewell Men's Group", "cadence"] == "several_weekly"  # name + location
    assert g.loc["Chesterfield Serenity Group", "id"] == "mg:chesterfield-serenity-group"
    assert g.loc["Chesterfield NA - Just for Today", "fellowship"] == "NA"
    assert (g.drop(index="Chesterfield NA - Just for Today")["fellowship"] == "AA").all()


@pytest.mark.parametrize(
    "name, district",
    [
        ("Chesterfield Serenity Group", "E07000034"),  # S40
        ("Buxton Early Birds", "E07000037"),  # postcode in formatted_address (SK17 6 sector)
        ("Matlock Tuesday Night", "E07000035"),  # DE4 is shared; the city settles it
        ("Bolsover Castle Group", "E07000033"),  # S44 is shared; the city settles it
        ("Dronfield Living Sober", "E07000038"),  # postcode only (S18)
        ("Alfreton Lunchtime", "E07000032"),  # DE55 shared; town
        ("Swadlincote Sunday Speaker", "E07000039"),
        ("Long Eaton Newcomers", "E07000036"),
    ],
)
def test_districts_from_postcode_and_town(name, district):
    _, typed = validate_paths([AA])
    assert _groups(typed).loc[name, "district"] == district


def test_groups_that_cannot_be_placed_or_are_closed_are_reported():
    report, typed = validate_paths([AA])
    lines = [str(i) for i in report.warnings]
    assert any("'Derbyshire Online Lunchtime': the meeting has no address" in x for x in lines)
    assert any(x.startswith("derbyshire-aa.json:21: warning: group 'Wirksworth") for x in lines)
    assert any("'Sheffield Road, Sheffield, S8 0XX' is outside" in x for x in lines)
    assert set(typed["districts"]["id"]) == {f"E070000{n}" for n in range(32, 40)}


def test_broken_meetings_give_issues_not_crashes():
    report, typed = validate_paths([MEETINGS / "broken-meetings.json"])
    errors = [str(i) for i in report.errors]
    assert errors == [
        "broken-meetings.json:1:name: meeting has no name and no group",
        "broken-meetings.json:2: a meeting must be a JSON object",
    ]
    warnings = [str(i) for i in report.warnings]
    for expected in (
        "broken-meetings.json:3:day: warning: day 'Funday' is not a number 0-6",
        "broken-meetings.json:3:time: warning: time '25:99' is not HH:MM",
        "broken-meetings.json:4:slug: warning: slug 'funday' repeats row 3",
        "broken-meetings.json:5:day: warning: day 'Tuesday' should be a number 0-6",
        "broken-meetings.json:6:name: warning: name is a number (42)",
        "broken-meetings.json:6:types: warning: types should be a list",
        "broken-meetings.json:types: warning: type 'ZZZ' is not a Meeting Guide type code",
    ):
        assert any(w.startswith(expected) for w in warnings), expected
    # The readable meetings still become groups.
    assert set(typed["groups"]["name"]) == {"Funday Group", "Tuesday Group", "42"}


def test_truncated_file_is_an_issue():
    assert detect_format(MEETINGS / "truncated-meetings.json") == "meeting-guide"
    report, _ = validate_paths([MEETINGS / "truncated-meetings.json"])
    assert [i.code for i in report.errors] == ["bad-json"]
    assert "truncated" in report.errors[0].message


def test_not_an_array(tmp_path):
    f = tmp_path / "meetings.json"
    f.write_text('{"name": "x", "slug": "x", "day": 1}')
    assert not detect_meetings(f)  # an object is not a meeting list
    tables, issues = read_meetings([f])
    assert [i.code for i in issues if i.severity == "error"] == ["wrong-type"]


def test_fellowship_from_options_and_sidecar(tmp_path):
    tables, _ = read_meetings([AA], MappingOptions(fellowship="SMART"))
    fellowships = tables["groups"].frame.set_index("name")["fellowship"]
    assert fellowships["Glossop Big Book Study"] == "SMART"
    assert fellowships["Chesterfield NA - Just for Today"] == "NA"  # a name hint wins
    d = tmp_path / "na"
    d.mkdir()
    shutil.copy(AA, d / "meetings.json")
    (d / "gridvoices-mapping.json").write_text(json.dumps({"fellowship": "CA"}))
    report, typed = validate_paths([d / "meetings.json"])
    assert report.valid
    assert _groups(typed).loc["Glossop Big Book Study", "fellowship"] == "CA"


def test_unknown_fellowship_option_is_an_error():
    _, issues = read_meetings([AA], MappingOptions(fellowship="XA"))
    assert any(i.code == "bad-mapping" and i.severity == "error" for i in issues)


def test_custom_lookup_is_honoured(tmp_path):
    look = tmp_path / "lookup.csv"
    look.write_text("kind,value,districts,note\ntown,Sheffield,E08000019,Sheffield\n")
    report_tables, issues = read_meetings([AA], MappingOptions(districts=look))
    groups = report_tables["groups"].frame
    assert list(groups["name"]) == ["Sheffield Road Group"]
    rows = report_tables["districts"].frame.set_index("id")
    assert rows.loc["E08000019"].to_dict() == {"name": "E08000019", "borders": ""}
    # The 15 Derbyshire groups and the online one are now unplaced, and reported.
    assert sum(i.code == "unknown-district" for i in issues) == 16


def test_group_without_name_uses_group_field(tmp_path):
    f = tmp_path / "m.json"
    meetings = [
        {"group": "Heanor Hope", "slug": "a", "day": 1, "time": "19:00", "city": "Heanor"},
        {"name": "Heanor Hope Thursday", "group": "Heanor Hope", "slug": "b", "day": 4,
         "time": "19:00", "city": "Heanor"},
        {"name": "Heanor Hope Thursday", "group": "Heanor Hope", "slug": "c", "day": 4,
         "time": "19:00", "city": "Heanor"},
    ]  # fmt: skip
    f.write_text(json.dumps(meetings))
    report, typed = validate_paths([f])
    assert report.valid
    g = typed["groups"].iloc[0]
    # Two distinct weekly slots (the third repeats Thursday 19:00).
    assert (g["name"], g["cadence"], g["district"]) == (
        "Heanor Hope",
        "several_weekly",
        "E07000032",
    )
    assert any(i.code == "missing-value" and i.column == "name" for i in report.warnings)


def test_cadence_thresholds():
    assert [cadence_for(n) for n in (0, 1, 2, 6, 7, 14)] == [
        "",
        "weekly",
        "several_weekly",
        "several_weekly",
        "daily",
        "daily",
    ]


def test_hsds_and_meetings_are_told_apart():
    assert not detect_meetings(FIXTURES / "hsds/oruk1/services-page-1.json")
    assert detect_format(FIXTURES / "hsds/oruk1/services-page-1.json") == "oruk-json"


def test_import_into_the_embedded_store(tmp_path):
    store = SQLiteStore(tmp_path / "g.sqlite")
    result = import_paths(store, [AA])
    assert result.rows == {"districts": 8, "groups": 15}
    # A service directory imported after it shares the districts.
    more = import_paths(store, [FIXTURES / "hsds/derbyshire-2.0"])
    assert more.rows["services"] == 7
    stored = store.read()
    assert len(stored["groups"]) == 15 and len(stored["districts"]) == 8
