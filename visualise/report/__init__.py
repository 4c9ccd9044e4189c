"""The commissioners' report: one self-contained HTML file, and a PDF of it.

The face of the package; each name is loaded from its module on first use, so importing
the package costs nothing until a report is made:

* :func:`write_report`, :func:`render_report`, :data:`CSP` (:mod:`.write`);
* :func:`write_pdf`, :class:`ReportError` (:mod:`.pdf`);
* :data:`SECTIONS`, :func:`add_section` (:mod:`.sections`, the one list of sections);
* :class:`Section`, :class:`ReportContext`, :class:`ViewLink`, :data:`DEFAULT_VIEWS`,
  :data:`ILLUSTRATIVE_NOTICE` (:mod:`.context`).
"""

from __future__ import annotations

from importlib import import_module

__all__ = [
    "CSP",
    "DEFAULT_VIEWS",
    "ILLUSTRATIVE_NOTICE",
    "SECTIONS",
    "ReportContext",
    "ReportError",
    "Section",
    "ViewLink",
    "add_section",
    "render_report",
    "write_pdf",
    "write_report",
]

_HOME = {
    "CSP": "write",
    "render_report": "write",
    "write_report": "write",
    "ReportError": "pdf",
    "write_pdf": "pdf",
    "SECTIONS": "sections",
    "add_section": "sections",
    "DEFAULT_VIEWS": "context",
    "ILLUSTRATIVE_NOTICE": "context",
    "ReportContext": "context",
    "Section": "context",
    "ViewLink": "context",
}


def __getattr__(name: str):
    # Not cached: SECTIONS is read where it lives, so a replaced or extended list shows.
    if name in _HOME:
        return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
