"""Where each record came from: the source (file or name), its format, when it was imported.

Every stored record carries its source's name and the id of the import that
last wrote it. Re-importing a source writes its records with a new import
id, then removes that source's records the new import did not contain, so a
source's data is replaced, never duplicated. A record that another source
still refers to is not removed silently: the import is rejected instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import ENTITIES

__all__ = ["Source", "source_for", "still_referenced", "REFERENCES"]


@dataclass(frozen=True)
class Source:
    name: str
    format: str
    imported_at: str
    import_id: str


def source_for(sources: list[tuple[Path, str]], name: str | None = None) -> Source | None:
    """The provenance of one import: ``name``, else the resolved path(s) read."""
    if not sources and name is None:
        return None
    formats = sorted({f for _, f in sources}) or ["unknown"]
    if name is None:
        paths = sorted(str(Path(p).resolve()) for p, _ in sources)
        name = paths[0] if len(paths) == 1 else ";".join(paths)
    return Source(
        name=name,
        format="+".join(formats),
        imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        import_id=uuid.uuid4().hex,
    )


# (table, column, is_list, referenced entity names): every reference in the schema.
REFERENCES: list[tuple[str, str, bool, tuple[str, ...]]] = [
    (name, c.name, c.type == "ref_list", c.refs)
    for name, e in ENTITIES.items()
    for c in e.columns
    if c.type in ("ref", "ref_list")
]


def still_referenced(source: Source, rows: list[tuple[str, str, str, str]]) -> list[Issue]:
    """Issues for records a re-import would remove but other records still refer to.

    ``rows`` are (entity, id, referring table, referring key).
    """
    return [
        Issue(
            source.name,
            None,
            table,
            "still-referenced",
            f"{entity.rstrip('s')} {ident!r} is no longer in this source but {table} "
            f"{key} still refers to it; remove that reference first or keep the {entity[:-1]}",
        )
        for entity, ident, table, key in rows
    ]
