"""Problems as a person reads them: one line per kind when a feed repeats it hundreds of times.

A council feed gives one "matches no domain rule" warning per service (700 of
them) and one "placed in no district" per service: listed one by one they bury
the one error that matters. The library keeps every issue (``--json`` and
``--verbose`` show all); the command line groups issues of one kind — same
severity, code and file — into a line with the count, the first message as an
example and the first few locations.
"""

from __future__ import annotations

from collections.abc import Sequence

from gridvoices.ecosystem.issues import Issue

__all__ = ["grouped_lines", "GROUP_FROM", "FIRST"]

GROUP_FROM = 4  # a kind seen this often becomes one line; fewer are listed as they are
FIRST = 3  # locations named on a grouped line


def _where(i: Issue) -> str:
    """The location inside the file: ``row:column``, either part optional."""
    parts = [str(i.row)] if i.row is not None else []
    if i.column is not None:
        parts.append(i.column)
    return ":".join(parts)


def grouped_lines(
    issues: Sequence[Issue],
    *,
    group_from: int = GROUP_FROM,
    first: int = FIRST,
    limit: int | None = 50,
) -> list[str]:
    """Human lines for ``issues``: errors first, each kind seen ``group_from`` times in one line.

    Kinds keep the order they were first seen in; ``limit`` caps the lines (a last
    line says how many more). A grouped line reads
    ``file: warning: 710 × unmapped-domain, e.g. <first message>; at 2:[1].name, …``.

    >>> many = [Issue("s.json", n, f"[{n - 1}].name", "unmapped-domain",
    ...               f"service {n} matches no rule", "warning") for n in range(2, 8)]
    >>> print("\\n".join(grouped_lines([Issue("s.json", 1, "name", "missing-value", "no name")]
    ...                                + many)))
    s.json:1:name: no name
    s.json: warning: 6 × unmapped-domain, e.g. service 2 matches no rule; at 2:[1].name, 3:[2].name, 4:[3].name and 3 more (--verbose lists all)
    """  # noqa: E501
    ordered = [i for i in issues if i.severity == "error"]
    ordered += [i for i in issues if i.severity != "error"]
    kinds: dict[tuple[str, str, str], list[Issue]] = {}
    for i in ordered:
        kinds.setdefault((i.severity, i.code, i.file), []).append(i)
    lines: list[str] = []
    for (severity, code, file), group in kinds.items():
        if len(group) < group_from:
            lines.extend(str(i) for i in group)
            continue
        prefix = "" if severity == "error" else "warning: "
        places = [w for w in (_where(i) for i in group[:first]) if w]
        at = f"; at {', '.join(places)}" if places else ""
        rest = len(group) - len(places)
        more = f" and {rest} more" if places and rest else ""
        more += " (--verbose lists all)" if rest else ""
        lines.append(f"{file}: {prefix}{len(group)} × {code}, e.g. {group[0].message}{at}{more}")
    if limit is not None and len(lines) > limit:
        hidden = len(lines) - limit
        lines = lines[:limit] + [f"(first {limit} lines shown, {hidden} more)"]
    return lines
