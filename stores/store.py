"""The one store interface both back ends implement, and the import pipeline over it."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from gridvoices.ecosystem.issues import ImportRejected, Report, StoreError
from gridvoices.loaders.provenance import Source, source_for

if TYPE_CHECKING:
    import sqlite3

    import pandas as pd
    from gridvoices.loaders.validate import RawTable
    from gridvoices.stores.adjacency import Adjacency

__all__ = [
    "import_feedback",
    "Store",
    "EmbeddedStore",
    "CypherStore",
    "ImportResult",
    "import_tables",
    "import_paths",
    "import_wait",
    "validate_paths",
    "open_store",
]

Progress = Callable[[str, int, int], None]


class Store(Protocol):
    """Where a validated ecosystem lives. Every write is all-or-nothing."""

    kind: str

    def existing_ids(self) -> dict[str, set[str]]:
        """Entity name -> ids already stored (for reference checks)."""

    def write(
        self,
        tables: dict[str, pd.DataFrame],
        progress: Progress | None = None,
        *,
        source: Source | None = None,
    ) -> None:
        """Upsert typed tables in one transaction (MERGE on stable ids); with a ``source``,
        replace that source's earlier records."""

    def read(self) -> dict[str, pd.DataFrame]:
        """Every typed table, as validation produced them."""

    def sources(self) -> list[dict]:
        """The sources loaded, with format, import time and record counts."""

    def periods(self) -> list[str]:
        """Every period of a referral row or a feedback response, sorted."""

    def writing(self, wait: float = 0) -> AbstractContextManager[None]:
        """Hold the store's write lock, waiting up to ``wait`` s (``math.inf``: as long as it
        takes); re-entrant.

        Raises :class:`gridvoices.stores.locks.StoreBusy`, naming the holder."""

    def close(self) -> None: ...


class EmbeddedStore(Store, Protocol):
    """What the compact (SQL) forms of the questions use: the SQLite connection and the
    compact referral graph kept beside the tables."""

    conn: sqlite3.Connection

    def compact(self) -> Adjacency:
        """The compact referral graph, loaded once; a write drops it."""


class CypherStore(Store, Protocol):
    """What the Cypher forms of the questions use."""

    def query(self, statement: str, params: dict | None = None, *, write: bool = False) -> list:
        """Run parameterised Cypher; read-only unless ``write``."""

    def run_readonly(self, statement: str, params: dict | None = None) -> list:
        """Run a statement a user typed, in a read transaction."""


@dataclass
class ImportResult:
    report: Report
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    source: Source | None = None
    set_aside: list = field(default_factory=list)  # partial imports: records left out


def validate_paths(
    paths: list[Path], store: Store | None = None
) -> tuple[Report, dict[str, pd.DataFrame]]:
    from gridvoices.loaders.sources import read_sources

    raw, issues, _ = read_sources([Path(p) for p in paths])
    return _validate(raw, issues, store)


def _validate(raw: dict[str, RawTable], issues, store: Store | None):
    # Imported on use: opening a store to answer a question needs no reader or validator.
    from gridvoices.loaders.validate import unreadable_entities, validate_tables

    existing = store.existing_ids() if store is not None else None
    report, typed = validate_tables(
        raw, existing_ids=existing, unreadable=unreadable_entities(issues)
    )
    report.issues[:0] = issues
    return report, typed


def import_tables(
    store: Store,
    raw: dict[str, RawTable],
    issues=(),
    progress: Progress | None = None,
    *,
    source: Source | None = None,
    wait: float | None = None,
) -> ImportResult:
    """Validate raw tables against the store and write them, or raise ImportRejected.

    The store's write lock is held from validation to commit (``wait`` s for it, see
    :func:`import_wait`), so no other import can change what was validated against.
    """
    start = time.perf_counter()
    with store.writing(import_wait(wait)):
        report, typed = _validate(raw, list(issues), store)
        if not report.valid:
            raise ImportRejected(report)
        store.write(typed, progress, source=source)
    return ImportResult(
        report, {k: len(v) for k, v in typed.items()}, time.perf_counter() - start, source
    )


