"""What every service-directory reader produces.

HSDS 1.1/2.0/3.0 tables, HSDS 3.0 / Open Referral UK JSON and ORUK v1 feeds
all describe the same things: organisations, services, the locations (with
addresses) where services are given, service areas and taxonomy terms. Each
reader fills a :class:`Directory` with those, naming the file, row and field
each came from; :func:`gridvoices.loaders.hsds_tables.build_tables` then applies
the mapping files once, the same way for every format.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from gridvoices.ecosystem.issues import Issue
from gridvoices.loaders.mapping import Term

__all__ = [
    "Where",
    "Address",
    "Location",
    "Area",
    "Org",
    "Service",
    "Directory",
    "make_id",
    "coordinate",
    "ACTIVE_STATUSES",
    "INACTIVE_STATUSES",
]

# HSDS service status values; anything else is reported and counted as active.
ACTIVE_STATUSES = {"active"}
INACTIVE_STATUSES = {"inactive", "defunct", "temporarily closed"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Lived-experience leadership is rarely recorded; only an explicit statement counts.


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


def _clash(old: Service, new: Service) -> str:
    """The first field two records of one id both fill, differently ("" when none).

    >>> a = Service("7", "Yoga for Fitness", "o1", Where("s.json", 2))
    >>> _clash(a, Service("7", "Yoga for Relaxation", "o1", Where("s.json", 9)))
    'name'
    >>> _clash(a, Service("7", " Yoga for Fitness", "", Where("s.json", 9)))
    ''
    """
    for attr in ("name", "description", "org_id"):
        a, b = (" ".join(str(getattr(x, attr) or "").split()) for x in (old, new))
        if a and b and a != b:
            return attr
    return ""


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
        """Add a service; a repeated id is merged (first values win, lists combine).

        Within one file a repeat that contradicts the first record (another name,
        description or organisation) is a second service under the same id, not a
        copy: it is refused with a ``duplicate-id`` error at its own location, so
        the import names it (and ``--partial`` sets it aside) instead of silently
        keeping one of the two. Repeats across files are pages overlapping.
        """
        old = self.services.get(svc.id)
        if old is None:
            self.services[svc.id] = svc
            return
        if old.where.file == svc.where.file:
            clash = _clash(old, svc)
            if clash:
                first = ":".join(str(x) for x in (old.where.row, old.where.column) if x)
                msg = (
                    f"service id {svc.id!r} is used again by {svc.name!r} (first by "
                    f"{old.name!r} at {first or old.where.file}; the {clash} differs); "
                    "not imported: give each service its own id"
                )
                self.issues.append(svc.where.issue("duplicate-id", msg, column="id"))
                return
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
                f"{kind} id {raw!r} appears {n + 1} times; the records do not contradict "
                "each other, so they were kept as one (first values, lists combined)",
                "warning",
            )
            for (kind, raw, file), n in self._repeats.items()
        ]
