"""Validation: every problem named by file, row and column; nothing stored on error."""

from __future__ import annotations

import pytest
from gridvoices.ecosystem.issues import ImportRejected
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths, validate_paths

from tests.conftest import edit_csv


def _lines(path):
    report, _ = validate_paths([path])
    return report, [str(i) for i in report.issues]


def test_tiny_is_valid(tiny):
    report, typed = validate_paths([tiny])
    assert report.valid, report.lines()
    assert len(typed["referrals"]) == 4
    assert typed["services"].loc[1, "districts"] == ["D2", "D1"]
    assert typed["services"].loc[0, "chime"] == ["hope", "connection"]
    # CHIME tags are matched case-insensitively and stored in their canonical form.
    assert typed["services"].loc[1, "chime"] == ["hope"]


@pytest.mark.parametrize(
    "file, old, new, expected",
    [
        (
            "services.csv",
            "S3,Lonely,O2",
            "S3,Lonely,O9",
            "services.csv:4:organisation: 'O9' is not a known organisation id",
        ),
        (
            "services.csv",
            "S3,Lonely",
            "S2,Lonely",
            "services.csv:4:id: duplicate id 'S2', first on row 3",
        ),
        (
            "services.csv",
            ",volunteering,",
            ",knitting,",
            "services.csv:4:domain: 'knitting' is not one of: twelve_step, peer_mutual_aid, "
            "recovery_coaching, activities, volunteering, linkage, growth_pathways, "
            "specialist_treatment, wraparound",
        ),
        (
            "referrals.csv",
            "2024-Q1,12,10",
            "2024-Q1,-12,",
            "referrals.csv:2:count: -12 is below the minimum 0",
        ),
        (
            "referrals.csv",
            "2024-Q1,12,10",
            "2024-Q1,twelve,",
            "referrals.csv:2:count: 'twelve' is not a whole number",
        ),
        (
            "referrals.csv",
            "2024-Q1,12,10",
            "2024-Q1,1.5,",
            "referrals.csv:2:count: '1.5' is not a whole number",
        ),
        (
            "referrals.csv",
            "2024-Q1,12,10",
            "2024-Q1,12,13",
            "referrals.csv:2:accepted: accepted (13) is more than count",
        ),
        (
            "referrals.csv",
            "S1,S2,2024-Q1",
            "S1,S2,Q1-2024",
            "referrals.csv:2:period: 'Q1-2024' is not a period like 2024-Q1, 2024-03 or 2024",
        ),
        (
            "referrals.csv",
            "S2,G1,2024-Q1",
            "S2,S2,2024-Q1",
            "referrals.csv:3:target: 'S2' refers to itself; flows are between different services",
        ),
        (
            "referrals.csv",
            "S1,S2,2024-Q2",
            "S1,S2,2024-Q1",
            "referrals.csv:4:source: duplicate (source, target, period) 'S1/S2/2024-Q1', "
            "first on row 2",
        ),
        (
            "organisations.csv",
            "O1,Treat Co,treatment,yes",
            "O1,Treat Co,treatment,maybe",
            "organisations.csv:2:commissioned: 'maybe' is not yes/no",
        ),
        (
            "groups.csv",
            "G1,AA North",
            "S1,AA North",
            "groups.csv:2:id: id 'S1' is already used for services; "
            "ids must be unique across files",
        ),
        (
            "peer_links.csv",
            "N1,G1,mentors_at,0.5",
            "N1,G1,mentors_at,1.5",
            "peer_links.csv:2:strength: 1.5 is above the maximum 1",
        ),
        (
            "districts.csv",
            "D1,North,D2",
            "D1,North,D2;D9",
            "districts.csv:2:borders: 'D9' is not a known district id",
        ),
        (
            "services.csv",
            "hope;connection",
            "hope;joy",
            "services.csv:2:chime: 'joy' not one of: "
            "connection, hope, identity, meaning, empowerment",
        ),
    ],
)
def test_each_problem_names_file_row_column(tiny, file, old, new, expected):
    edit_csv(tiny / file, old, new)
    report, lines = _lines(tiny)
    assert not report.valid
    assert expected in lines


