"""The report as a PDF: A4 with page numbers, printed by headless chromium
(:mod:`gridvoices.visualise.chromium`)."""

from __future__ import annotations

from pathlib import Path

from gridvoices.visualise.chromium import ChromiumError, offline_page, run_sync

__all__ = ["ReportError", "write_pdf"]


class ReportError(ChromiumError):
    """The PDF could not be made (no browser, or chromium failed)."""


def write_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: float = 120.0) -> Path:
    """Print the report ``html_path`` to ``pdf_path`` (A4, page numbers) with headless chromium.

    The browser is :func:`gridvoices.visualise.chromium.offline_page`, printing with
    playwright's ``page.pdf()``; every request other than the report file itself is refused.

    Raises
    ------
    ReportError
        When playwright or chromium is missing, or printing fails.
    """
    return run_sync(_print, Path(html_path).resolve(), Path(pdf_path), timeout)


_FOOTER = (
    '<div style="font: 8px sans-serif; color: #616e7c; width: 100%; margin: 0 14mm; '
    'display: flex; justify-content: space-between"><span class="title"></span>'
    '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
)


def _print(html: Path, pdf: Path, timeout: float) -> Path:
    if not html.is_file():
        raise ReportError(f"no report at {html}")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    own = html.as_uri()
    with offline_page(
        own, error=ReportError, failed=lambda e: f"could not print {html.name} to PDF: {e}"
    ) as page:
        page.set_default_timeout(timeout * 1000)
        page.goto(own, wait_until="load")
        page.pdf(
            path=str(pdf),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=_FOOTER,
            margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
        )
    return pdf
