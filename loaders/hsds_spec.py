"""What the HSDS standard says about the tables a service directory reader uses.

File names per version (from the HSDS 1.1 sample package and the 2.0.1 / 3.0
data-package schemas), the non-standard names seen in published packages, and
for each table read its known and required columns. Kept apart from the reader
so a new version is a data change here.
"""

from __future__ import annotations

__all__ = ["STANDARD_FILES", "ALIASES", "COLUMNS", "NEEDED", "CORE", "V3_ONLY", "V2_ONLY"]

_COMMON = {
    "organizations.csv",
    "programs.csv",
    "services.csv",
    "locations.csv",
    "phones.csv",
    "contacts.csv",
    "funding.csv",
    "service_areas.csv",
    "required_documents.csv",
    "languages.csv",
    "metadata.csv",
    "meta_table_descriptions.csv",
}
_OLD = {  # 1.1 and 2.0
    "services_at_location.csv",
    "physical_addresses.csv",
    "postal_addresses.csv",
    "eligibility.csv",
    "payments_accepted.csv",
    "accessibility_for_disabilities.csv",
}
STANDARD_FILES: dict[str, set[str]] = {
    "1.1": _COMMON
    | _OLD
    | {"services_taxonomy.csv", "taxonomy.csv", "regular_schedules.csv", "holiday_schedules.csv"},
    "2.0": _COMMON
    | _OLD
    | {"service_attributes.csv", "other_attributes.csv", "schedules.csv", "taxonomy_terms.csv"},
    "3.0": _COMMON
    | {
        "service_at_location.csv",
        "addresses.csv",
        "attributes.csv",
        "schedules.csv",
        "accessibility.csv",
        "taxonomy_terms.csv",
        "taxonomies.csv",
        "cost_options.csv",
        "organization_identifiers.csv",
    },
}
V3_ONLY = STANDARD_FILES["3.0"] - STANDARD_FILES["2.0"] - {"taxonomies.csv"}
V2_ONLY = {"service_attributes.csv", "other_attributes.csv", "taxonomy_terms.csv"}
# Non-standard names seen in published packages, read when the standard file is absent.
ALIASES = {
    "3.0": {
        "addresses.csv": "address.csv",
        "attributes.csv": "attribute.csv",
        "taxonomies.csv": "taxonomy.csv",
        "schedules.csv": "schedule.csv",
        "service_at_location.csv": "services_at_location.csv",
    },
    "2.0": {"services_at_location.csv": "service_at_location.csv"},
    "1.1": {"services_at_location.csv": "service_at_location.csv"},
}

_ADDR = "id location_id attention address_1 address_2 address_3 address_4 city region "
_ADDR += "state_province postal_code country"
_V1_ORG = "id name alternate_name description email url tax_status tax_id year_incorporated "
_V1_ORG += "legal_status"
_V1_SVC = "id organization_id program_id name alternate_name description url email status "
_V1_SVC += "interpretation_services application_process wait_time fees accreditations licenses"
# (known columns, required columns) of the tables read, by version; other tables are not read.
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "1.1": {
        "organizations.csv": (_V1_ORG, "id name description"),
        "services.csv": (_V1_SVC + " taxonomy_ids", "id organization_id name status"),
        "locations.csv": (
            "id organization_id name alternate_name description transportation latitude longitude",
            "id",
        ),
        "services_at_location.csv": (
            "id service_id location_id description",
            "id service_id location_id",
        ),
        "physical_addresses.csv": (_ADDR, "id address_1 city state_province postal_code country"),
        "postal_addresses.csv": (_ADDR, "id address_1 city state_province postal_code country"),
        "services_taxonomy.csv": (
            "id service_id taxonomy_id taxonomy_detail",
            "id service_id taxonomy_id",
        ),
        "taxonomy.csv": ("id name parent_id parent_name vocabulary", "id name"),
        "service_areas.csv": ("id service_id service_area description", "id"),
    },
    "3.0": {
        "organizations.csv": (
            "id name alternate_name description email website tax_status tax_id "
            "year_incorporated legal_status logo uri parent_organization_id",
            "id name description",
        ),
        "services.csv": (
            _V1_SVC + " fees_description eligibility_description minimum_age maximum_age "
            "assured_date assurer_email alert last_modified",
            "id organization_id name status",
        ),
        "locations.csv": (
            "id location_type url organization_id name alternate_name description transportation "
            "latitude longitude external_identifier external_identifier_type",
            "id location_type",
        ),
        "service_at_location.csv": (
            "id service_id location_id description",
            "id service_id location_id",
        ),
        "addresses.csv": (
            "id location_id attention address_1 address_2 city region state_province postal_code "
            "country address_type",
            "id address_1 city state_province postal_code country address_type",
        ),
        "attributes.csv": (
            "id link_id taxonomy_term_id link_type link_entity value",
            "id link_id taxonomy_term_id link_entity",
        ),
        "taxonomy_terms.csv": (
            "id code name description parent_id taxonomy language taxonomy_id term_uri",
            "id name description",
        ),
        "taxonomies.csv": ("id name description uri version", "id name description"),
        "service_areas.csv": ("id service_id name description extent extent_type uri", "id"),
    },
}
COLUMNS["2.0"] = {
    **{
        k: v
        for k, v in COLUMNS["1.1"].items()
        if k not in ("services_taxonomy.csv", "taxonomy.csv")
    },
    "services.csv": (_V1_SVC, "id organization_id name status"),
    "service_attributes.csv": ("id service_id taxonomy_term_id", "id service_id"),
    "taxonomy_terms.csv": (
        "id term description parent_id taxonomy language",
        "id term description",
    ),
}
# Columns a table cannot be read without. Missing in organizations.csv or services.csv
# that is an error (nothing can be imported); elsewhere the table is skipped with a warning.
NEEDED = {
    "organizations.csv": {"id", "name"},
    "services.csv": {"id", "name", "organization_id"},
    "services_at_location.csv": {"service_id", "location_id"},
    "service_at_location.csv": {"service_id", "location_id"},
    "locations.csv": {"id"},
    "physical_addresses.csv": {"location_id"},
    "postal_addresses.csv": {"location_id"},
    "addresses.csv": {"location_id"},
    "taxonomy.csv": {"id"},
    "taxonomy_terms.csv": {"id"},
    "taxonomies.csv": {"id"},
    "services_taxonomy.csv": {"service_id", "taxonomy_id"},
    "service_attributes.csv": {"service_id", "taxonomy_term_id"},
    "attributes.csv": {"link_id", "taxonomy_term_id"},
    "service_areas.csv": {"service_id"},
}
CORE = ("organizations.csv", "services.csv")