def test_missing_required_column(tiny):
    edit_csv(tiny / "services.csv", ",domain,", ",area,")
    _, lines = _lines(tiny)
    assert "services.csv:1:domain: required column 'domain' is missing" in lines
    assert (
        "services.csv:1:area: warning: column 'area' is not part of the format and is ignored"
        in lines
    )


def test_empty_file(tiny):
    (tiny / "groups.csv").write_text("")
    _, lines = _lines(tiny)
    assert "groups.csv: the file is empty (no header row)" in lines


def test_bad_encoding_names_the_row(tiny):
    data = (tiny / "organisations.csv").read_bytes().replace(b"Hub", b"H\xe9b")
    (tiny / "organisations.csv").write_bytes(data)
    _, lines = _lines(tiny)
    assert "organisations.csv:3: byte 0xe9 is not valid UTF-8; save the file as CSV UTF-8" in lines


def test_excel_bom_is_accepted(tiny):
    f = tiny / "services.csv"
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    report, typed = validate_paths([tiny])
    assert report.valid
    assert list(typed["services"].columns)[0] == "id"


def test_service_without_district_is_only_a_warning(tiny):
    edit_csv(tiny / "services.csv", ",O2,D3,", ",O2,,")
    report, lines = _lines(tiny)
    assert report.valid
    assert "services.csv:4:districts: warning: service 'S3' has no district" in lines


def test_many_errors_are_counted_not_all_listed(tiny):
    rows = "".join(f"S1,S2,2030-Q{1 + i % 4},x{i},\n" for i in range(30))
    (tiny / "referrals.csv").write_text("source,target,period,count,accepted\n" + rows)
    report, lines = _lines(tiny)
    count_errors = [i for i in report.issues if i.code == "not-an-integer"]
    assert len(count_errors) == 21
    assert "referrals.csv:count: 10 more rows with the same problem in this column" in lines


def test_rejected_import_leaves_store_unchanged(tiny, tmp_path):
    store = SQLiteStore(tmp_path / "ws" / "gridvoices.sqlite")
    import_paths(store, [tiny])
    before = {k: v.to_dict("records") for k, v in store.read().items()}
    edit_csv(tiny / "services.csv", "S1,Spoc", "S1,Renamed")
    edit_csv(tiny / "referrals.csv", "2024-Q1,12,10", "2024-Q1,lots,")
    with pytest.raises(ImportRejected) as e:
        import_paths(store, [tiny])
    assert "referrals.csv:2:count: 'lots' is not a whole number" in e.value.report.lines()
    after = {k: v.to_dict("records") for k, v in store.read().items()}
    assert after == before


def test_reference_to_an_already_stored_id_is_allowed(tiny, tmp_path):
    store = SQLiteStore(tmp_path / "gridvoices.sqlite")
    import_paths(store, [tiny])
    only = tmp_path / "only"
    only.mkdir()
    (only / "referrals.csv").write_text("source,target,period,count\nS3,S1,2024-Q3,7\n")
    result = import_paths(store, [only])
    assert result.rows == {"referrals": 1}
    assert len(store.read()["referrals"]) == 5


def test_checks_see_values_as_stripped(tiny):
    """Checks run once per distinct value: a value with stray spaces is the same value."""
    text = (tiny / "referrals.csv").read_text(encoding="utf-8")
    (tiny / "referrals.csv").write_text(
        text + '"S1 ",S2,2024-Q1,4,\nS2,"S2 ",2024-Q3,1,\n"nope ",S1,2024-Q1,1,\n',
        encoding="utf-8",
    )
    _, lines = _lines(tiny)
    assert lines == [
        "referrals.csv:6:source: duplicate (source, target, period) 'S1/S2/2024-Q1', "
        "first on row 2",
        "referrals.csv:8:source: 'nope' is not a known service or group id",
        "referrals.csv:7:target: 'S2' refers to itself; flows are between different services",
    ]
