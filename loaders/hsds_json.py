"""HSDS 3.0 / Open Referral UK JSON: API responses saved as files.

Two shapes, told apart by their first bytes (:func:`sniff`):

* a paged list, ``{"total_items", "total_pages", "page_number", ..., "contents": [...]}``
  (HSDS 3.0, ORUK 3.0), or ``{"totalElements", "totalPages", "number", ...,
  "content": [...]}`` (Open Referral UK v1, Spring-style pages);
* a single record (``/services/{id}``, ``/organizations/{id}``,
  ``/service_at_locations/{id}``), or HSDS 3.0 ``tabular.json`` (tables as arrays).

Records of both generations are read by the same code: v1 nests
``service_taxonomys[].taxonomy`` and ``location.physical_addresses``; 3.0 nests
``attributes[].taxonomy_term`` and ``location.addresses``. A folder of such
files (an API dump) is read as one directory; records repeated across files
are merged by id.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from gridvoices.ecosystem.issues import Issue
from gridvoices.loaders.hsds_model import Directory
from gridvoices.loaders.hsds_records import Reader, read_record
from gridvoices.loaders.hsds_sniff import load_json, read_head, sniff
from gridvoices.loaders.hsds_tabular import package_version, read_frames

__all__ = ["read_json_paths"]

_PAGING = {
    "hsds3": ("contents", "total_items", "total_pages", "page_number", 1),
    "oruk1": ("content", "totalElements", "totalPages", "number", 0),
}


def _read_list(r: Reader, data: dict, shape: str, filename: str, pages: list) -> None:
    items_key, total_key, pages_key, page_key, first = _PAGING[shape]
    if items_key not in data and "contents" in data:
        items_key, total_key, pages_key, page_key, first = _PAGING["hsds3"]
    items = data.get(items_key)
    if not isinstance(items, list):
        r.issue(None, items_key, "missing-value", f"a paged list needs a {items_key!r} array")
        return
    total, n_pages, page = data.get(total_key), data.get(pages_key), data.get(page_key)
    if isinstance(n_pages, int) and isinstance(page, int):
        pages.append((r.file, page - first + 1, n_pages))
        if n_pages == 1 and isinstance(total, int) and total != len(items):
            msg = f"{total_key} says {total} but the page holds {len(items)} items"
            r.issue(None, total_key, "bad-value", msg, "warning")
    kinds = {
        read_record(r, rec, n, filename, f"{items_key}[{n - 1}].") for n, rec in enumerate(items, 1)
    }
    if kinds & {"taxonomy", "location", "api_details"} and not kinds & {
        "service",
        "organization",
        "service_at_location",
    }:
        r.issue(
            None,
            None,
            "nothing-to-import",
            "a list of taxonomies / locations: nothing to import",
            "warning",
        )


def _read_tabular(r: Reader, data: dict, label: str, d: Directory) -> None:
    frames = {}
    for name, rows in data.items():
        if isinstance(rows, list) and all(isinstance(x, dict) for x in rows):
            frame = pd.DataFrame(rows, dtype=object).fillna("").astype(str)
            frames[name.lower()] = frame
        else:
            r.issue(None, name, "wrong-type", f"{name} should be an array of records")
    version = package_version(set(frames))
    d.formats.add(f"HSDS {version} (tabular JSON)")
    read_frames(frames, version, label, d, set(frames))


def read_json_paths(paths: list[Path], d: Directory, want: str) -> None:
    """Read JSON files (or folders of them) of kind ``want`` (``hsds3``/``oruk1``) into ``d``."""
    pages: list[tuple[str, int, int]] = []
    files = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.glob("*.json")):
                kind = sniff(read_head(f))
                if kind in (want, "tabular") or (want == "hsds3" and kind == "oruk1"):
                    files.append(f)
        else:
            files.append(p)
    for f in files:
        data, problems = load_json(f)
        d.issues += problems
        if data is None:
            continue
        r = Reader(d, f.name)
        shape = sniff(read_head(f)) or want
        if shape == "tabular" and isinstance(data, dict):
            _read_tabular(r, data, f.name, d)
        elif isinstance(data, list):
            for n, rec in enumerate(data, 1):
                read_record(r, rec, n, f.name, f"[{n - 1}].")
        elif isinstance(data, dict) and ({"content", "contents"} & set(data)):
            d.formats.add("Open Referral UK v1 JSON" if "content" in data else "HSDS 3.0 JSON")
            _read_list(r, data, "oruk1" if "content" in data else "hsds3", f.name, pages)
        elif isinstance(data, dict):
            kind = read_record(r, data, None, f.name)
            if kind in ("taxonomy", "location", "api_details"):
                msg = f"a single {kind.replace('_', ' ')} record: nothing to import"
                r.issue(None, None, "nothing-to-import", msg, "warning")
        else:
            r.issue(None, None, "wrong-type", "expected a JSON object or array")
        r.finish()
    _check_pages(pages, d)


def _check_pages(pages: list[tuple[str, int, int]], d: Directory) -> None:
    """Warn when a paged list was read only in part (pages missing from the files given)."""
    if not pages:
        return
    total = max(n for _, _, n in pages)
    have = {p for _, p, _ in pages}
    missing = sorted(set(range(1, total + 1)) - have)
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        msg = f"the list has {total} pages but page(s) {shown} were not given: "
        msg += "the directory is incomplete"
        d.issues.append(Issue(pages[0][0], None, None, "partial-list", msg, "warning"))
