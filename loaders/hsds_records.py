"""One HSDS 3.0 / Open Referral UK JSON record into a directory.

A record is a service, an organisation or a service-at-location (what it is
comes from its keys, :func:`kind_of`); :class:`Reader` adds it to a
:class:`~gridvoices.loaders.hsds_model.Directory`, checking each field's type
and noting the file, item and field path it came from. v1 records nest
``service_taxonomys[].taxonomy`` and ``location.physical_addresses``; 3.0
records nest ``attributes[].taxonomy_term`` and ``location.addresses``.
"""

from __future__ import annotations

import json
import re

from gridvoices.ecosystem.issues import Issue
from gridvoices.loaders.hsds_model import (
    Address,
    Area,
    Directory,
    Location,
    Org,
    Service,
    Where,
    coordinate,
)
from gridvoices.loaders.mapping import Term

__all__ = ["Reader", "read_record", "kind_of", "json_type"]

_SERVICE_KEYS = {"status", "organization", "service_at_locations", "service_areas", "attributes"}
_SERVICE_KEYS |= {"service_taxonomys", "fees", "fees_description", "eligibility_description"}
_ORG_KEYS = {"services", "website", "legal_status", "tax_status", "organization_identifiers"}
_ORG_KEYS |= {"logo", "parent_organization_id", "link_taxonomies", "year_incorporated"}
_URL = re.compile(r"^(https?|wss?|ftp)://", re.I)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# "www.council.gov.uk/libraries": a web address without its scheme, common in council feeds.
_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?([/?#]\S*)?$")


class Reader:
    """Reads records of one file into a directory, noting where each came from."""

    def __init__(self, d: Directory, file: str):
        self.d, self.file = d, file
        self.schemeless: list[tuple[str, str]] = []  # (field path, value)

    def web_address(self, v: str, row, field: str) -> None:
        """Report a URL field that is not a web address; one without a scheme is counted."""
        if not v or _URL.match(v):
            return
        if _HOST.match(v):
            self.schemeless.append((field, v))
        else:
            self.issue(
                row,
                field,
                "bad-format",
                f"{field.rsplit('.', 1)[-1]} {v!r} is not a web address",
                "warning",
            )

    def finish(self) -> None:
        """One warning for all the web addresses without http:// or https:// in the file:
        a council feed may have hundreds, and one line each would bury the real problems."""
        if self.schemeless:
            field, v = self.schemeless[0]
            n = len(self.schemeless)
            msg = (
                f"{n} web address{'es' if n > 1 else ''} without http:// or https:// "
                f"(first: {v!r} at {field}); reported only: web addresses are not imported"
            )
            self.issue(None, None, "bad-format", msg, "warning")

    def issue(self, row, column, code, message, severity="error") -> None:
        self.d.issues.append(Issue(self.file, row, column, code, message, severity))

    def text(self, rec: dict, key: str, row, path: str, needed: bool = False) -> str:
        """A text field; numbers are accepted as text, other types reported."""
        v = rec.get(key)
        if v is None:
            return ""
        if isinstance(v, str):
            return v.strip()
        if isinstance(v, int | float) and not isinstance(v, bool):
            msg = f"{key} is a number ({v}), expected text; read as text"
            self.issue(row, path + key, "wrong-type", msg, "warning")
            return str(v)
        msg = f"{key} is {json_type(v)} ({json.dumps(v)[:40]}), expected text"
        if needed:
            self.issue(row, path + key, "wrong-type", msg + "; the record is not imported")
        else:
            self.issue(row, path + key, "wrong-type", msg + "; ignored", "warning")
        return ""

    def formats(self, rec: dict, row, path: str) -> None:
        """URL and e-mail fields the standard constrains (reported, not imported)."""
        for key in ("url", "website"):
            self.web_address(self.text(rec, key, row, path), row, path + key)
        v = self.text(rec, "email", row, path)
        if v and not _EMAIL.match(v):
            self.issue(
                row,
                path + "email",
                "bad-format",
                f"email {v!r} is not an e-mail address",
                "warning",
            )

    def checks(self, kind: str, rec: dict, row, path: str) -> None:
        """Light checks of records that carry nothing to import (taxonomies, API details)."""
        if kind == "taxonomy":
            for key in ("id", "name", "description"):
                if not self.text(rec, key, row, path):
                    msg = f"taxonomy {key} is missing (required by HSDS 3.0)"
                    self.issue(row, path + key, "missing-value", msg, "warning")
            if rec.get("parent_id") and rec.get("parent_id") == rec.get("id"):
                msg = "the term is its own parent"
                self.issue(row, path + "parent_id", "bad-value", msg, "warning")
        for key in ("uri", "term_uri", "openapi_url"):
            self.web_address(self.text(rec, key, row, path), row, path + key)
        for i, t in enumerate(_list(rec, "taxonomy_terms")):
            if isinstance(t, dict):
                self.checks("taxonomy", t, row, f"{path}taxonomy_terms[{i}].")

    def org(self, rec, row, path: str) -> str:
        if not isinstance(rec, dict):
            self.issue(row, path.rstrip("."), "wrong-type", "organisation is not an object")
            return ""
        oid, name = self.text(rec, "id", row, path, True), self.text(rec, "name", row, path, True)
        if not oid or not name:
            missing = "id" if not oid else "name"
            if rec.get(missing) in (None, ""):  # a wrong type was reported by text()
                self.issue(row, path + missing, "missing-value", f"organisation has no {missing}")
            return ""
        self.formats(rec, row, path)
        status = " ".join(self.text(rec, k, row, path) for k in ("legal_status", "tax_status"))
        where = Where(self.file, row, path.rstrip(".") or None)
        org = Org(oid, name, self.text(rec, "description", row, path), status.strip(), where)
        self.d.add_org(org, nested=path.endswith("organization."))
        for i, svc in enumerate(_list(rec, "services")):
            self.service(svc, row, f"{path}services[{i}].", org_id=oid)
        return oid

    def location(self, rec, row, path: str, fallback_id: str) -> str:
        if not isinstance(rec, dict):
            return ""
        lid = self.text(rec, "id", row, path) or fallback_id
        loc = Location(
            lid,
            self.text(rec, "name", row, path),
            [],
            Where(self.file, row, path.rstrip(".")),
            coordinate(rec.get("latitude", ""), 90),
            coordinate(rec.get("longitude", ""), 180),
        )
        for key in ("addresses", "physical_addresses", "postal_addresses"):
            for i, a in enumerate(_list(rec, key)):
                if not isinstance(a, dict):
                    continue
                ap = f"{path}{key}[{i}]."
                get = {
                    k: self.text(a, k, row, ap)
                    for k in (
                        "address_1",
                        "address_2",
                        "address_3",
                        "address_4",
                        "city",
                        "region",
                        "postal_code",
                        "address_type",
                    )
                }
                places = [get[k] for k in ("city", "address_2", "address_3", "address_4", "region")]
                text = ", ".join(
                    x
                    for x in (get["address_1"], get["address_2"], get["city"], get["postal_code"])
                    if x
                )
                physical = key != "postal_addresses" and get["address_type"].lower() != "postal"
                where = Where(self.file, row, ap + "postal_code")
                loc.addresses.append(Address(get["postal_code"], places, text, where, physical))
        self.d.add_location(loc)
        return lid

    def term(self, t, row, path) -> Term | None:
        if not isinstance(t, dict):
            return None
        detail = t.get("taxonomy_detail") if isinstance(t.get("taxonomy_detail"), dict) else {}
        scheme = self.text(t, "vocabulary", row, path) or self.text(t, "taxonomy", row, path)
        scheme = scheme or self.text(detail, "name", row, path + "taxonomy_detail.")
        name = self.text(t, "name", row, path) or self.text(t, "term", row, path)
        return Term(scheme, self.text(t, "code", row, path), name, self.text(t, "id", row, path))

    def service(self, rec, row, path: str = "", org_id: str = "") -> None:
        if not isinstance(rec, dict):
            self.issue(row, path.rstrip(".") or None, "wrong-type", "service is not an object")
            return
        sid, name = self.text(rec, "id", row, path, True), self.text(rec, "name", row, path, True)
        if not sid or not name:
            missing = "id" if not sid else "name"
            if rec.get(missing) in (None, ""):  # a wrong type was reported by text()
                msg = f"service has no {missing}; it is not imported"
                self.issue(row, path + missing, "missing-value", msg)
            return
        if not rec.get("status") and "status" not in rec:
            self.issue(
                row, path + "status", "missing-value", "no status; counted as active", "warning"
            )
        self.formats(rec, row, path)
        if isinstance(rec.get("organization"), dict):
            org_id = self.org(rec["organization"], row, path + "organization.") or org_id
        org_id = org_id or self.text(rec, "organization_id", row, path)
        where = Where(self.file, row, path.rstrip(".") or None)
        svc = Service(
            sid,
            name,
            org_id,
            where,
            self.text(rec, "description", row, path),
            self.text(rec, "status", row, path),
        )
        for key, inner in (
            ("attributes", "taxonomy_term"),
            ("service_taxonomys", "taxonomy"),
            ("taxonomies", None),
        ):
            for i, a in enumerate(_list(rec, key)):
                t = a.get(inner) if inner and isinstance(a, dict) else a
                term = self.term(t, row, f"{path}{key}[{i}].")
                if term:
                    svc.terms.append(term)
        for i, sal in enumerate(_list(rec, "service_at_locations")):
            if isinstance(sal, dict):
                lp = f"{path}service_at_locations[{i}].location."
                lid = self.location(sal.get("location"), row, lp, f"{sid}#{i}")
                if lid:
                    svc.locations.append(lid)
        for i, a in enumerate(_list(rec, "service_areas")):
            if isinstance(a, dict):
                ap = f"{path}service_areas[{i}]."
                name_ = self.text(a, "service_area", row, ap) or self.text(a, "name", row, ap)
                area = Area(
                    name_,
                    self.text(a, "description", row, ap),
                    self.text(a, "uri", row, ap),
                    Where(self.file, row, ap.rstrip(".")),
                )
                svc.areas.append(area)
        self.d.add_service(svc)

    def sal(self, rec, row, path: str = "") -> None:
        """A service-at-location record: its service, placed at its location."""
        if not isinstance(rec, dict) or not isinstance(rec.get("service"), dict):
            self.issue(row, path + "service", "missing-value", "service_at_location has no service")
            return
        self.service(rec["service"], row, path + "service.")
        sid = self.text(rec["service"], "id", row, path + "service.")
        lid = self.location(rec.get("location"), row, path + "location.", f"{sid}@{rec.get('id')}")
        if sid in self.d.services and lid and lid not in self.d.services[sid].locations:
            self.d.services[sid].locations.append(lid)


def json_type(v: object) -> str:
    names = {dict: "an object", list: "an array", bool: "true/false", str: "text"}
    return names.get(type(v), "a number")


def _list(rec: dict, key: str) -> list:
    v = rec.get(key)
    return v if isinstance(v, list) else []


def kind_of(rec: dict, filename: str) -> str:
    """What one record is, by its keys (the file name breaks ties)."""
    keys = set(rec)
    if "service" in keys and "location" in keys:
        return "service_at_location"
    if keys & _SERVICE_KEYS:
        return "service"
    if keys & _ORG_KEYS:
        return "organization"
    if keys & {"taxonomy_terms", "vocabulary", "term", "term_uri", "taxonomy_detail", "parent_id"}:
        return "taxonomy"
    if keys & {"location_type", "addresses", "latitude"}:
        return "location"
    if "openapi_url" in keys or ("version" in keys and "id" not in keys):
        return "api_details"
    name = filename.lower()
    for hint in ("service_at_location", "organization", "taxonom", "location"):
        if hint in name:
            return hint.replace("taxonom", "taxonomy")
    return "service"


def read_record(r: Reader, rec, row, filename: str, path: str = "") -> str:
    if not isinstance(rec, dict):
        msg = f"item is {json_type(rec)}, expected an object"
        r.issue(row, path.rstrip(".") or None, "wrong-type", msg)
        return "invalid"
    kind = kind_of(rec, filename)
    if kind == "service":
        r.service(rec, row, path)
    elif kind == "organization":
        r.org(rec, row, path)
    elif kind == "service_at_location":
        r.sal(rec, row, path)
    else:
        r.checks(kind, rec, row, path)
    return kind
