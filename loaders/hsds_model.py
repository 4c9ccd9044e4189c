"""What every service-directory reader produces, and how it becomes the project's tables.

HSDS 1.1/2.0/3.0 tables, HSDS 3.0 / Open Referral UK JSON and ORUK v1 feeds
all describe the same things: organisations, services, the locations (with
addresses) where services are given, service areas and taxonomy terms. Each
reader fills a :class:`Directory` with those, naming the file, row and field
each came from; :func:`build_tables` then applies the mapping files once, the
same way for every format, and returns raw string tables in the project's
format (like a CSV would give).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import ENTITIES, LIST_SEP
from gridvoices.loaders.mapping import OUTSIDE, Mappings, Resolution, Term
from gridvoices.loaders.validate import RawTable

__all__ = [
    "Where",
    "Address",
    "Location",
    "Area",
    "Org",
    "Service",
    "Directory",
    "build_tables",
    "make_id",
    "INACTIVE_STATUSES",
]

# HSDS service status values; anything else is reported and counted as active.
ACTIVE_STATUSES = {"active"}
INACTIVE_STATUSES = {"inactive", "defunct", "temporarily closed"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Lived-experience leadership is rarely recorded; only an explicit statement counts.
_LIVED = re.compile(r"peer[- ]led|led by people (with lived experience|in recovery)", re.I)


def make_id(prefix: str, kind: str, raw: str) -> str:
    """A project id for a directory id: ``hsds:<uuid>``; non-UUIDs also name their kind.

    UUIDs are unique across tables; plain numbers are not (organisation 12 and
    service 12 may both exist), and the project needs ids unique across entities.

    >>> make_id("hsds", "org", "1899600a-649c-11e6-8b77-86f30ca893d3")
    'hsds:1899600a-649c-11e6-8b77-86f30ca893d3'
    >>> make_id("hsds", "svc", "12")
    'hsds:svc:12'
    """
    raw = str(raw).strip()
    return f"{prefix}:{raw}" if _UUID.match(raw) else f"{prefix}:{kind}:{raw}"


@dataclass(frozen=True)
class Where:
    """Where a record was read: file, row (spreadsheet row or list item number), field path."""

    file: str
    row: int | None = None
    column: str | None = None

    def issue(self, code: str, message: str, severity: str = "error", column=None) -> Issue:
        """An issue here; ``column`` names a field inside this record (``contents[3].status``)."""
        if column and self.column:
            column = f"{self.column}.{column}"
        return Issue(self.file, self.row, column or self.column, code, message, severity)


@dataclass
class Address:
    postcode: str
    places: list[str]  # city first, then address lines / region: locality candidates
    text: str  # one line, for reports
    where: Where
    physical: bool = True


@dataclass
class Location:
    id: str
    name: str
    addresses: list[Address] = field(default_factory=list)
    where: Where = Where("")
    lat: float | None = None
    lon: float | None = None


def coordinate(value: object, limit: float) -> float | None:
    """A latitude (limit 90) or longitude (180) from text or a number; None when not one.

    >>> coordinate("25.79", 90), coordinate("", 90), coordinate("200", 180)
    (25.79, None, None)
    """
    try:
        v = float(str(value).strip())
    except ValueError:
        return None
    return v if -limit <= v <= limit and v == v else None


@dataclass
class Area:
    name: str
    description: str
    uri: str
    where: Where


@dataclass
class Org:
    id: str
    name: str
    description: str = ""
    status: str = ""  # legal / tax status text (a kind hint)
    where: Where = Where("")


@dataclass
class Service:
    id: str
    name: str
    org_id: str
    where: Where
    description: str = ""
    status: str = ""
    terms: list[Term] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)


@dataclass
class Directory:
    """Everything read from one or more paths of one format, merged by id."""

    label: str
    prefix: str = "hsds"
    orgs: dict[str, Org] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    formats: set[str] = field(default_factory=set)  # e.g. {"HSDS 1.1"}, for labels
    _repeats: Counter = field(default_factory=Counter)

    def add_org(self, org: Org, nested: bool = False) -> None:
        """Add an organisation; a repeated id is merged. Nested copies (a service's
        organisation) repeat by design, so only top-level repeats are reported."""
        old = self.orgs.get(org.id)
        if old is None:
            self.orgs[org.id] = org
            return
        if not nested and old.where.file == org.where.file:
            self._repeats[("organisation", org.id, org.where.file)] += 1
        for attr in ("name", "description", "status"):
            if not getattr(old, attr):
                setattr(old, attr, getattr(org, attr))

    def add_location(self, loc: Location) -> None:
        old = self.locations.setdefault(loc.id, loc)
        if old is not loc and not old.addresses:
            old.addresses = loc.addresses

    def add_service(self, svc: Service) -> None:
        """Add a service; a repeated id is merged (first values win, lists combine)."""
        old = self.services.get(svc.id)
        if old is None:
            self.services[svc.id] = svc
            return
        if old.where.file == svc.where.file:
            self._repeats[("service", svc.id, svc.where.file)] += 1
        for attr in ("name", "description", "status", "org_id"):
            if not getattr(old, attr):
                setattr(old, attr, getattr(svc, attr))
        old.terms += [t for t in svc.terms if t not in old.terms]
        old.locations += [x for x in svc.locations if x not in old.locations]
        old.areas += svc.areas

    def repeat_issues(self) -> list[Issue]:
        """One warning per id that a file lists more than once."""
        return [
            Issue(
                file,
                None,
                "id",
                "duplicate-record",
                f"{kind} id {raw!r} appears {n + 1} times; the records were merged "
                "(first values kept)",
                "warning",
            )
            for (kind, raw, file), n in self._repeats.items()
        ]


def _table(entity: str, rows: list[dict], label: str) -> RawTable:
    cols = ENTITIES[entity].column_names
    frame = pd.DataFrame(rows, columns=cols, dtype=object).fillna("").astype(str)
    return RawTable(entity, frame, f"{label} [{entity}]")


def _short(text: str, n: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


class _Placer:
    """Districts of locations (each placed once) and the warnings for unplaced ones."""

    def __init__(self, d: Directory, m: Mappings):
        self.d, self.m = d, m
        self.placed: dict[str, tuple[Resolution, Address | None]] = {}
        self.users: dict[str, list[str]] = {}  # unplaced location id -> its services' names

    def _place(self, loc: Location) -> tuple[Resolution, Address | None]:
        """The first address that resolves (physical before postal), else the point in a
        boundary polygon (when the user gave boundaries), else the first address."""
        first: tuple[Resolution, Address | None] = (Resolution(), None)
        for a in sorted(loc.addresses, key=lambda a: not a.physical):
            r = self.m.districts.for_address(a.postcode, a.places)
            if r.districts or r.outside:
                return r, a
            if first[1] is None:
                first = (r, a)
        if self.m.boundaries is not None and loc.lat is not None and loc.lon is not None:
            code = self.m.boundaries.locate(loc.lat, loc.lon)
            if code:
                return Resolution((code,)), first[1]
            if first[1] is None:
                where = Where(loc.where.file, loc.where.row, "latitude")
                point = Address("", [], f"{loc.lat}, {loc.lon}", where)
                return Resolution(outside=True), point
        return first

    def service(self, svc: Service, out: list[Issue]) -> list[str]:
        codes: list[str] = []
        for loc_id in svc.locations:
            loc = self.d.locations.get(loc_id)
            if loc is None:
                continue
            if loc_id not in self.placed:
                self.placed[loc_id] = self._place(loc)
            res, addr = self.placed[loc_id]
            codes += [c for c in res.districts if c != OUTSIDE]
            if addr is not None and (res.problem or res.outside):
                self.users.setdefault(loc_id, []).append(svc.name)
        for area in svc.areas:
            res = self.m.districts.for_area(area.name, area.description, area.uri)
            codes += res.districts
            if res.problem or res.outside:
                what = f"service {svc.name!r}: service area "
                what += repr(_short(area.name or area.description or area.uri))
                if res.outside:
                    msg, code = f"{what} is outside the lookup's districts", "outside-area"
                else:
                    msg, code = f"{what} is not placed: {res.problem}", "unknown-district"
                out.append(area.where.issue(code, msg, "warning"))
        return list(dict.fromkeys(codes))

    def issues(self) -> list[Issue]:
        """One warning per location whose address was not placed, naming its services."""
        out = []
        for loc_id, users in self.users.items():
            res, addr = self.placed[loc_id]
            loc = self.d.locations[loc_id]
            more = f" and {len(users) - 1} more" if len(users) > 1 else ""
            if res.outside:
                code, why = "outside-area", "is outside the lookup's districts"
            else:
                code, why = "unknown-district", f"is not placed: {res.problem}"
            msg = (
                f"location {loc.name or loc.id!r} (service {users[0]!r}{more}): "
                f"address {_short(addr.text)!r} {why}"
            )
            out.append(addr.where.issue(code, msg, "warning"))
        return out


def _domain(svc: Service, m: Mappings, issues: list[Issue]) -> str | None:
    """The service's domain; None when it is unmapped and unmapped services are left out."""
    override = m.overrides.get(svc.id, ("", ()))[0]
    if override:
        return override  # a partner's reviewed answer beats the rules
    hit = m.domains.domain_for(svc.terms, svc.name, svc.description)
    if hit is not None:
        return hit[0]
    terms = ", ".join(map(str, svc.terms[:5])) or "none"
    fate = "kept as wraparound" if m.options.keep_unmapped else "left out"
    msg = f"service {svc.name!r} (taxonomy terms: {terms}) matches no rule in {m.domains.label}"
    issues.append(svc.where.issue("unmapped-domain", f"{msg}; {fate}", "warning", column="name"))
    return "wraparound" if m.options.keep_unmapped else None


