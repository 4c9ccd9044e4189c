"""Editable mappings from service-directory vocabulary to the project's own.

Three CSV files in ``data/mappings/`` (or a user's copies) say how partner
data is translated; nothing here is hard-wired so a council can correct a
rule without touching code:

``taxonomy-domains.csv``
    ``scheme,match,pattern,domain,note``: a taxonomy term (or, as a fallback,
    the service's name and description) -> one recovery domain. First match in
    file order wins; taxonomy rules are tried before keyword rules.
``districts-*.csv``
    ``kind,value,districts,note``: a postcode sector / postcode district / town
    / service-area name -> ONS district code(s). ``outside`` marks places known
    to be outside the area, so they are reported as such rather than unknown.
``organisation-kinds.csv``
    ``field,pattern,kind,note``: hints in an organisation's name, description,
    legal/tax status or its services' domains -> an organisation kind.

Options (which files, keep unmapped services, the default fellowship, the id
prefix) come from :class:`MappingOptions`; a ``gridvoices-mapping.json`` next to
the data overrides the defaults, so the registry readers can honour a user's
lookup without any new argument.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from gridvoices.ecosystem import vocab
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.shipped import DERBYSHIRE, MAPPINGS
from gridvoices.loaders.mapping_domains import Decision, DomainRules, clean_text
from gridvoices.loaders.mapping_files import Term, read_rules, regex
from gridvoices.loaders.mapping_geo import Boundaries
from gridvoices.loaders.mapping_places import (
    OUTSIDE,
    DistrictLookup,
    Resolution,
    normalise,
    parse_postcode,
)

__all__ = [
    "carry_sidecar",
    "MAPPINGS_DIR",
    "SIDECAR",
    "OVERRIDES",
    "OUTSIDE",
    "MappingOptions",
    "Mappings",
    "DistrictLookup",
    "Resolution",
    "DomainRules",
    "Decision",
    "clean_text",
    "KindRules",
    "Term",
    "load_mappings",
    "normalise",
    "parse_postcode",
]

MAPPINGS_DIR = MAPPINGS
SIDECAR = "gridvoices-mapping.json"
OVERRIDES = "gridvoices-overrides.csv"  # a reviewed mapping CSV beside the data is applied


@dataclass(frozen=True)
class MappingOptions:
    """Which mapping files to use and how to treat what they do not cover.

    A ``gridvoices-mapping.json`` beside the data (in the folder, or the
    file's folder) may set any field; paths in it are relative to it.

    Attributes
    ----------
    taxonomy_domains, districts, organisation_kinds
        The three mapping CSVs (see the module docstring).
    district_borders
        A project ``districts.csv`` giving names and borders of the districts found.
    keep_unmapped
        Keep services no rule maps (as ``wraparound``), else leave them out; both reported.
    fellowship
        The fellowship of meetings whose name or types say nothing (Meeting Guide).
    id_prefix
        Prefix of the ids made (``hsds:<id>``, ``mg:<slug>``); None keeps each reader's.
    """

    taxonomy_domains: Path = MAPPINGS_DIR / "taxonomy-domains.csv"
    districts: Path = MAPPINGS_DIR / "districts-derbyshire.csv"
    organisation_kinds: Path = MAPPINGS_DIR / "organisation-kinds.csv"
    # Names and borders of districts found (the project's own districts file).
    district_borders: Path | None = DERBYSHIRE / "districts.csv"
    keep_unmapped: bool = True
    fellowship: str = "AA"
    id_prefix: str | None = None  # None: each reader's own ("hsds", "mg")
    # A reviewed copy of `gridvoices mapping review`'s CSV: its domain_override /
    # districts_override columns replace the rules' answers for those services.
    overrides: Path | None = None
    # A GeoJSON of district polygons: locations with coordinates are placed by
    # point-in-polygon when their address does not settle it.
    boundaries: Path | None = None
    boundary_id: str = "id"
    boundary_name: str = "name"

    def with_sidecar(self, path: Path) -> tuple[MappingOptions, list[Issue]]:
        """These options overridden by the ``gridvoices-mapping.json`` beside ``path``."""
        path = Path(path)
        folder = path if path.is_dir() else path.parent
        side = folder / SIDECAR
        if self.overrides is None and (folder / OVERRIDES).is_file():
            self = replace(self, overrides=folder / OVERRIDES)
        if not side.is_file():
            return self, []
        try:
            data = json.loads(side.read_text(encoding="utf-8-sig"))
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
        except (ValueError, OSError) as e:
            return self, [Issue(SIDECAR, None, None, "bad-mapping", f"not readable: {e}")]
        changes, issues = {}, []
        for key, value in data.items():
            if key in _PATH_OPTIONS:
                changes[key] = (folder / str(value)) if value else None
            elif key == "keep_unmapped" and isinstance(value, bool):
                changes[key] = value
            elif key in ("fellowship", "id_prefix", "boundary_id", "boundary_name") and isinstance(
                value, str
            ):
                changes[key] = value
            else:
                msg = f"{key!r} is not a mapping option (or has the wrong type); ignored"
                issues.append(Issue(SIDECAR, None, key, "bad-mapping", msg, "warning"))
        return replace(self, **changes), issues


_PATH_OPTIONS = (
    "taxonomy_domains",
    "districts",
    "organisation_kinds",
    "district_borders",
    "overrides",
    "boundaries",
)


def carry_sidecar(archive: Path, folder: Path) -> None:
    """Give the folder a ``.zip`` unpacked into the mapping files that sit beside the archive.

    A partner keeps ``gridvoices-mapping.json`` (and a reviewed overrides sheet) next to
    the export they downloaded; the import reads the unpacked copy in a temporary
    folder, so the sidecar is copied there with its paths made absolute. One inside the
    archive wins.
    """
    here = Path(archive).parent
    side, mine = here / SIDECAR, Path(folder) / SIDECAR
    if side.is_file() and not mine.exists():
        try:
            data = json.loads(side.read_text(encoding="utf-8-sig"))
        except (ValueError, OSError):
            data = None  # copied as it is: reading it again reports the problem
        if isinstance(data, dict):
            for key in _PATH_OPTIONS:
                if isinstance(data.get(key), str) and data[key]:
                    data[key] = str((here / data[key]).resolve())
            mine.write_text(json.dumps(data), encoding="utf-8")
        else:
            shutil.copyfile(side, mine)
    overrides = here / OVERRIDES
    if overrides.is_file() and not (Path(folder) / OVERRIDES).exists():
        shutil.copyfile(overrides, Path(folder) / OVERRIDES)


class KindRules:
    """Organisation hints -> organisation kind, from ``organisation-kinds.csv``."""

    FIELDS = ("name", "description", "status", "service_domain")

    def __init__(self, rules: list[tuple[str, re.Pattern, str]]):
        self.rules = rules

    @classmethod
    def load(cls, path: Path) -> tuple[KindRules, list[Issue]]:
        label = Path(path).name
        rows, issues = read_rules(path, ("field", "pattern", "kind"))
        rules = []
        for r in rows:
            if r["field"] not in cls.FIELDS:
                msg = f"{r['field']!r} is not one of: {', '.join(cls.FIELDS)}"
                issues.append(Issue(label, r["_row"], "field", "bad-mapping", msg))
            elif r["kind"] not in vocab.ORG_KINDS:
                msg = f"{r['kind']!r} is not one of: {', '.join(vocab.ORG_KINDS)}"
                issues.append(Issue(label, r["_row"], "kind", "bad-mapping", msg))
            elif (p := regex(label, r, "pattern", issues)) is not None:
                rules.append((r["field"], p, r["kind"]))
        return cls(rules), issues

    def kind_for(self, name: str, description: str, status: str, domains: list[str]) -> str:
        """The first rule's kind that matches, else ``other``."""
        top = Counter(domains).most_common(1)[0][0] if domains else ""
        values = {"name": name, "description": description, "status": status}
        for fld, pattern, kind in self.rules:
            if fld == "service_domain":
                if top and pattern.fullmatch(top):
                    return kind
            elif values[fld] and pattern.search(values[fld]):
                return kind
        return "other"


@dataclass
class Mappings:
    """The three loaded mapping files and the options they came with."""

    options: MappingOptions
    domains: DomainRules
    kinds: KindRules
    districts: DistrictLookup
    borders: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # code -> name, borders
    # directory service id -> (domain or "", district codes or ()) from a reviewed CSV
    overrides: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    boundaries: Boundaries | None = None

    def district_rows(self, codes: set[str]) -> list[dict[str, str]]:
        """Rows of the districts table: every district of the borders file, with all its
        borders, and any other district found.

        The whole geography is written, not just the districts found, so importing a
        directory never overwrites a district's row with a partial list of borders.
        Borders to districts in neither set would be unknown references and are left out.
        """
        rows = []
        # The borders file's districts are added only when the data is about them:
        # a Miami directory must not gain the eight Derbyshire districts.
        codes = set(codes) | (set(self.borders) if set(codes) & set(self.borders) else set())
        for code in sorted(codes):
            name, borders = self.borders.get(code, ("", []))
            rows.append(
                {
                    "id": code,
                    "name": self.districts.names.get(code) or name or code,
                    "borders": ";".join(b for b in borders if b in codes),
                }
            )
        return rows


def _load_borders(path: Path | None) -> dict[str, tuple[str, list[str]]]:
    if path is None or not Path(path).is_file():
        return {}
    rows, _ = read_rules(path, ("id", "name"))
    return {
        r["id"]: (r["name"], [b.strip() for b in r.get("borders", "").split(";") if b.strip()])
        for r in rows
    }


def load_mappings(options: MappingOptions | None = None) -> tuple[Mappings, list[Issue]]:
    """Load the mapping files ``options`` names.

    Returns
    -------
    mappings, issues
        The rules, lookup and borders; problems in the files are errors naming
        file:row:column (bad rows are skipped, so the rest still applies).
    """
    options = options or MappingOptions()
    domains, issues = DomainRules.load(options.taxonomy_domains)
    kinds, more = KindRules.load(options.organisation_kinds)
    issues += more
    districts, more = DistrictLookup.load(options.districts)
    issues += more
    overrides, more = _load_overrides(options.overrides)
    issues += more
    borders = _load_borders(options.district_borders)
    boundaries = None
    if options.boundaries is not None:
        boundaries, more = Boundaries.load(
            options.boundaries, options.boundary_id, options.boundary_name
        )
        issues += more
        for code, name in boundaries.names.items():
            districts.names.setdefault(code, name)
    return Mappings(options, domains, kinds, districts, borders, overrides, boundaries), issues


def _load_overrides(path: Path | None) -> tuple[dict, list[Issue]]:
    """``service_id -> (domain, districts)`` from a reviewed ``mapping review`` CSV."""
    if path is None:
        return {}, []
    rows, issues = read_rules(path, ("service_id", "domain_override", "districts_override"))
    out = {}
    label = Path(path).name
    for r in rows:
        dom = r["domain_override"]
        if dom and dom not in vocab.DOMAINS:
            msg = f"{dom!r} is not one of: {', '.join(vocab.DOMAINS)}; the row is ignored"
            issues.append(Issue(label, r["_row"], "domain_override", "bad-mapping", msg))
            continue
        codes = tuple(c.strip() for c in r["districts_override"].split(";") if c.strip())
        if dom or codes:
            out[r["service_id"]] = (dom, codes)
    return out, issues
