"""Places: postcode sectors / districts, exact postal codes, towns and area names -> districts.

District codes are whatever scheme the user declares (ONS ``E07000034``, US
FIPS ``12086``, a council's ``ward:07``); ``outside`` marks places known to be
outside the area, so they are reported as such rather than unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gridvoices.ecosystem.issues import Issue
from gridvoices.loaders.mapping_files import read_rules

__all__ = ["DistrictLookup", "Resolution", "OUTSIDE", "normalise", "parse_postcode"]

OUTSIDE = "outside"
_CODE = re.compile(r"[\w.:-]+")
_ONS = re.compile(r"\b([EWSN]\d{8})\b")
# Outward code (S40, SK17, DE4, NG10) then the sector digit of the inward code.
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d)[A-Z]{2}\b")
_OUTWARD = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(?:\s+(\d))?$")


def normalise(text: object) -> str:
    """Lower case, punctuation and hyphens to spaces, single spaces (for place names).

    >>> normalise("  Chapel-en-le-Frith ")
    'chapel en le frith'
    """
    s = re.sub(r"[^\w]+", " ", str(text or "").lower())
    return " ".join(s.split())


def parse_postcode(text: object) -> tuple[str, str | None] | None:
    """The outward code and sector (``("S40", "S40 1")``) in a postcode or address, or None.

    >>> parse_postcode("1 Market Place, Chesterfield S40 1TX")
    ('S40', 'S40 1')
    >>> parse_postcode("sk17")
    ('SK17', None)
    """
    s = str(text or "").upper().strip()
    m = _POSTCODE.search(s)
    if m:
        return m.group(1), f"{m.group(1)} {m.group(2)}"
    m = _OUTWARD.match(s)
    if m:
        return m.group(1), (f"{m.group(1)} {m.group(2)}" if m.group(2) else None)
    return None


@dataclass
class Resolution:
    """Where a place is: its districts, or why it could not be placed."""

    districts: tuple[str, ...] = ()
    outside: bool = False
    problem: str = ""  # "" when placed (or outside); else a sentence for the report


@dataclass
class DistrictLookup:
    """Postcode sectors/districts, towns and area names -> ONS district codes."""

    label: str
    sectors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    outwards: dict[str, tuple[str, ...]] = field(default_factory=dict)
    towns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    areas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # ONS code -> district name

    postal: dict[str, tuple[str, ...]] = field(default_factory=dict)  # exact codes (US ZIP)

    KINDS = ("name", "town", "area", "postcode_district", "postcode_sector", "postal_code")

    @classmethod
    def load(cls, path: Path) -> tuple[DistrictLookup, list[Issue]]:
        label = Path(path).name
        rows, issues = read_rules(path, ("kind", "value", "districts"))
        out = cls(label)
        for r in rows:
            codes = tuple(c.strip() for c in r["districts"].split(";") if c.strip())
            # Any code scheme the user declares: ONS (E07000034), US FIPS (12086), ward ids.
            bad = [c for c in codes if c != OUTSIDE and not _CODE.fullmatch(c)]
            if r["kind"] not in cls.KINDS:
                msg = f"{r['kind']!r} is not one of: {', '.join(cls.KINDS)}"
                issues.append(Issue(label, r["_row"], "kind", "bad-mapping", msg))
            elif bad or not codes:
                msg = f"{', '.join(bad) or 'blank'}: district codes are letters, digits, "
                msg += f"'.', ':', '-' or '_' (ONS, FIPS, ward ids …) or '{OUTSIDE}'"
                issues.append(Issue(label, r["_row"], "districts", "bad-mapping", msg))
            elif r["kind"] == "postal_code":
                out.postal[normalise(r["value"])] = codes
            elif r["kind"] == "postcode_district":
                out.outwards[r["value"].upper().replace(" ", "")] = codes
            elif r["kind"] == "postcode_sector":
                outward, sector = parse_postcode(r["value"]) or ("", None)
                if sector is None:
                    msg = f"{r['value']!r} is not a postcode sector like 'SK17 6'"
                    issues.append(Issue(label, r["_row"], "value", "bad-mapping", msg))
                else:
                    out.sectors[sector] = codes
            else:
                key = normalise(r["value"])
                (out.areas if r["kind"] == "area" else out.towns)[key] = codes
                if r["kind"] == "name":
                    out.areas[key] = codes
                    out.names.setdefault(codes[0], r["value"])
        return out, issues

    def _town(self, places: list[str]) -> tuple[str, ...]:
        for p in places:
            codes = self.towns.get(normalise(p))
            if codes:
                return codes
        return ()

    def for_address(self, postcode: str, places: list[str]) -> Resolution:
        """Districts of an address from its postcode and locality fields (city, address lines).

        A postcode district shared by several districts is settled by a town
        in ``places`` (or a postcode sector row); otherwise it is reported, not guessed.
        """
        exact = self.postal.get(normalise(postcode)) if postcode else None
        if exact and len(exact) == 1:
            return Resolution(exact, outside=exact[0] == OUTSIDE)
        pc = parse_postcode(postcode)
        if postcode.strip() and pc is None and (self.outwards or self.sectors):
            # A postcode of another country (Melbourne FL 32941): a UK lookup's town of
            # the same name (Melbourne, South Derbyshire) must not claim it.
            return Resolution(problem=f"postcode {postcode.strip()!r} is not a UK postcode")
        town = self._town(places)
        if pc:
            outward, sector = pc
            codes = self.sectors.get(sector or "") or self.outwards.get(outward)
            if codes and len(codes) == 1:
                return Resolution(codes, outside=codes[0] == OUTSIDE)
            if codes:
                both = [c for c in town if c in codes]
                if len(both) == 1:
                    return Resolution((both[0],), outside=both[0] == OUTSIDE)
                shared = " / ".join(self.names.get(c, c) for c in codes)
                return Resolution(
                    problem=f"postcode district {outward} is shared ({shared}) "
                    "and the town does not settle it"
                )
        if len(town) == 1:
            return Resolution(town, outside=town[0] == OUTSIDE)
        if town:
            return Resolution(problem="the town is listed for several districts")
        return Resolution(problem=f"neither postcode nor town is in {self.label}")

    def for_area(self, *texts: str) -> Resolution:
        """Districts a service area covers, from its name / description / URI.

        An ONS code in the text counts (a statistics.data.gov.uk URI), as does
        a whole name that is an area, district or town of the lookup.
        """
        tables = (self.towns, self.areas, self.outwards, self.sectors, self.postal)
        known = {c for table in tables for codes in table.values() for c in codes}
        found: list[str] = []
        for t in texts:
            for code in _ONS.findall(t or ""):
                found += [code] if code in known else list(self.areas.get(code.lower(), ()))
            key = normalise(t)
            if key in self.areas:
                found += self.areas[key]
            elif len(self.towns.get(key, ())) == 1:
                found += self.towns[key]
        inside = tuple(dict.fromkeys(c for c in found if c != OUTSIDE))
        if inside:
            return Resolution(inside)
        if found:
            return Resolution(outside=True)
        return Resolution(problem=f"not an area, district or town in {self.label}")
