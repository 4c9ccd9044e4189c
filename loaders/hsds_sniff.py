"""Telling HSDS / Open Referral UK JSON apart by its first bytes, and loading it safely.

Detection reads at most 64 KB of a file: the top-level shape (object or array)
and the keys seen (``contents`` / ``total_items`` for HSDS 3.0 pages,
``content`` / ``totalElements`` and v1-only names such as ``service_taxonomys``
for Open Referral UK v1). JSON Schema and OpenAPI documents that describe the
format (they mention the same keys) are recognised and refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from gridvoices.ecosystem.issues import Issue

__all__ = ["sniff", "sniff_path", "read_head", "load_json", "V1_KEYS"]

_HEAD = 65536
_KEY = re.compile(r'"([A-Za-z_][\w.]*)"\s*:')
# Keys only Open Referral UK v1 uses (sic: "service_taxonomys", "eligibilitys").
V1_KEYS = {
    "totalElements",
    "service_taxonomys",
    "eligibilitys",
    "regular_schedules",
    "holiday_schedules",
    "physical_addresses",
    "link_taxonomies",
    "fundings",
}
_V3_KEYS = {
    "total_items",
    "contents",
    "service_at_locations",
    "organization",
    "taxonomy_terms",
    "taxonomy_term",
    "taxonomy_detail",
    "term_uri",
    "location_type",
    "parent_organization_id",
    "organization_identifiers",
    "assured_date",
    "service_areas",
    "openapi_url",
}
# Keys of a service or organisation record, in either generation.
_ITEM_KEYS = {"organization", "organization_id", "service_at_locations", "status", "services"}
_ITEM_KEYS |= {"eligibility_description", "fees", "accreditations", "contacts", "website"}
# Meeting Guide lists are arrays too; their reader takes them.
_MEETING = {"slug", "day", "time", "types", "formatted_address"}
_SCHEMA_KEYS = {"$schema", "$id", "properties", "allOf", "anyOf", "oneOf", "openapi", "swagger"}
_SCHEMA_KEYS |= {"definitions", "type", "required"}


def sniff(head: str) -> str | None:
    """``oruk1``, ``hsds3`` or ``tabular`` from the first bytes of a JSON file, or None."""
    text = head.lstrip("\ufeff \t\r\n")
    if text[:1] not in ("{", "["):
        return None
    first = re.match(r'\{\s*"([^"]*)"', text)
    keys = set(_KEY.findall(text))
    if first and (first.group(1) in _SCHEMA_KEYS or {"title", "type", "properties"} <= keys):
        return None  # a JSON Schema / OpenAPI document describing the format, not data
    if any(k.endswith(".csv") for k in keys) and text[0] == "{":
        return "tabular"
    if keys & V1_KEYS or re.match(r'\{\s*"content"\s*:\s*\[', text):
        return "oruk1"
    if text[0] == "{" and (keys & _V3_KEYS or {"version", "openapi_url"} <= keys):
        return "hsds3"
    if text[0] == "[" and {"id", "name"} <= keys and keys & _ITEM_KEYS and not keys & _MEETING:
        # A bare array of services (a council's /services pages joined): the v3
        # reader reads v1 and 3.0 records alike.
        return "hsds3"
    return None


def read_head(path: Path) -> str:
    """The first 64 KB of a file as text (enough to tell the shape and keys)."""
    with open(path, "rb") as f:
        return f.read(_HEAD).decode("utf-8", errors="ignore")


def sniff_path(path: Path) -> str | None:
    """What a file or a folder of JSON files is (the first recognised file decides)."""
    try:
        if path.is_file():
            return sniff(read_head(path)) if path.suffix.lower() == ".json" else None
        if path.is_dir() and not (path / "services.csv").exists():
            for f in sorted(path.glob("*.json")):
                kind = sniff(read_head(f))
                if kind:
                    return kind
    except OSError:
        return None
    return None


def load_json(path: Path) -> tuple[object | None, list[Issue]]:
    """Parse a JSON file; on failure an issue (truncated files are named as such)."""
    label = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, [Issue(label, None, None, "encoding", f"not UTF-8 (byte {e.start})")]
    except OSError as e:
        return None, [Issue(label, None, None, "unreadable", str(e))]
    if not text.strip():
        return None, [Issue(label, None, None, "empty-file", "the file is empty")]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as e:
        # A complete document ends with its closing bracket; anything else was cut short.
        cut = not text.rstrip().endswith(("}", "]")) or e.pos >= len(text.rstrip())
        hint = "; the file ends early (truncated?)" if cut else ""
        msg = f"not valid JSON at line {e.lineno} column {e.colno}: {e.msg}{hint}"
        return None, [Issue(label, e.lineno, None, "bad-json", msg)]
