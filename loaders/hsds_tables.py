"""How a read :class:`~gridvoices.loaders.hsds_model.Directory` becomes the project's tables.

The mapping files are applied once, the same way for every directory format:
each service's locations and service areas placed in districts (:class:`Placer`),
its recovery domain decided, its organisation found, and raw string tables
returned in the project's format (like a CSV would give), with every problem
as an :class:`~gridvoices.ecosystem.issues.Issue`.
"""

from __future__ import annotations

import re

import pandas as pd
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import ENTITIES, LIST_SEP
from gridvoices.loaders.hsds_model import (
    ACTIVE_STATUSES,
    INACTIVE_STATUSES,
    Address,
    Directory,
    Location,
    Org,
    Service,
    Where,
    make_id,
)
from gridvoices.loaders.mapping import OUTSIDE, Mappings, Resolution
from gridvoices.loaders.validate import RawTable

__all__ = ["build_tables", "Placer"]

_LIVED = re.compile(r"peer[- ]led|led by people (with lived experience|in recovery)", re.I)


def _table(entity: str, rows: list[dict], label: str) -> RawTable:
    cols = ENTITIES[entity].column_names
    frame = pd.DataFrame(rows, columns=cols, dtype=object).fillna("").astype(str)
    return RawTable(entity, frame, f"{label} [{entity}]")


def _short(text: str, n: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


class Placer:
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
    placer = Placer(d, m)
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
