"""Survey exports as partners have them, turned into feedback through a mapping file.

An online form exports a CSV with its own column names and answer labels.
A small TOML file says which column holds which feedback field, how answers
translate to codes and what to assume for fields the survey does not ask::

    [columns]                       # feedback field = survey column
    id = "Response ID"              # optional: else a hash of the whole row
    about = "Which service is this about?"
    giver = "I am..."
    rating = "Overall rating"
    chime = "What did it help with?"
    barrier = "Did anything get in the way?"
    comment = "Anything else you want to tell us?"

    [defaults]                      # fixed values for fields the survey does not ask
    period = "2024-Q3"
    channel = "online_form"

    [values.about]                  # answer label = code (here: service names -> ids)
    "Lantern Recovery Hub" = "svc-hub-ch"

    [values.giver]
    "I am in recovery" = "person_in_recovery"

    [lists]                         # separator of multiple-choice answers
    chime = ","

Answers that match a vocabulary label ("Too far", "Hope") need no entry. Survey
columns that look like they identify a person are never read (and reported);
problems name the survey's own column: ``survey.csv:4:Overall rating (rating)``.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pandas as pd
from gridvoices.ecosystem import vocab
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import ENTITIES, LIST_SEP
from gridvoices.loaders.csvfiles import read_csv_file
from gridvoices.loaders.identifiers import identifying_column
from gridvoices.loaders.validate import RawTable

__all__ = ["read_survey", "survey_columns"]

_FIELDS = ENTITIES["feedback"].column_names
_LABELS = {
    "giver": vocab.FEEDBACK_GIVERS,
    "channel": vocab.FEEDBACK_CHANNELS,
    "chime": vocab.CHIME,
    "barrier": vocab.FEEDBACK_BARRIERS,
}


def _load_mapping(path: Path) -> tuple[dict, list[Issue]]:
    try:
        m = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        return {}, [Issue(Path(path).name, None, None, "unreadable", f"cannot read: {e}")]
    except tomllib.TOMLDecodeError as e:
        return {}, [Issue(Path(path).name, None, None, "bad-mapping", f"not valid TOML: {e}")]
    issues = []
    for section in ("columns", "defaults", "lists"):
        for field in m.get(section, {}):
            if field not in _FIELDS:
                issues.append(
                    Issue(
                        Path(path).name,
                        None,
                        f"{section}.{field}",
                        "bad-mapping",
                        f"{field!r} is not a feedback field (one of: {', '.join(_FIELDS)})",
                    )
                )
    for field in m.get("values", {}):
        if field not in _FIELDS:
            issues.append(
                Issue(
                    Path(path).name,
                    None,
                    f"values.{field}",
                    "bad-mapping",
                    f"{field!r} is not a feedback field",
                )
            )
    return m, issues


def survey_columns(mapping: dict) -> dict[str, str]:
    """feedback field -> survey column, from a loaded mapping."""
    return dict(mapping.get("columns", {}))


def _translate(value: str, field: str, mapping: dict) -> str:
    table = mapping.get("values", {}).get(field, {})
    sep = mapping.get("lists", {}).get(field)
    parts = [p.strip() for p in value.split(sep)] if sep else [value.strip()]
    labels = {v.lower(): k for k, v in _LABELS.get(field, {}).items()}
    out = []
    for p in parts:
        if not p:
            continue
        p = table.get(p, p)
        out.append(labels.get(str(p).lower(), str(p)))
    return LIST_SEP.join(out)


def read_survey(path: Path, mapping_path: Path) -> tuple[dict[str, RawTable], list[Issue]]:
    """Read a survey export into a raw ``feedback`` table using the mapping file."""
    path, mapping_path = Path(path), Path(mapping_path)
    mapping, issues = _load_mapping(mapping_path)
    if any(i.severity == "error" for i in issues):
        return {}, issues
    table, problems = read_csv_file("feedback", path)
    issues += problems
    if table is None:
        return {}, issues
    # read_csv_file lower-cases headers; match the mapping's names the same way.
    frame = table.frame
    columns = {f: c.strip().lower() for f, c in survey_columns(mapping).items()}
    for field, col in columns.items():
        if col not in frame.columns:
            issues.append(
                Issue(
                    path.name,
                    1,
                    col,
                    "missing-column",
                    f"column {col!r} named for {field!r} in {mapping_path.name} is not in the file",
                )
            )
    used = set(columns.values())
    for col in frame.columns:
        if col not in used and identifying_column(col):
            issues.append(
                Issue(
                    path.name,
                    1,
                    col,
                    "identifier-stripped",
                    f"column {col!r} looks like it identifies a person; it was not read",
                    "warning",
                )
            )
    if any(i.severity == "error" for i in issues):
        return {}, issues
    out = pd.DataFrame(index=frame.index)
    defaults = mapping.get("defaults", {})
    for field in _FIELDS:
        if field in columns:
            out[field] = frame[columns[field]].map(lambda v, f=field: _translate(v, f, mapping))
        elif field in defaults:
            out[field] = str(defaults[field])
        elif field == "id":
            # Stable across re-imports of the same export: a hash of the whole answered row.
            out[field] = [
                "fb-" + hashlib.sha1("\x1f".join(row).encode()).hexdigest()[:12]
                for row in frame.astype(str).itertuples(index=False)
            ]
        else:
            out[field] = ""
    label = path.name
    return {"feedback": RawTable("feedback", out, label)}, issues


def name_survey_columns(issues: list[Issue], label: str, mapping: dict) -> list[Issue]:
    """Name the survey's column next to the feedback field in issues about ``label``."""
    cols = survey_columns(mapping)
    return [
        Issue(i.file, i.row, f"{cols[i.column]} ({i.column})", i.code, i.message, i.severity)
        if i.file == label and i.column in cols
        else i
        for i in issues
    ]
