"""HSDS tabular data packages (1.1, 2.0.x, 3.0 and the Open Referral UK 3.0 CSV layout).

A package is a folder of CSV files, usually with a ``datapackage.json``. The
version is told by its table names (3.0: ``service_at_location.csv``,
``attributes.csv``, ``addresses.csv``; 2.0: ``service_attributes.csv``,
``taxonomy_terms.csv``; otherwise 1.1: ``services_taxonomy.csv``,
``taxonomy.csv``, ``physical_addresses.csv``), because a package's own
``version`` is the data set's, not the standard's. Only the tables that carry
organisations, services, places and taxonomy are read; their columns are
checked against the standard (missing required ones, non-standard ones).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from gridvoices.ecosystem.issues import Issue
from gridvoices.loaders.csvfiles import read_csv_file
from gridvoices.loaders.hsds_files import package_files
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
from gridvoices.loaders.hsds_spec import (
    ALIASES,
    COLUMNS,
    CORE,
    NEEDED,
    STANDARD_FILES,
    V2_ONLY,
    V3_ONLY,
)
from gridvoices.loaders.mapping import Term

__all__ = ["is_package", "package_version", "read_package", "read_frames"]


def is_package(path: Path) -> bool:
    """A folder (or its ``datapackage.json``) holding HSDS tables: cheap, by file names only.

    ``organizations.csv`` (American spelling) and a service table tell it from
    the project's own CSV folder (``organisations.csv``). The tables may sit one
    sub-folder down (``data/``) or where the descriptor's resource paths say.
    """
    folder = path.parent if path.name == "datapackage.json" else path
    if not folder.is_dir():
        return False
    has = set(package_files(folder)[0])
    if "services.csv" in has and ("organizations.csv" in has or has & (V3_ONLY | V2_ONLY)):
        return True
    return "services.csv" in has and (folder / "datapackage.json").is_file()


def package_version(names: set[str], descriptor: dict | None = None) -> str:
    """1.1, 2.0 or 3.0, from table file names (and resource names in the descriptor)."""
    resources = {
        str(r.get("name", ""))
        for r in (descriptor or {}).get("resources", [])
        if isinstance(r, dict)
    }
    if names & V3_ONLY or resources & {
        "attribute",
        "address",
        "cost_option",
        "organization_identifier",
    }:
        return "3.0"
    if names & V2_ONLY or resources & {"service_attribute", "taxonomy_term"}:
        return "2.0"
    return "1.1"


def _folder_frames(folder: Path) -> tuple[dict[str, pd.DataFrame], str, set[str], list[Issue]]:
    files, descriptor, issues = package_files(folder)
    version = package_version(set(files), descriptor)
    wanted = set(COLUMNS[version]) | set(ALIASES[version].values())
    frames = {}
    for name, p in files.items():
        if name not in wanted:
            continue
        table, problems = read_csv_file(name, p)
        issues += [_relabel(i, folder) for i in problems]
        if table is not None:
            frames[name] = table.frame
    return frames, version, set(files), issues


def _relabel(i: Issue, folder: Path) -> Issue:
    return Issue(f"{folder.name}/{i.file}", i.row, i.column, i.code, i.message, i.severity)


def _check_files(names: set[str], version: str, label: str) -> list[Issue]:
    issues = []
    aliases = ALIASES[version]
    for name in sorted(names - STANDARD_FILES[version]):
        standard = next((k for k, v in aliases.items() if v == name), None)
        if standard and standard not in names:
            msg = f"not an HSDS {version} file name; read as {standard}"
        elif standard:
            msg = f"not an HSDS {version} file name and {standard} is also present; ignored"
        else:
            msg = f"not an HSDS {version} table; ignored"
        issues.append(Issue(f"{label}/{name}", None, None, "unknown-file", msg, "warning"))
    return issues


def _resolve_aliases(frames: dict[str, pd.DataFrame], version: str) -> dict[str, pd.DataFrame]:
    out = {k: v for k, v in frames.items() if k in STANDARD_FILES[version]}
    for standard, alias in ALIASES[version].items():
        if standard not in out and alias in frames:
            out[standard] = frames[alias]
    return out


def _check_columns(
    name: str, frame: pd.DataFrame, version: str, label: str
) -> tuple[bool, list[Issue]]:
    """Missing required and non-standard columns; False when a needed column is missing."""
    known, required = (set(s.split()) for s in COLUMNS[version][name])
    file, issues, usable = f"{label}/{name}", [], True
    for col in sorted((required | NEEDED.get(name, set())) - set(frame.columns)):
        if col in NEEDED.get(name, ()):
            usable = False
            if name in CORE:
                msg = f"required column {col!r} is missing"
                issues.append(Issue(file, 1, col, "missing-column", msg))
            else:
                msg = f"required column {col!r} is missing; the table is not read"
                issues.append(Issue(file, 1, col, "missing-column", msg, "warning"))
        else:
            msg = f"column {col!r} is required by HSDS {version} but missing"
            issues.append(Issue(file, 1, col, "missing-column", msg, "warning"))
    for col in [c for c in frame.columns if c not in known]:
        msg = f"column {col!r} is not part of HSDS {version} {name}; ignored"
        issues.append(Issue(file, 1, col, "unknown-column", msg, "warning"))
    return usable, issues


def _rows(frame: pd.DataFrame | None) -> Iterator[tuple[int, dict[str, str]]]:
    """(spreadsheet row, record) pairs: header is row 1. No table, no rows."""
    if frame is None:
        return
    for n, rec in enumerate(frame.to_dict("records"), start=2):
        yield n, {k: str(v).strip() for k, v in rec.items()}


def read_frames(
    frames: dict[str, pd.DataFrame],
    version: str,
    label: str,
    d: Directory,
    names: set[str] | None = None,
) -> None:
    """Fill ``d`` from a package's tables (file name -> DataFrame of strings).

    ``names`` are all the package's file names (to report non-standard ones).
    """
    d.issues += _check_files(names or set(frames), version, label)
    frames = _resolve_aliases(frames, version)
    tables: dict[str, pd.DataFrame] = {}
    for name, frame in frames.items():
        if name in COLUMNS[version]:
            usable, problems = _check_columns(name, frame, version, label)
            d.issues.extend(problems)
            if usable:
                tables[name] = frame
    if "services.csv" not in tables:
        if "services.csv" not in frames:
            d.issues.append(
                Issue(label, None, None, "missing-file", "the package has no services.csv")
            )
        return
    _read_orgs(tables, label, d)
    _read_locations(tables, version, label, d)
    terms, links = _read_terms(tables, version, label)
    _read_services(tables, terms, links, label, d)


def _read_orgs(tables, label, d: Directory) -> None:
    for row, r in _rows(tables.get("organizations.csv")):
        where = Where(f"{label}/organizations.csv", row)
        if not r.get("id") or not r.get("name"):
            col = "id" if not r.get("id") else "name"
            d.issues.append(where.issue("missing-value", f"organisation has no {col}", column=col))
            continue
        status = " ".join(x for x in (r.get("legal_status", ""), r.get("tax_status", "")) if x)
        d.add_org(Org(r["id"], r["name"], r.get("description", ""), status, where))


def _read_locations(tables, version, label, d: Directory) -> None:
    for row, r in _rows(tables.get("locations.csv")):
        if r.get("id"):
            where = Where(f"{label}/locations.csv", row)
            lat, lon = (
                coordinate(r.get("latitude", ""), 90),
                coordinate(r.get("longitude", ""), 180),
            )
            d.add_location(Location(r["id"], r.get("name", ""), [], where, lat, lon))
    files = (
        ["addresses.csv"]
        if version == "3.0"
        else ["physical_addresses.csv", "postal_addresses.csv"]
    )
    for name in files:
        for row, r in _rows(tables.get(name)):
            loc = d.locations.get(r.get("location_id", ""))
            where = Where(f"{label}/{name}", row)
            if loc is None:
                msg = f"location_id {r.get('location_id', '')!r} is not in locations.csv; ignored"
                d.issues.append(
                    where.issue("unknown-reference", msg, "warning", column="location_id")
                )
                continue
            kind = r.get("address_type", "physical" if name.startswith("physical") else "postal")
            places = [
                r.get(k, "") for k in ("city", "address_2", "address_3", "address_4", "region")
            ]
            parts = [r.get(k, "") for k in ("address_1", "address_2", "city", "postal_code")]
            text = ", ".join(p for p in parts if p)
            loc.addresses.append(
                Address(r.get("postal_code", ""), places, text, where, kind.lower() != "postal")
            )


def _read_terms(tables, version, label) -> tuple[dict[str, Term], list[tuple[str, str, Where]]]:
    """Taxonomy terms by id, and (service id, term id, where) links."""
    terms: dict[str, Term] = {}
    links: list[tuple[str, str, Where]] = []
    # NEEDED guarantees the id columns of the tables used here.
    schemes = {r["id"]: r.get("name", "") for _, r in _rows(tables.get("taxonomies.csv"))}
    if version == "1.1":
        for _, r in _rows(tables.get("taxonomy.csv")):
            terms[r["id"]] = Term(r.get("vocabulary", ""), "", r.get("name", ""), r["id"])
        for row, r in _rows(tables.get("services_taxonomy.csv")):
            where = Where(f"{label}/services_taxonomy.csv", row, "taxonomy_id")
            links.append((r.get("service_id", ""), r.get("taxonomy_id", ""), where))
    elif version == "2.0":
        for _, r in _rows(tables.get("taxonomy_terms.csv")):
            terms[r["id"]] = Term(r.get("taxonomy", ""), "", r.get("term", ""), r["id"])
        for row, r in _rows(tables.get("service_attributes.csv")):
            where = Where(f"{label}/service_attributes.csv", row, "taxonomy_term_id")
            links.append((r.get("service_id", ""), r.get("taxonomy_term_id", ""), where))
    else:
        for _, r in _rows(tables.get("taxonomy_terms.csv")):
            scheme = r.get("taxonomy", "") or schemes.get(r.get("taxonomy_id", ""), "")
            name = r.get("name", "") or r.get("term", "")
            terms[r["id"]] = Term(scheme, r.get("code", ""), name, r["id"])
        for row, r in _rows(tables.get("attributes.csv")):
            if r.get("link_entity", "service").lower() in ("service", "services", ""):
                where = Where(f"{label}/attributes.csv", row, "taxonomy_term_id")
                links.append((r.get("link_id", ""), r.get("taxonomy_term_id", ""), where))
    return terms, links


def _read_services(tables, terms, links, label, d: Directory) -> None:
    file = f"{label}/services.csv"
    for row, r in _rows(tables["services.csv"]):
        where = Where(file, row)
        missing = [c for c in ("id", "name", "organization_id") if not r.get(c)]
        if missing:
            msg = f"service has no {missing[0]}; it is not imported"
            d.issues.append(where.issue("missing-value", msg, column=missing[0]))
            continue
        if r["organization_id"] not in d.orgs:
            msg = f"organization_id {r['organization_id']!r} is not in organizations.csv"
            d.issues.append(where.issue("unknown-reference", msg, column="organization_id"))
            continue
        if not r.get("status") and "status" in tables["services.csv"].columns:
            d.issues.append(
                where.issue("missing-value", "no status; counted as active", "warning", "status")
            )
        svc = Service(
            r["id"],
            r["name"],
            r["organization_id"],
            where,
            r.get("description", ""),
            r.get("status", ""),
        )
        for tid in (t.strip() for t in r.get("taxonomy_ids", "").split(",")):
            if tid:
                links.append((r["id"], tid, Where(file, row, "taxonomy_ids")))
        d.add_service(svc)
    services = d.services
    for sid, tid, where in links:
        if sid not in services:
            continue  # links of services not imported, or of other entities
        if tid not in terms:
            msg = f"taxonomy term {tid!r} is not defined in the package; ignored"
            d.issues.append(where.issue("unknown-taxonomy-term", msg, "warning"))
        elif terms[tid] not in services[sid].terms:
            services[sid].terms.append(terms[tid])
    for name in ("services_at_location.csv", "service_at_location.csv"):
        for row, r in _rows(tables.get(name)):
            sid, lid = r.get("service_id", ""), r.get("location_id", "")
            if sid in services and lid in d.locations:
                services[sid].locations.append(lid)
            elif sid in services:
                msg = f"location_id {lid!r} is not in locations.csv; ignored"
                d.issues.append(
                    Where(f"{label}/{name}", row, "location_id").issue(
                        "unknown-reference", msg, "warning"
                    )
                )
    for row, r in _rows(tables.get("service_areas.csv")):
        sid = r.get("service_id", "")
        if sid in services:
            name = r.get("service_area", "") or r.get("name", "")
            where = Where(f"{label}/service_areas.csv", row, "service_area")
            services[sid].areas.append(
                Area(name, r.get("description", ""), r.get("uri", ""), where)
            )


def read_package(paths: list[Path], d: Directory) -> None:
    """Read HSDS package folders (or their ``datapackage.json``) into ``d``."""
    for p in paths:
        folder = p.parent if p.name == "datapackage.json" else p
        frames, version, names, issues = _folder_frames(folder)
        d.issues += issues
        d.formats.add(f"HSDS {version}")
        # Name the sub-folder the tables came from (miami/data/services.csv:666).
        services = package_files(folder)[0].get("services.csv")
        label = folder.name
        if services is not None and services.parent.resolve() != folder.resolve():
            label = f"{folder.name}/{services.parent.name}"
        read_frames(frames, version, label, d, names)
