"""Open an ecosystem (the embedded store or Neo4j), import into it, and ask it questions."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridvoices.api.outputs import Outputs
from gridvoices.api.questions import Questions
from gridvoices.api.results import Result
from gridvoices.ecosystem.errors import QueryError
from gridvoices.ecosystem.periods import PeriodError, choose_periods, split_specs

if TYPE_CHECKING:
    import networkx as nx

    from gridvoices.stores.store import ImportResult

__all__ = ["Ecosystem", "NoData", "open", "connect"]

Periods = str | Iterable[str] | None


class NoData(QueryError):
    """A question was asked of a workspace or database that holds no services or groups."""


class Ecosystem(Questions, Outputs):
    """One recovery ecosystem: a store and the rule for small counts.

    Open it with :func:`gridvoices.open` (the embedded store in a folder) or
    :func:`gridvoices.connect` (Neo4j). Every question returns a :class:`Result`; referral
    counts of 1-4 are shown as ``*`` unless ``show_small_counts=True``. Periods are
    ``"2024-Q1"``, ``"2024-Q1..Q3"``, ``"2024-Q1..2024-Q4"`` or a list of these; None is all.

    >>> import gridvoices, tempfile
    >>> from gridvoices.ecosystem.shipped import DERBYSHIRE
    >>> eco = gridvoices.open(tempfile.mkdtemp())
    >>> eco.import_files(DERBYSHIRE).rows["services"]
    43
    >>> eco.resolve("Lantern Recovery Hub")
    'svc-hub-ch'
    >>> eco.close()
    """

    def __init__(
        self,
        kind: str,
        *,
        workspace: Path | None = None,
        show_small_counts=False,
        _connect: Callable[[], Any] | None = None,
    ) -> None:
        self.kind = kind
        self.workspace = workspace
        self.show_small_counts = show_small_counts
        self._connect = _connect
        self._store = None

    # -- the store ------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """The embedded store's file (None on Neo4j)."""
        from gridvoices.stores.store import workspace_db

        return workspace_db(self.workspace) if self.kind == "embedded" else None

    def store(self, *, create: bool = False):
        """The open store. An embedded store is created only by a write (``create=True``)."""
        if self._store is None:
            if self.kind == "embedded":
                from gridvoices.stores.store import open_store

                if not create and not self.path.is_file():
                    raise NoData(self._empty_message())
                self._store = open_store("embedded", workspace=self.workspace)
            else:
                self._store = self._connect()
        return self._store

    def _empty_message(self) -> str:
        if self._first_import is not None:
            return self.store().first_import_message(self._first_import)
        where = f"{self.path}" if self.kind == "embedded" else "this Neo4j database"
        return (
            f"no data in {where}: import partner files first (gridvoices import FILES) "
            "or run gridvoices demo"
            + (
                " (or point --workspace / GRIDVOICES_WORKSPACE at the folder that holds it)"
                if self.kind == "embedded"
                else ""
            )
        )

    def has_data(self) -> bool:
        """Whether the store holds any service, group or navigator."""
        if self.kind == "embedded" and not self.path.is_file():
            return False
        from gridvoices.queries.names import node_names

        store = self.store()
        if self.kind == "neo4j":
            # A first import still running: nothing is committed, so there is no data yet.
            self._first_import = store.first_import()
            if self._first_import is not None:
                return False
        return bool(node_names(store))

    def _reader(self):
        """The store, for a question: an empty store is an error, not a page of zeros."""
        store = self.store()
        if not self._checked:
            if not self.has_data():
                raise NoData(self._empty_message())
            self._checked = True
        return store

    _checked = False
    _first_import: dict | None = None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Ecosystem:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.path if self.kind == "embedded" else "neo4j"
        return f"<Ecosystem {where}>"

    # -- writing ----------------------------------------------------------------------------

    def import_files(
        self,
        *paths: str | Path,
        source: str | None = None,
        progress=None,
        partial: bool = False,
        wait: float | None = None,
    ) -> ImportResult:
        """Validate partner files (any format gridvoices reads) and store them, all or nothing.

        Raises :class:`~gridvoices.ecosystem.issues.ImportRejected` (with the report) on bad data.
        With ``partial``, records with errors are set aside (``result.set_aside``: where and
        why) and the valid rest is stored, still in one transaction. One import writes at a
        time: another waits ``wait`` seconds (default ``$GRIDVOICES_WAIT``, else none) for it.
        """
        from gridvoices.stores.store import import_paths

        files = [Path(p) for x in paths for p in ([x] if isinstance(x, str | Path) else x)]
        result = import_paths(
            self.store(create=True),
            files,
            progress,
            source_name=source,
            partial=partial,
            wait=wait,
        )
        self._checked = False
        return result

    def import_feedback(
        self, survey: str | Path, mapping: str | Path, *, source: str | None = None
    ) -> ImportResult:
        """Import a survey export as feedback through a column mapping file."""
        from gridvoices.stores.store import import_feedback

        return import_feedback(
            self.store(create=True), Path(survey), Path(mapping), source_name=source
        )

    # -- reading ----------------------------------------------------------------------------

    def periods(self, periods: Periods = None) -> list[str] | None:
        """The periods held (``periods=None``), or the ones a choice names; None means all.

        Raises QueryError for a choice that is not a period or names none held.
        """
        store = self._reader()
        if periods is None:
            return None
        try:
            chosen = choose_periods(store.periods(), split_specs(periods))
        except PeriodError as e:
            raise QueryError(str(e)) from None
        if chosen is not None and not chosen:
            held = ", ".join(store.periods()) or "none"
            raise QueryError(f"no data for {periods!r}; periods held: {held}")
        return chosen

    def held_periods(self) -> list[str]:
        """Every period with referrals or feedback, sorted."""
        return self._reader().periods()

    def graph(self, periods: Periods = None) -> nx.DiGraph:
        """The NetworkX projection for the chosen periods (unsuppressed: handle with care)."""
        from gridvoices.queries.run import load_graph

        return load_graph(self._reader(), self.periods(periods))

    def sources(self) -> Result:
        """The sources loaded: name, format, when imported and how many records each holds."""
        return Result("sources", self.store().sources() if self.has_data() else [])

    def resolve(self, text: str) -> str:
        """The id of the service or group ``text`` names (an id, a unique name or a prefix)."""
        from gridvoices.queries.names import node_names, resolve

        if not hasattr(self, "_names"):
            self._names = node_names(self._reader())
        return resolve(self._names, text)

    def _answer(self, question: str, compute: Callable[[], Any]) -> Result:
        """``compute()`` under the small-count rule, passed through the disclosure layer."""
        from gridvoices.ecosystem.privacy import suppression
        from gridvoices.visualise.render import shown

        hide = not self.show_small_counts
        with suppression(hide):
            data = compute()
            data = shown(data, suppress=hide)
        return Result(question, self._label(data))

    def _label(self, data: Any) -> Any:
        """Names beside codes: every row with a ``district`` code gets ``district_name``."""
        names = self._district_names()
        if not names:
            return data

        def walk(x):
            if isinstance(x, list):
                return [walk(v) for v in x]
            if isinstance(x, dict):
                out = {k: walk(v) for k, v in x.items()}
                code = out.get("district")
                if (
                    isinstance(code, str)
                    and "district_name" not in out
                    and code in names
                    and out.get("name") != names[code]  # a district's own row has its name
                ):
                    pairs = list(out.items())
                    i = [k for k, _ in pairs].index("district") + 1
                    out = dict([*pairs[:i], ("district_name", names[code]), *pairs[i:]])
                return out
            return x

        return walk(data)

    def _district_names(self) -> dict[str, str]:
        if not hasattr(self, "_districts"):
            from gridvoices.queries.names import district_names

            self._districts = district_names(self._reader())
        return self._districts


def open(workspace: str | Path | None = None, *, show_small_counts: bool = False) -> Ecosystem:  # noqa: A001
    """The embedded store in ``workspace`` (default ``$GRIDVOICES_WORKSPACE`` or the current
    folder). Nothing is created until something is imported."""
    return Ecosystem(
        "embedded",
        workspace=Path(workspace) if workspace is not None else None,
        show_small_counts=show_small_counts,
    )


def connect(
    uri: str | None = None,
    *,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
    show_small_counts: bool = False,
) -> Ecosystem:
    """A Neo4j database: ``uri`` or ``$NEO4J_URI``, else the local server `gridvoices neo4j
    start` runs. The password comes from ``password``, ``$NEO4J_PASSWORD`` or the local
    server's state file — never from the command line."""
    from gridvoices.stores.store import open_store

    password = password or os.environ.get("NEO4J_PASSWORD")
    return Ecosystem(
        "neo4j",
        show_small_counts=show_small_counts,
        _connect=lambda: open_store(
            "neo4j", uri=uri, user=user, password=password, database=database
        ),
    )
