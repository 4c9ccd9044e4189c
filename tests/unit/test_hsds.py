"""Service directories (HSDS 1.1/2.0/3.0, Open Referral UK v1/3.0): detect, map, report, store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from gridvoices.loaders.hsds import read_hsds_json, read_hsds_package, read_oruk_json
from gridvoices.loaders.mapping import MappingOptions, Term, load_mappings, parse_postcode
from gridvoices.loaders.sources import detect_format
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths, validate_paths

from tests.conftest import FIXTURES
from tests.conftest import SHARED_HSDS as SHARED  # noqa: E402

HSDS = FIXTURES / "hsds"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared HSDS examples not present")


def _codes(report, severity=None):
    return {i.code for i in report.issues if severity is None or i.severity == severity}


# --- the published examples -------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize(
    "path, fmt, orgs, services",
    [
        # The README says 14 organisations and 17 services; the CSV files hold 10 and 13
        # records (some descriptions span several lines, so `wc -l` over-counts).
        ("hsds-1.1-sample-datapackage/simple", "hsds", 10, 13),
        ("hsds-1.1-sample-datapackage/all_resources", "hsds", 10, 13),
        ("hsds-1.1-sample-datapackage/simple/datapackage.json", "hsds", 10, 13),
        ("hsds-3.0-spec-examples/csv", "hsds", 1, 1),
        ("hsds-3.0-spec-examples", "hsds-json", 1, 1),
        ("hsds-3.0-spec-examples/service_full.json", "hsds-json", 1, 1),
        ("hsds-3.0-spec-examples/service_list.json", "hsds-json", 1, 1),
        ("hsds-3.0-spec-examples/organization_full.json", "hsds-json", 1, 1),
        ("hsds-3.0-spec-examples/service_at_location_list.json", "hsds-json", 1, 1),
        ("hsds-3.0-spec-examples/tabular.json", "hsds-json", 1, 1),
        ("oruk-3.0-examples/csv", "hsds", 1, 1),
        ("oruk-3.0-examples", "hsds-json", 1, 1),
        ("oruk-3.0-examples/service_full.json", "hsds-json", 1, 1),
        ("oruk-3.0-api-mocks/test", "hsds-json", 1, 1),
        ("oruk-3.0-api-mocks/test/service_list.json", "hsds-json", 1, 1),
        ("oruk-3.0-api-mocks/test/organization_list.json", "hsds-json", 1, 0),
    ],
)
def test_shared_examples_import_with_warnings_only(path, fmt, orgs, services):
    p = SHARED / path
    assert detect_format(p) == fmt
    report, typed = validate_paths([p])
    assert report.valid, report.lines()
    assert len(typed.get("organisations", [])) == orgs
    assert len(typed.get("services", [])) == services
    # None of the examples is in Derbyshire: no district is guessed.
    assert "districts" not in typed


@needs_shared
def test_hsds_11_simple_maps_domains_kinds_and_ids():
    _, typed = validate_paths([SHARED / "hsds-1.1-sample-datapackage/simple"])
    svc = typed["services"].set_index("name")
    assert svc.loc["Al-Anon Family Group", "domain"] == "peer_mutual_aid"
    assert svc.loc["Never Homeless Helpline", "domain"] == "linkage"
    assert svc.loc["Grocery Tax Break Donation", "domain"] == "wraparound"  # unmapped, kept
    assert not svc.loc["Dear Teacher Skills Refresh", "active"]  # status inactive
    assert svc.loc["Al-Anon Family Group", "id"] == "hsds:c28f4d9f-10b2-4baf-a727-a31ae79063ce"
    org = typed["organisations"].set_index("name")
    assert org.loc["Sanctuary Example City", "kind"] == "community"  # legal status non-profit
    assert not typed["organisations"]["commissioned"].any()


@needs_shared
def test_oruk_test_mock_list_merges_repeated_ids_and_says_so():
    report, typed = validate_paths([SHARED / "oruk-3.0-api-mocks/test/service_list.json"])
    assert report.valid
    lines = [str(i) for i in report.issues]
    assert any("appears 128 times" in line for line in lines)
    assert any("total_items says 31 but the page holds 128" in line for line in lines)


@needs_shared
def test_partial_page_is_reported():
    report, _ = validate_paths([SHARED / "hsds-3.0-spec-examples/service_list.json"])
    assert "partial-list" in _codes(report, "warning")


@needs_shared
@pytest.mark.parametrize(
    "name, code, severity, where",
    [
        ("service_list.json", "missing-value", "error", "service_list.json:1:contents[0].name"),
        ("service_full.json", "bad-format", "warning", "service_full.json:url"),
        ("api_details.json", "bad-format", "warning", "api_details.json:openapi_url"),
        ("taxonomy_term.json", "missing-value", "warning", "taxonomy_term.json:description"),
        ("taxonomy_term_list.json", "bad-value", "warning", "contents[0].parent_id"),
        ("service_at_location_list.json", "partial-list", "warning", "service_at_location_list"),
    ],
)
def test_oruk_fail_mocks_give_clear_issues(name, code, severity, where):
    report, _ = validate_paths([SHARED / "oruk-3.0-api-mocks/fail" / name])
    hits = [i for i in report.issues if i.code == code and i.severity == severity]
    assert hits, report.lines()
    assert any(where in str(i) for i in hits)


@needs_shared
def test_every_fail_mock_reads_without_crashing():
    for f in sorted((SHARED / "oruk-3.0-api-mocks/fail").glob("*.json")):
        report, _ = validate_paths([f])
        assert report.issues is not None
    report, _ = validate_paths([SHARED / "oruk-3.0-api-mocks/fail"])
    assert not report.valid  # the nameless services


@needs_shared
def test_schemas_are_not_data():
    for f in (SHARED / "oruk-1.0-api-schema").glob("*.json"):
        assert detect_format(f) is None, f.name
    assert detect_format(SHARED / "spec-datapackages/hsds-3.0-datapackage.json") is None


# --- detection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, fmt",
    [
        (HSDS / "derbyshire-2.0", "hsds"),
        (HSDS / "derbyshire-2.0/datapackage.json", "hsds"),
        (HSDS / "broken-package", "hsds"),
        (HSDS / "oruk1", "oruk-json"),
        (HSDS / "oruk1/services-page-1.json", "oruk-json"),
        (HSDS / "broken/truncated-service-list.json", "hsds-json"),
        (HSDS / "broken/wrong-types.json", "hsds-json"),
        (FIXTURES / "meetings/derbyshire-aa.json", "meeting-guide"),
        (FIXTURES / "tiny", "csv"),  # the project's own folder stays CSV
        (FIXTURES / "tiny/services.csv", "csv"),
        (HSDS / "README.md", None),
    ],
)
def test_detection_picks_the_right_reader(path, fmt):
    assert detect_format(path) == fmt


# --- own fixtures: Derbyshire HSDS 2.0 and ORUK v1 -------------------------------------


def test_derbyshire_20_districts_domains_and_reports():
    report, typed = validate_paths([HSDS / "derbyshire-2.0"])
    assert report.valid, report.lines()
    svc = typed["services"].set_index("name")
    assert svc.loc["Chesterfield Community Detox", "districts"] == ["E07000034"]  # S40
    assert svc.loc["Wingerworth Outreach Clinic", "districts"] == ["E07000038"]  # S42 + town
    assert svc.loc["Ripley Recovery Cafe", "districts"] == ["E07000032"]
    assert len(svc.loc["Return to Learning", "districts"]) == 8  # service area "Derbyshire"
    assert svc.loc["Chesterfield Community Detox", "domain"] == "specialist_treatment"
    assert svc.loc["Return to Learning", "domain"] == "linkage"  # AIRS section H
    assert svc.loc["Glossop Community Growing", "domain"] == "activities"  # keyword
    assert svc.loc["Ripley Recovery Cafe", "lived_experience_led"]  # "peer-led"
    assert not svc.loc["Glossop Community Growing", "active"]  # temporarily closed
    kinds = typed["organisations"].set_index("name")["kind"]
    assert kinds["North Derbyshire Recovery Service (illustrative)"] == "treatment"
    assert kinds["Derbyshire County Council Adult Learning (illustrative)"] == "council"
    lines = [str(i) for i in report.issues]

    def has(text):
        return any(text in line for line in lines)

    assert has("physical_addresses.csv:6: warning: location 'Staveley Hall'")
    assert has("postcode district S43 is shared")
    assert has("'88 Sheffield Road, Sheffield, S8 0XX' is outside")
    assert has("taxonomy term 'NO-SUCH-TERM' is not defined")
    assert has("'Staveley Friday Club' (taxonomy terms: Local Directory Terms:Friday Socials)")
    assert has("organizations.csv:1:facebook_page: warning: column 'facebook_page' is not part")
    assert has("status 'open' is not an HSDS status")
    assert has("location_id 'c3000000-0000-4000-8000-000000000099' is not in locations.csv")
    # Districts table: exactly the districts found, borders only among them.
    assert set(typed["districts"]["id"]) == {f"E070000{n}" for n in range(32, 40)}


def test_oruk_v1_feed_in_two_pages():
    report, typed = validate_paths([HSDS / "oruk1"])
    assert report.valid, report.lines()
    assert "partial-list" not in _codes(report)
    svc = typed["services"].set_index("id")
    assert len(svc) == 6
    assert svc.loc["hsds:svc:1001", "districts"] == ["E07000034"]
    assert svc.loc["hsds:svc:1002", "districts"] == ["E07000037"]  # SK17 6 sector row
    assert svc.loc["hsds:svc:1003", "districts"] == ["E07000035"]  # DE4 shared, town Matlock
    assert svc.loc["hsds:svc:1005", "districts"] == ["E07000033"]  # from the service area
    assert svc.loc["hsds:svc:1003", "domain"] == "volunteering"
    assert svc.loc["hsds:svc:1005", "domain"] == "wraparound"
    # The whole shipped geography is written, so no district loses borders on import.
    assert set(typed["districts"]["id"]) == {f"E070000{n}" for n in range(32, 40)}
    dd = typed["districts"].set_index("id").loc["E07000035", "borders"]
    assert dd == ["E07000032", "E07000037", "E07000038", "E07000039"]
    kinds = dict(zip(typed["organisations"]["name"], typed["organisations"]["kind"], strict=True))
    assert kinds["Example NHS Foundation Trust (illustrative)"] == "nhs"
    assert "outside-area" in _codes(report)


def test_oruk_v1_single_page_says_the_rest_is_missing():
    report, typed = validate_paths([HSDS / "oruk1/services-page-1.json"])
    assert report.valid
    msgs = [i.message for i in report.issues if i.code == "partial-list"]
    assert msgs and "page(s) 2 were not given" in msgs[0]


# --- broken files ----------------------------------------------------------------------


def test_truncated_json_is_an_issue():
    report, _ = validate_paths([HSDS / "broken/truncated-service-list.json"])
    errors = [i for i in report.errors if i.code == "bad-json"]
    assert errors and "truncated" in errors[0].message and errors[0].row == 18


def test_wrong_types_are_issues():
    report, typed = validate_paths([HSDS / "broken/wrong-types.json"])
    lines = [str(i) for i in report.errors]
    assert "wrong-types.json:1:contents[0].id: id is an object" in lines[0]
    assert any("contents[1].name: name is an array" in line for line in lines)
    assert any("contents[3]: item is text, expected an object" in line for line in lines)
    warnings = [str(i) for i in report.warnings]
    assert any("contents[2].email: warning: email is a number" in w for w in warnings)
    assert any("Nobody's Taxonomy:ZZ-9999" in w for w in warnings)  # unknown taxonomy


def test_missing_required_column_is_an_error():
    report, typed = validate_paths([HSDS / "broken-package"])
    assert "broken-package/services.csv:1:name: required column 'name' is missing" in [
        str(i) for i in report.errors
    ]
    assert "services" not in typed


def test_unknown_organisation_reference_is_an_error(tmp_path):
    d = tmp_path / "pkg"
    shutil.copytree(HSDS / "derbyshire-2.0", d)
    text = (d / "services.csv").read_text()
    (d / "services.csv").write_text(text.replace("a1000000-0000-4000-8000-000000000004", "nope"))
    report, _ = validate_paths([d])
    assert any(
        i.code == "unknown-reference" and i.column == "organization_id" for i in report.errors
    )


def test_empty_and_undecodable_files(tmp_path):
    empty = tmp_path / "services.json"
    empty.write_text('{"contents": []}')
    report, typed = validate_paths([empty])
    assert report.valid and "nothing-to-import" in _codes(report)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"contents": [{"id": "\xff"}]}')
    tables, issues = read_hsds_json([bad])
    assert [i.code for i in issues][0] == "encoding"


# --- mapping files ---------------------------------------------------------------------


def test_postcodes_and_shared_districts():
    m, issues = load_mappings()
    assert issues == []
    assert parse_postcode("Church Way, Chesterfield S40 1XJ, UK") == ("S40", "S40 1")
    look = m.districts
    assert look.for_address("S42 6PU", ["Wingerworth"]).districts == ("E07000038",)
    assert look.for_address("S42 6PU", ["Walton"]).problem.startswith("postcode district S42")
    assert look.for_address("", ["Chapel-en-le-Frith"]).districts == ("E07000037",)
    assert look.for_address("DE1 3AA", []).outside
    assert look.for_address("10001", ["New York City"]).problem
    assert len(look.for_area("Derbyshire").districts) == 8
    stats = "http://statistics.data.gov.uk/id/statistical-geography/E07000036"
    assert look.for_area("", "", stats).districts == ("E07000036",)


def test_taxonomy_rules_by_code_term_and_keyword():
    m, _ = load_mappings()
    rules = m.domains
    airs = Term("AIRS", "RX-8470.8000-050", "Alcoholics Anonymous")
    assert rules.domain_for([airs], "x", "")[0] == "twelve_step"
    assert rules.domain_for([Term("AIRS", "RX-8470.8000-999", "Other group")], "", "")[0] == (
        "peer_mutual_aid"
    )
    assert rules.domain_for([Term("AIRS", "", "", "RX-8450.1000")], "", "")[0] == (
        "specialist_treatment"
    )
    assert rules.domain_for([Term("esdServiceTypes", "", "Volunteering")], "", "")[0] == (
        "volunteering"
    )
    assert rules.domain_for([], "SMART Recovery meeting", "")[0] == "peer_mutual_aid"
    assert rules.domain_for([Term("AIRS", "ZZ", "Nothing")], "Knit", "") is None


def _hsds30_copy(tmp_path) -> Path:
    d = tmp_path / "mycity"
    shutil.copytree(SHARED / "hsds-3.0-spec-examples/csv", d)
    (d / "datapackage.json").unlink()  # the example's descriptor is a dangling symlink text
    return d


@needs_shared
def test_user_lookup_and_rules_through_a_sidecar(tmp_path):
    d = _hsds30_copy(tmp_path)
    (d / "places.csv").write_text(
        "kind,value,districts,note\n"
        "name,MyCity Borough,E06009999,invented district for the spec example\n"
        "town,MyCity,E06009999,\n"
    )
    (d / "rules.csv").write_text(
        "scheme,match,pattern,domain,note\n,text,counsel,recovery_coaching,invented rule\n"
    )
    sidecar = {"districts": "places.csv", "taxonomy_domains": "rules.csv", "id_prefix": "mc"}
    (d / "gridvoices-mapping.json").write_text(json.dumps(sidecar))
    report, typed = validate_paths([d])
    assert report.valid, report.lines()
    svc = typed["services"].iloc[0]
    assert svc["districts"] == ["E06009999"] and svc["domain"] == "recovery_coaching"
    assert svc["id"] == "mc:ac148810-d857-441c-9679-408f346de14b"
    mine = typed["districts"].set_index("id").loc["E06009999"]
    assert (mine["name"], mine["borders"]) == ("MyCity Borough", [])
    assert "no-district" not in _codes(report)


@needs_shared
def test_keep_unmapped_false_drops_and_reports(tmp_path):
    opts = MappingOptions(keep_unmapped=False)
    tables, issues = read_hsds_package([SHARED / "hsds-1.1-sample-datapackage/simple"], opts)
    names = set(tables["services"].frame["name"])
    assert "Grocery Tax Break Donation" not in names and "Al-Anon Family Group" in names
    dropped = [i for i in issues if i.code == "unmapped-domain"]
    assert dropped and all("left out" in i.message for i in dropped)
    # An organisation whose every service was left out goes too.
    assert "Example City Silvers" not in set(tables["organisations"].frame["name"])


def test_broken_mapping_file_is_reported(tmp_path):
    bad = tmp_path / "rules.csv"
    bad.write_text("scheme,match,pattern,domain\n,text,(unclosed,linkage\n,text,x,nowhere\n")
    tables, issues = read_oruk_json([HSDS / "oruk1"], MappingOptions(taxonomy_domains=bad))
    found = {(i.file, i.row, i.column) for i in issues if i.code == "bad-mapping"}
    assert found == {("rules.csv", 2, "pattern"), ("rules.csv", 3, "domain")}
    assert all(i.severity == "error" for i in issues if i.code == "bad-mapping")


def test_custom_lookup_by_options(tmp_path):
    look = tmp_path / "lookup.csv"
    look.write_text("kind,value,districts,note\npostcode_district,S43,E07000033,my choice\n")
    opts = MappingOptions(districts=look)
    tables, _ = read_oruk_json([HSDS / "oruk1"], opts)
    svc = tables["services"].frame.set_index("id")
    assert svc.loc["hsds:svc:1005", "districts"] == "E07000033"  # S43 now settled
    assert svc.loc["hsds:svc:1001", "districts"] == ""  # S40 is not in this lookup


# --- storing ---------------------------------------------------------------------------


def test_import_into_the_embedded_store(tmp_path):
    store = SQLiteStore(tmp_path / "g.sqlite")
    result = import_paths(store, [HSDS / "derbyshire-2.0"])
    assert result.rows["services"] == 7 and result.rows["organisations"] == 4
    again = import_paths(store, [HSDS / "derbyshire-2.0"])  # stable ids: same records
    assert again.rows == result.rows
    stored = store.read()
    assert len(stored["services"]) == 7
    assert stored["services"]["id"].str.startswith("hsds:").all()
    store.close() if hasattr(store, "close") else None


@needs_shared
def test_import_shared_example_into_the_embedded_store(tmp_path):
    store = SQLiteStore(tmp_path / "g.sqlite")
    result = import_paths(store, [SHARED / "hsds-1.1-sample-datapackage/simple"])
    assert result.rows == {"organisations": 10, "services": 13}