def import_wait(wait: float | None = None) -> float:
    """Seconds an import waits for another one to finish: ``wait``, else ``$GRIDVOICES_WAIT``
    (a number, or ``forever``), else 0 (refuse at once, naming the other import).

    >>> import_wait(5), import_wait(float("inf"))
    (5.0, inf)
    """
    if wait is None:
        env = os.environ.get("GRIDVOICES_WAIT", "").strip().lower()
        if env in ("forever", "inf", "yes", "true"):
            return math.inf
        try:
            wait = float(env) if env else 0.0
        except ValueError:
            raise StoreError(
                f"GRIDVOICES_WAIT={env!r}: give seconds to wait, or 'forever'"
            ) from None
    return max(0.0, float(wait))


def import_paths(
    store: Store,
    paths: list[Path],
    progress: Progress | None = None,
    *,
    source_name: str | None = None,
    partial: bool = False,
    wait: float | None = None,
) -> ImportResult:
    """Read partner files (any format :mod:`loaders.sources` knows), validate, store them.

    The import is recorded as a source (``source_name``, default the resolved
    path); importing the same source again replaces its records. Nothing is
    stored when any error is found: :class:`ImportRejected` carries the report.
    With ``partial``, records with errors are set aside (``result.set_aside``) and
    the rest is stored, still in one transaction.
    While another import writes to the store, wait ``wait`` s for it (see
    :func:`import_wait`), then raise :class:`gridvoices.stores.locks.StoreBusy`.
    """
    from gridvoices.loaders.sources import read_sources
    from gridvoices.stores.gcpause import paused_gc

    with paused_gc():  # bulk data, no cycles to find: see stores.gcpause
        raw, issues, read = read_sources([Path(p) for p in paths])
        source = source_for(read, source_name)
        aside: list = []
        # The lock is held from the first look at the store: records set aside and the
        # validation both see the store as the write will find it.
        with store.writing(import_wait(wait)):
            if partial:  # set rejected records aside, then the usual all-or-nothing write
                from gridvoices.loaders.partial import set_aside_invalid

                raw, issues, aside = set_aside_invalid(raw, issues, store.existing_ids())
            result = import_tables(store, raw, issues, progress, source=source, wait=wait)
    result.set_aside = aside
    return result


def import_feedback(
    store: Store,
    path: Path,
    mapping: Path,
    *,
    source_name: str | None = None,
    validate_only: bool = False,
    wait: float | None = None,
) -> ImportResult:
    """Import a survey export as feedback through a mapping file (:mod:`gridvoices.loaders.survey`).

    Problems name the survey's own columns. Raises ImportRejected when any error is found.
    """
    from gridvoices.loaders.survey import _load_mapping, name_survey_columns, read_survey

    raw, issues = read_survey(path, mapping)
    cols, _ = _load_mapping(mapping)
    source = source_for([(Path(path), "survey")], source_name)
    try:
        if validate_only:
            report, typed = _validate(raw, list(issues), store)
            if not report.valid:
                raise ImportRejected(report)
            return ImportResult(report, {k: len(v) for k, v in typed.items()})
        return import_tables(store, raw, issues, source=source, wait=wait)
    except ImportRejected as e:
        e.report.issues = name_survey_columns(e.report.issues, Path(path).name, cols)
        raise


def open_store(kind: str = "embedded", *, workspace: Path | None = None, **neo4j_options):
    """Open the embedded store (default) or Neo4j (``kind="neo4j"``)."""
    if kind == "embedded":
        from gridvoices.stores.sqlite_store import SQLiteStore

        return SQLiteStore(workspace_db(workspace))
    if kind == "neo4j":
        from gridvoices.stores.neo4j_store import Neo4jStore

        return Neo4jStore.connect(**neo4j_options)
    raise ValueError(f"unknown store {kind!r}: use 'embedded' or 'neo4j'")


def workspace_db(workspace: Path | None = None) -> Path:
    """The embedded store's file: ``--workspace``, else ``$GRIDVOICES_WORKSPACE``, else ``.``."""
    ws = Path(workspace or os.environ.get("GRIDVOICES_WORKSPACE") or ".")
    return ws / "gridvoices.sqlite"
