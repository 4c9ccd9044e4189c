"""The report's sections, in the order they are printed: the one list of them.

A section is a :class:`~gridvoices.visualise.report.context.Section`; each topic's module
defines its own. A later section is one :func:`add_section` call (or a line here) and a
macro in a template.
"""

from __future__ import annotations

from gridvoices.visualise.report.context import Section
from gridvoices.visualise.report.sections.barriers import BARRIERS
from gridvoices.visualise.report.sections.contagion import CONTAGION
from gridvoices.visualise.report.sections.coverage import COVERAGE
from gridvoices.visualise.report.sections.directory import directory_headlines, needs_flows
from gridvoices.visualise.report.sections.index import CLOSURES, INDEX
from gridvoices.visualise.report.sections.isolation import ISOLATION
from gridvoices.visualise.report.sections.method import METHOD, SOURCES
from gridvoices.visualise.report.sections.voices import VOICES

__all__ = ["SECTIONS", "add_section"]

FINDINGS = Section(
    "findings", "Key findings", lambda ctx: {"headlines": ctx.headlines}, directory_headlines
)
VIEWS = Section(
    "views", "Interactive views", lambda ctx: {"views": ctx.views} if ctx.views else None
)

SECTIONS: list[Section] = [
    FINDINGS,
    COVERAGE,
    INDEX,
    needs_flows(BARRIERS),  # a directory alone has no flows: these are left out
    needs_flows(ISOLATION),
    needs_flows(CLOSURES),
    VOICES,
    needs_flows(CONTAGION),
    VIEWS,
    METHOD,
    SOURCES,
]


def add_section(section: Section, *, after: str | None = None) -> None:
    """Add ``section`` to :data:`SECTIONS` after the one keyed ``after`` (default: before the
    views); a section with the same key is replaced in place."""
    keys = [s.key for s in SECTIONS]
    if section.key in keys:
        SECTIONS[keys.index(section.key)] = section
    else:
        SECTIONS.insert(keys.index(after) + 1 if after in keys else keys.index("views"), section)