def _organisation(svc: Service, d: Directory, issues: list[Issue]) -> str:
    """The service's organisation id; a placeholder organisation when none was read."""
    if svc.org_id in d.orgs:
        return svc.org_id
    org_id = svc.org_id or "unknown-organisation"
    name = f"Unknown organisation ({org_id})" if svc.org_id else "Unknown organisation"
    msg = f"service {svc.name!r} names no organisation that was read; attached to {name!r}"
    issues.append(svc.where.issue("no-organisation", msg, "warning", column="organization"))
    d.add_org(Org(org_id, name, where=svc.where))
    return org_id


def build_tables(d: Directory, m: Mappings) -> tuple[dict[str, RawTable], list[Issue]]:
    """The project's raw tables (districts, organisations, services) from a directory.

    Unmapped services are kept as ``wraparound`` or dropped (``keep_unmapped``),
    and reported; unknown places are reported, never guessed. Placeholder
    organisations are added to ``d`` for services that name none.
    """
    issues = d.repeat_issues()
    prefix = m.options.id_prefix or d.prefix
    placer = _Placer(d, m)
    services, found, domains_by_org = [], set(), {}
    unplaced: list[str] = []
    for svc in d.services.values():
        domain = _domain(svc, m, issues)
        if domain is None:
            continue
        status = svc.status.strip().lower()
        if status and status not in ACTIVE_STATUSES | INACTIVE_STATUSES:
            msg = f"status {svc.status!r} is not an HSDS status (active, inactive, defunct, "
            msg += "temporarily closed); counted as active"
            issues.append(svc.where.issue("bad-value", msg, "warning", column="status"))
        org_id = _organisation(svc, d, issues)
        districts = list(m.overrides.get(svc.id, ("", ()))[1]) or placer.service(svc, issues)
        found.update(districts)
        if not districts:
            unplaced.append(svc.name)
        domains_by_org.setdefault(org_id, []).append(domain)
        services.append(
            {
                **_point(svc, d),
                "id": make_id(prefix, "svc", svc.id),
                "name": svc.name,
                "organisation": make_id(prefix, "org", org_id),
                "districts": LIST_SEP.join(districts),
                "domain": domain,
                "chime": "",
                "lived_experience_led": "yes" if _LIVED.search(svc.description) else "no",
                "active": "no" if status in INACTIVE_STATUSES else "yes",
            }
        )
    issues += placer.issues()
    if unplaced:
        # Counted and named, never pooled silently into a district.
        shown = ", ".join(repr(n) for n in unplaced[:10]) + (" …" if len(unplaced) > 10 else "")
        msg = (
            f"{len(unplaced)} of {len(services)} services are placed in no district "
            f"(no address or area the lookup {m.districts.label} knows): {shown}; give a "
            "district lookup for this area (docs/partner-formats.md) or districts_override "
            "in a reviewed mapping CSV"
        )
        issues.append(Issue(d.label, None, None, "unplaced-services", msg, "warning"))
    orgs = []
    for org in d.orgs.values():
        doms = domains_by_org.get(org.id, [])
        if not doms and not m.options.keep_unmapped and _had_services(d, org.id):
            continue  # every service of it was left out as unmapped
        kind = m.kinds.kind_for(org.name, org.description, org.status, doms)
        orgs.append(
            {
                "id": make_id(prefix, "org", org.id),
                "name": org.name,
                "kind": kind,
                "commissioned": "no",  # directories do not say; see docs/partner-formats.md
            }
        )
    tables = {}
    if found:
        tables["districts"] = _table("districts", m.district_rows(found), d.label)
    if orgs:
        tables["organisations"] = _table("organisations", orgs, d.label)
    if services:
        tables["services"] = _table("services", services, d.label)
    if not services and not orgs:
        msg = "no organisations or services found to import"
        issues.append(Issue(d.label, None, None, "nothing-to-import", msg, "warning"))
    return tables, issues


_POINT_COLUMNS = {"latitude", "longitude", "postcode"}


def _point(svc: Service, d: Directory) -> dict[str, str]:
    """latitude / longitude / postcode of the service's first located place, for the
    partner schema's map columns (only those the schema has)."""
    cols = _POINT_COLUMNS & set(ENTITIES["services"].column_names)
    if not cols:
        return {}
    out: dict[str, str] = {}
    for loc_id in svc.locations:
        loc = d.locations.get(loc_id)
        if loc is None:
            continue
        if "latitude" not in out and loc.lat is not None and loc.lon is not None:
            out["latitude"], out["longitude"] = f"{loc.lat:.6f}", f"{loc.lon:.6f}"
        pcs = [a.postcode for a in loc.addresses if a.physical and a.postcode]
        if "postcode" not in out and pcs:
            out["postcode"] = pcs[0]
    return {k: v for k, v in out.items() if k in cols}


def _had_services(d: Directory, org_id: str) -> bool:
    return any(s.org_id == org_id for s in d.services.values())
