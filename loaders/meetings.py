"""Mutual-aid meeting lists in the Meeting Guide JSON format, as groups.

Meeting Guide (used by AA intergroups and the 12 Step Meeting List plugin)
publishes a JSON array of meetings: ``name``, ``slug``, ``day`` (0 = Sunday …
6, or a list), ``time``, ``location``, ``group``, ``types`` (codes such as
``O``, ``C``, ``D``, ``SP``, ``ONL``, ``TC``), ``address``, ``city``,
``postal_code``, ``formatted_address``, ``region``, ``conference_url``,
``attendance_option`` and more. The project stores groups, not meetings:

* meetings of one group become one group (key: ``group_id``, else ``group``,
  else name + location);
* cadence is the number of distinct weekly slots: 7 or more ``daily``, 2–6
  ``several_weekly``, 1 ``weekly`` (none: left blank);
* fellowship is the file's default (``MappingOptions.fellowship``, AA) unless a
  name or type says otherwise (``NA``, "Cocaine Anonymous", "SMART Recovery", …);
* district comes from the postcode / city / region through the district
  lookup; a group needs one, so a group that cannot be placed is left out and
  reported, as is a group whose meetings are all inactive.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from gridvoices.ecosystem import vocab
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.loaders.hsds_sniff import load_json
from gridvoices.loaders.mapping import MappingOptions, Mappings, load_mappings, parse_postcode
from gridvoices.loaders.validate import RawTable

__all__ = ["detect_meetings", "read_meetings", "TYPE_CODES", "cadence_for"]

# Meeting Guide type codes (the specification's list); others are reported once per file.
TYPE_CODES = frozenset(
    "11 12x12 A ABSI AL AL-AN ASL B BA BE BI BRK BV-I C CAN CF D DB DD DR D-HOH EN FF FR G GR "
    "H HE ITA JA KOR L LGBTQ LIT LS M MED N NB NDG O OUT P POC POL POR PUN RUS S SEN SM SP ST "
    "T TC TR W X XB XT Y ONL HY".split()
)
_FELLOWSHIP_TYPES = {"NA": "NA", "CA": "CA", "SMART": "SMART", "AL-ANON": "Al-Anon"}
# Abbreviations are matched in capitals only ("na" is a word in names); full names in any case.
_FELLOWSHIP_NAMES = [
    (re.compile(r"\bNA\b|narcotics anonymous", 0), "NA"),
    (re.compile(r"\bCA\b|cocaine anonymous", 0), "CA"),
    (re.compile(r"smart recovery", re.I), "SMART"),
    (re.compile(r"al-?anon|alateen", re.I), "Al-Anon"),
    (re.compile(r"\bAA\b|alcoholics anonymous", 0), "AA"),
]
_DAYS = {
    d: n for n, d in enumerate("sunday monday tuesday wednesday thursday friday saturday".split())
}
_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
_MEETING_KEYS = {"slug", "day", "time", "end_time", "types", "formatted_address"}
_MEETING_KEYS |= {"conference_url", "attendance_option", "location", "group", "postal_code"}


def detect_meetings(path: Path) -> bool:
    """A ``.json`` file holding an array of objects with Meeting Guide keys."""
    path = Path(path)
    try:
        if not path.is_file() or path.suffix.lower() != ".json":
            return False
        with open(path, "rb") as f:
            head = f.read(16384).decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    except OSError:
        return False
    if not head.startswith("["):
        return False
    keys = set(re.findall(r'"(\w+)"\s*:', head))
    return "name" in keys and len(keys & _MEETING_KEYS) >= 2


def cadence_for(slots: int) -> str:
    """Cadence from the number of weekly meeting slots (0 -> blank: not known).

    >>> [cadence_for(n) for n in (0, 1, 3, 7, 9)]
    ['', 'weekly', 'several_weekly', 'daily', 'daily']
    """
    if slots >= 7:
        return "daily"
    if slots >= 2:
        return "several_weekly"
    return "weekly" if slots == 1 else ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "group"


@dataclass
class _Group:
    key: str
    name: str
    slug: str
    slots: set = field(default_factory=set)
    names: Counter = field(default_factory=Counter)
    districts: Counter = field(default_factory=Counter)
    fellowships: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # (row, address text, why) of unplaced meetings
    active: int = 0
    first_row: int = 0
    file: str = ""


class _File:
    """Reads one meeting list, filling the groups."""

    def __init__(self, label: str, m: Mappings, groups: dict[str, _Group], issues: list[Issue]):
        self.label, self.m, self.groups, self.issues = label, m, groups, issues
        self.unknown_types: Counter = Counter()
        self.slugs: dict[str, int] = {}

    def issue(self, row, col, code, msg, severity="warning") -> None:
        self.issues.append(Issue(self.label, row, col, code, msg, severity))

    def text(self, rec: dict, key: str, row: int) -> str:
        v = rec.get(key)
        if v is None or isinstance(v, bool):
            return ""
        if isinstance(v, str):
            return v.strip()
        if isinstance(v, int | float):
            if key in ("name", "group", "slug"):
                self.issue(row, key, "wrong-type", f"{key} is a number ({v}), expected text")
            return str(v)
        what = "an array" if isinstance(v, list) else "an object"
        self.issue(row, key, "wrong-type", f"{key} is {what}, expected text; ignored")
        return ""

    def days(self, rec: dict, row: int) -> list[int]:
        v = rec.get("day")
        values = v if isinstance(v, list) else ([] if v is None or v == "" else [v])
        out = []
        for x in values:
            if isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 6:
                out.append(x)
            elif isinstance(x, str) and x.strip().isdigit() and 0 <= int(x) <= 6:
                out.append(int(x))
            elif isinstance(x, str) and x.strip().lower() in _DAYS:
                msg = f"day {x!r} should be a number 0-6 (0 = Sunday); read as one"
                self.issue(row, "day", "bad-value", msg)
                out.append(_DAYS[x.strip().lower()])
            else:
                msg = f"day {x!r} is not a number 0-6 (0 = Sunday); the meeting has no day"
                self.issue(row, "day", "bad-value", msg)
        return out

    def types(self, rec: dict, row: int) -> list[str]:
        v = rec.get("types", [])
        if isinstance(v, str):  # some exports join the codes with commas
            v = [t for t in re.split(r"[,\s]+", v) if t]
        if not isinstance(v, list):
            self.issue(row, "types", "wrong-type", "types should be a list of codes; ignored")
            return []
        codes = [str(t).strip() for t in v]
        for c in codes:
            if c not in TYPE_CODES and c.upper() not in _FELLOWSHIP_TYPES:
                self.unknown_types[c] += 1
        return codes

    def district(self, rec: dict, row: int) -> tuple[str | None, str, str]:
        """(district or None, address text, why not) of one meeting."""
        fields = {
            k: self.text(rec, k, row) for k in ("postal_code", "city", "region", "sub_region")
        }
        formatted = self.text(rec, "formatted_address", row)
        address = self.text(rec, "address", row)
        postcode = fields["postal_code"] or (formatted if parse_postcode(formatted) else "")
        parts = [
            re.sub(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", "", p).strip()
            for p in formatted.split(",")
        ]
        places = [fields["city"], fields["region"], fields["sub_region"], *parts]
        text = formatted or ", ".join(
            x for x in (address, fields["city"], fields["postal_code"]) if x
        )
        if not postcode and not any(places):
            return None, "", "has no address (online only?)"
        res = self.m.districts.for_address(postcode, [p for p in places if p])
        if res.districts and not res.outside:
            return res.districts[0], text, ""
        why = (
            "is outside the lookup's districts" if res.outside else f"is not placed: {res.problem}"
        )
        return None, text, why

    def meeting(self, rec, row: int) -> None:
        if not isinstance(rec, dict):
            self.issue(row, None, "wrong-type", "a meeting must be a JSON object", "error")
            return
        name, group = self.text(rec, "name", row), self.text(rec, "group", row)
        if not name and not group:
            self.issue(row, "name", "missing-value", "meeting has no name and no group", "error")
            return
        if not name:
            self.issue(
                row, "name", "missing-value", f"meeting has no name; the group {group!r} is used"
            )
        slug = self.text(rec, "slug", row)
        if not slug:
            self.issue(row, "slug", "missing-value", "slug is required by Meeting Guide")
        elif slug in self.slugs:
            msg = f"slug {slug!r} repeats row {self.slugs[slug]}; this meeting is ignored"
            self.issue(row, "slug", "duplicate-id", msg)
            return
        else:
            self.slugs[slug] = row
        days, types = self.days(rec, row), self.types(rec, row)
        time = self.text(rec, "time", row)
        if time and not _TIME.match(time):
            self.issue(row, "time", "bad-value", f"time {time!r} is not HH:MM (24-hour)")
        location = self.text(rec, "location", row) or self.text(rec, "address", row)
        # One group per group_id, else per group name, else per meeting name at a location.
        gid = self.text(rec, "group_id", row)
        if gid or group:
            key, slug = (f"id:{gid}" if gid else f"group:{group.lower()}"), _slug(group or gid)
        else:
            key = f"{name.lower()}@{location.lower()}"
            slug = f"{_slug(name)}--{_slug(location or 'no-location')}"
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = _Group(key, group, slug, first_row=row, file=self.label)
        g.names[name or group] += 1
        g.fellowships += _fellowship_hints(name, group, types)
        inactive = self.text(rec, "attendance_option", row).lower() == "inactive" or (
            "TC" in types and not rec.get("conference_url") and not rec.get("conference_phone")
        )
        if inactive:
            return
        g.active += 1
        g.slots.update((d, time) for d in days)
        district, text, why = self.district(rec, row)
        if district:
            g.districts[district] += 1
        else:
            g.problems.append((row, text, why))

    def finish(self) -> None:
        for code, n in self.unknown_types.items():
            msg = f"type {code!r} is not a Meeting Guide type code ({n} meeting(s)); ignored"
            self.issue(None, "types", "unknown-type", msg)


def _fellowship_hints(name: str, group: str, types: list[str]) -> list[str]:
    hints = [_FELLOWSHIP_TYPES[t.upper()] for t in types if t.upper() in _FELLOWSHIP_TYPES]
    for text in (name, group):
        hints += [f for pattern, f in _FELLOWSHIP_NAMES if pattern.search(text)]
    return hints


def _rows(
    groups: dict[str, _Group], m: Mappings, prefix: str
) -> tuple[list[dict], set, list[Issue]]:
    rows, found, issues, used = [], set(), [], set()
    default = m.options.fellowship
    for g in groups.values():
        name = g.name or g.names.most_common(1)[0][0]
        where = (g.file, g.first_row)
        if not g.active:
            msg = (
                f"group {name!r}: all its meetings are inactive or temporarily closed; not imported"
            )
            issues.append(Issue(*where, None, "inactive-group", msg, "warning"))
            continue
        if not g.districts:
            row, text, why = g.problems[0]
            subject = f"address {text!r}" if text else "the meeting"
            msg = (
                f"group {name!r}: {subject} {why}; a group needs a district, so it is not imported"
            )
            code = "outside-area" if why.startswith("is outside") else "unknown-district"
            issues.append(Issue(g.file, row, "postal_code", code, msg, "warning"))
            continue
        (district, _), *others = g.districts.most_common()
        if others:
            names = ", ".join(m.districts.names.get(c, c) for c, _ in g.districts.most_common())
            msg = (
                f"group {name!r} meets in several districts ({names}); stored in the most frequent"
            )
            issues.append(Issue(*where, None, "several-districts", msg, "warning"))
        hints = Counter(g.fellowships)
        fellowship = hints.most_common(1)[0][0] if hints else default
        gid = f"{prefix}:{g.slug}"
        n = 2
        while gid in used:  # two keys with the same slug stay apart
            gid, n = f"{prefix}:{g.slug}-{n}", n + 1
        used.add(gid)
        found.add(district)
        rows.append(
            {
                "id": gid,
                "name": name,
                "fellowship": fellowship,
                "district": district,
                "cadence": cadence_for(len(g.slots)),
            }
        )
    return rows, found, issues


def read_meetings(
    paths: list[Path], options: MappingOptions | None = None
) -> tuple[dict[str, RawTable], list[Issue]]:
    """Read Meeting Guide JSON files into groups (and the districts they are in).

    Parameters
    ----------
    paths
        Meeting Guide ``.json`` files, read together (a group may span files).
    options
        District lookup, default fellowship and id prefix; default: ``data/mappings/``
        overridden by a ``gridvoices-mapping.json`` beside the first file.

    Returns
    -------
    tables, issues
        ``districts`` and ``groups`` as :class:`RawTable` of strings, and the issues met;
        rows are meeting numbers in the array (1 = first meeting).
    """
    paths = [Path(p) for p in paths]
    issues: list[Issue] = []
    if options is None:
        options, issues = (
            MappingOptions().with_sidecar(paths[0]) if paths else (MappingOptions(), [])
        )
    m, problems = load_mappings(options)
    issues += problems
    if options.fellowship not in vocab.FELLOWSHIPS:
        msg = f"fellowship {options.fellowship!r} is not one of: {', '.join(vocab.FELLOWSHIPS)}"
        issues.append(Issue("(options)", None, "fellowship", "bad-mapping", msg))
    groups: dict[str, _Group] = {}
    for p in paths:
        data, problems = load_json(p)
        issues += problems
        if data is None:
            continue
        f = _File(p.name, m, groups, issues)
        if not isinstance(data, list):
            f.issue(
                None,
                None,
                "wrong-type",
                "a Meeting Guide file is a JSON array of meetings",
                "error",
            )
            continue
        for n, rec in enumerate(data, start=1):
            f.meeting(rec, n)
        f.finish()
    rows, found, more = _rows(groups, m, options.id_prefix or "mg")
    issues += more
    label = ", ".join(p.name for p in paths)
    tables = {}
    if found:
        frame = pd.DataFrame(m.district_rows(found), columns=ENTITIES["districts"].column_names)
        tables["districts"] = RawTable("districts", frame.astype(str), f"{label} [districts]")
    if rows:
        frame = pd.DataFrame(rows, columns=ENTITIES["groups"].column_names, dtype=object)
        frame = frame.fillna("").astype(str)  # optional columns it has no value for: blank
        tables["groups"] = RawTable("groups", frame, f"{label} [groups]")
    else:
        issues.append(
            Issue(label, None, None, "nothing-to-import", "no groups to import", "warning")
        )
    return tables, issues
