"""Why no reader took a path: a sentence naming what was seen and what was expected.

A partner who is told "not a format gridvoices reads" cannot fix anything; one
who is told "a JSON array whose items have the keys slug, title, body; expected
services (id, name, organization) or meetings (name, day, time, types)" can.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from gridvoices.loaders.hsds_files import load_descriptor
from gridvoices.loaders.hsds_sniff import read_head

__all__ = ["why_not", "FORMATS_READ"]

FORMATS_READ = (
    "gridvoices reads: the project's CSV folder or .xlsx workbook; an HSDS 1.1/2.0/3.0 or "
    "ORUK 3.0 data package (folder, datapackage.json or .zip); HSDS 3.0 / ORUK 3.0 / ORUK v1 "
    "JSON (a bare array of services, API pages with 'content' or 'contents', full records, "
    "or a folder of page files); a Meeting Guide JSON list of meetings"
)
_KEY = re.compile(r'"([A-Za-z_$][\w.$]*)"\s*:')


def _keys(head: str, n: int = 8) -> str:
    keys = list(dict.fromkeys(_KEY.findall(head)))
    return ", ".join(keys[:n]) + (" …" if len(keys) > n else "") if keys else "none"


def _json(path: Path) -> str:
    head = read_head(path).lstrip("\ufeff \t\r\n")
    if not head:
        return "an empty file"
    if head[0] == "[":
        return (
            f"a JSON array whose items have the keys {_keys(head)}; expected services "
            "(id, name, organization / service_at_locations / status) or Meeting Guide "
            "meetings (name, day, time, types)"
        )
    if head[0] != "{":
        return "a .json file that does not start with an object or array (is it JSON?)"
    first = re.match(r'\{\s*"([^"]*)"', head)
    if first and first.group(1) in ("$schema", "$id", "openapi", "swagger", "definitions"):
        return "a JSON Schema / OpenAPI document that describes a format; give the data instead"
    return (
        f"a JSON object with the keys {_keys(head)}; expected an API page ('content' or "
        "'contents' holding services), a service or organisation record, or tabular.json"
    )


def _folder(path: Path) -> str:
    names = sorted(p.name for p in path.iterdir())
    if not names:
        return "an empty folder"
    descriptor, _ = load_descriptor(path)
    if descriptor is not None:
        paths = [str(r.get("path")) for r in descriptor.get("resources", []) if isinstance(r, dict)]
        if not any(p.lower().endswith("services.csv") for p in paths):
            return "a data package whose datapackage.json lists no services.csv"
        return (
            "a data package whose services.csv (listed in datapackage.json) is neither where "
            "its resource path says nor in a data/ sub-folder"
        )
    csvs = [n for n in names if n.lower().endswith(".csv")]
    subs = [n + "/" for n in names if (path / n).is_dir()]
    shown = ", ".join((csvs + subs + [n for n in names if n.endswith(".json")])[:8]) or "no CSV"
    return (
        f"a folder holding {shown}: no services.csv here or in one sub-folder, no project "
        "CSV (services.csv, organisations.csv …) and no JSON file recognised"
    )


def why_not(path: Path) -> str:
    """Why ``path`` is not read, and what would be.

    >>> why_not(Path("notes.pdf")).split(";")[0]
    'a .pdf file is not a directory export'
    """
    path = Path(path)
    try:
        if path.is_dir():
            what = _folder(path)
        elif path.name.lower() == "datapackage.json":
            what = _folder(path.parent)
        elif path.suffix.lower() == ".json":
            what = _json(path)
        elif path.suffix.lower() == ".csv":
            what = (
                f"{path.name} is not a table of the project's format; for an HSDS package "
                "give its folder"
            )
        else:
            what = f"a {path.suffix or 'suffix-less'} file is not a directory export"
    except (OSError, json.JSONDecodeError) as e:
        what = f"not readable ({e})"
    return f"{what}; {FORMATS_READ}"
