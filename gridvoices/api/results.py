"""What a question returns: plain data that prints as tables and becomes pandas DataFrames."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Result", "table_names"]

_MAX_ROWS = 20  # rows a printed table shows before "... N more"
_MAX_CELL = 48  # characters a printed cell shows


def table_names(data: Any) -> tuple[str, ...]:
    """The tables in an answer: ``rows`` for a list of records, else every key that holds a
    list of records or one record of plain values.

    >>> table_names([{"id": "a"}]), table_names({"totals": {"n": 1}, "districts": [{"id": 1}]})
    (('rows',), ('totals', 'districts'))
    """
    if isinstance(data, list):
        return ("rows",)
    if not isinstance(data, dict):
        return ()
    names = []
    for k, v in data.items():
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            names.append(k)
        elif isinstance(v, dict) and v and all(_plain(x) for x in v.values()):
            names.append(k)
    return tuple(names)


def _plain(x: Any) -> bool:
    return x is None or isinstance(x, str | int | float | bool)


@dataclass(frozen=True)
class Result:
    """The answer to one question, as the CLI shows it (small counts already hidden unless
    the ecosystem was opened with ``show_small_counts=True``).

    ``result["key"]`` reads the plain data, ``result.tables`` names its tables,
    ``result.to_frame("districts")`` gives one as a pandas DataFrame and
    ``result.to_csv(path)`` writes one with spreadsheet formulas neutralised.

    >>> r = Result("demo", {"totals": {"services": 3}, "districts": [{"name": "A", "n": 2}]})
    >>> r.tables, r["totals"]["services"]
    (('totals', 'districts'), 3)
    >>> print(r)
    demo
    totals
      services
      3
    districts
      name  n
      A     2
    """

    question: str
    data: Any

    @property
    def tables(self) -> tuple[str, ...]:
        return table_names(self.data)

    def __getitem__(self, key):
        return self.data[key]

    def __iter__(self) -> Iterator:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def get(self, key, default=None):
        return self.data.get(key, default) if isinstance(self.data, dict) else default

    def table(self, name: str | None = None) -> list[dict]:
        """Rows of table ``name`` (default: the first table)."""
        names = self.tables
        if not names:
            raise KeyError(f"{self.question} has no table")
        name = name or names[0]
        if name not in names:
            raise KeyError(f"{self.question} has no table {name!r}; it has {', '.join(names)}")
        value = self.data if name == "rows" and isinstance(self.data, list) else self.data[name]
        return [value] if isinstance(value, dict) else list(value)

    def to_frame(self, name: str | None = None) -> pd.DataFrame:
        """Table ``name`` (default: the first) as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame.from_records([_flat(r) for r in self.table(name)])

    def to_csv(self, path: str | Path | io.TextIOBase, name: str | None = None) -> None:
        """Write table ``name`` as CSV; cells starting ``= + - @`` are neutralised."""
        from gridvoices.visualise.export import neutralise

        rows = [_flat(r) for r in self.table(name)]
        columns = list(dict.fromkeys(k for r in rows for k in r))
        own = not hasattr(path, "write")
        f = open(path, "w", newline="", encoding="utf-8") if own else path  # noqa: SIM115
        try:
            w = csv.writer(f)
            w.writerow(columns)
            for r in rows:
                w.writerow(["" if r.get(c) is None else neutralise(str(r.get(c))) for c in columns])
        finally:
            if own:
                f.close()

    def __str__(self) -> str:
        lines = [self.question]
        for name in self.tables:
            lines.append(name)
            lines += ["  " + line for line in _text_table(self.table(name))]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Result {self.question}: {', '.join(self.tables) or type(self.data).__name__}>"

    def _repr_html_(self) -> str:  # Jupyter
        parts = [f"<h4>{html.escape(self.question)}</h4>"]
        for name in self.tables:
            parts.append(f"<h5>{html.escape(name)}</h5>")
            parts.append(self.to_frame(name).head(200).to_html(escape=True, index=False))
        return "\n".join(parts)


def _flat(row: dict) -> dict:
    """Lists and nested records as one cell each, so a row fits one line of a table."""
    return {k: _cell(v) for k, v in row.items()}


def _cell(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return "; ".join(map(str, v))
    if isinstance(v, dict):
        return "; ".join(f"{k} {x}" for k, x in v.items())
    return v


def _text_table(rows: list[dict]) -> list[str]:
    rows = [_flat(r) for r in rows]
    columns = list(dict.fromkeys(k for r in rows for k in r))
    shown = rows[:_MAX_ROWS]
    cells = [[_short(r.get(c)) for c in columns] for r in shown]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    for row in cells:
        out.append("  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())
    if len(rows) > len(shown):
        out.append(f"... {len(rows) - len(shown)} more rows")
    return out


def _short(v: Any) -> str:
    s = "" if v is None else str(v)
    return s if len(s) <= _MAX_CELL else s[: _MAX_CELL - 1] + "…"
