"""Validation problems as data (the frictionless model): issues, a report, one exception."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

__all__ = ["Issue", "Report", "ImportRejected", "StoreError"]


@dataclass(frozen=True)
class Issue:
    """One problem found in partner data.

    ``row`` is the row number a person sees in a spreadsheet (the header is row 1).
    """

    file: str
    row: int | None
    column: str | None
    code: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column is not None:
            where += f":{self.column}"
        prefix = "" if self.severity == "error" else "warning: "
        return f"{where}: {prefix}{self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return dict(Counter(i.code for i in self.issues))

    def lines(self, limit: int | None = 50) -> list[str]:
        """Human lines, errors first, with a "first N shown, M more" line when limited."""
        ordered = self.errors + self.warnings
        shown = ordered if limit is None else ordered[:limit]
        out = [str(i) for i in shown]
        if len(ordered) > len(shown):
            out.append(f"(first {len(shown)} shown, {len(ordered) - len(shown)} more)")
        return out

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "issues": [i.as_dict() for i in self.issues],
        }


class ImportRejected(Exception):
    """Raised when partner data has errors; nothing was stored."""

    def __init__(self, report: Report):
        self.report = report
        n = len(report.errors)
        super().__init__(
            f"{n} error{'s' if n != 1 else ''} in the partner data; nothing was stored"
        )


class StoreError(Exception):
    """The store refused or failed a write; the transaction was rolled back."""
