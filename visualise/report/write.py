"""The commissioners' report: one self-contained HTML file.

The report is the list of sections in :mod:`gridvoices.visualise.report.sections`,
rendered in order. A section's builder turns the analyses (``results`` as from
:func:`gridvoices.queries.analyses.run_all`, extra keys welcome) into the data its macro
needs; its optional ``headlines`` adds plain-words findings to "Key findings" at the top.

Safety: jinja2 autoescapes every partner string; numbers reach the page only
after :func:`gridvoices.visualise.render.shown` (counts of 1-4 and feedback from fewer than
5 responses become ``*``, and ratios from them) or :meth:`ReportContext.count`;
the Content-Security-Policy forbids every fetch and every script; the charts
(:mod:`gridvoices.visualise.report.svg`) are SVG outlines with no text in them. Views
are linked by relative paths to files written beside the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from importlib import metadata
from importlib.resources import files
from pathlib import Path

import networkx as nx
from gridvoices.ecosystem.privacy import suppression
from gridvoices.queries.analyses import run_all
from gridvoices.queries.disclosure import DISCLOSED, disclose
from gridvoices.visualise.page import write_page
from gridvoices.visualise.render import shown
from gridvoices.visualise.report import sections as registry
from gridvoices.visualise.report.context import DEFAULT_VIEWS, ReportContext, ViewLink
from gridvoices.visualise.report.filters import environment
from markupsafe import Markup

__all__ = ["CSP", "render_report", "write_report"]

# No script at all: an injected event handler could not run, and nothing can be fetched.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)


def _version() -> str:
    try:
        return metadata.version("gridvoices")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "dev"


def render_report(
    G: nx.DiGraph,
    *,
    results: dict | None = None,
    illustrative: bool = False,
    source: str = "",
    views: Iterable[ViewLink | tuple] | None = None,
    suppress_small: bool = True,
    title: str = "Recovery ecosystem report",
) -> str:
    """The report as HTML text; the parameters are those of :func:`write_report`."""
    links = [v if isinstance(v, ViewLink) else ViewLink(*v) for v in (views or ())]
    with suppression(suppress_small):  # the `why` sentences star small counts too
        raw = run_all(G) if results is None else results
        # The answers the disclosure layer protects carry its marks (complements as *) here
        # exactly as in summary --json and barriers --json.
        marked = {k: disclose(k, v, G) if k in DISCLOSED else v for k, v in raw.items()}
        r = shown(marked if suppress_small else raw, suppress=suppress_small)
        links = list(DEFAULT_VIEWS) if views is None else links
        ctx = ReportContext(G, raw, r, suppress_small, illustrative, source, links, title)
        sections = list(registry.SECTIONS)
        for s in sections:  # every section's headlines first: "Key findings" comes first
            for h in s.headlines(ctx) if s.headlines else []:
                ctx.headlines.append({**h, "key": s.key})
        env, blocks = environment(), []
        for s in sections:
            data = s.build(ctx)
            if data is not None:
                macro = getattr(env.get_template(s.template).module, s.macro or s.key)
                blocks.append((s, macro(data, ctx)))
    css = (files("gridvoices.visualise") / "static" / "report.css").read_text(encoding="utf-8")
    page = env.get_template("report.html.j2").render(
        ctx=ctx,
        sections=blocks,
        css=Markup(css.replace("</", "<\\/")),
        csp=CSP,
        today=f"{date.today():%d %B %Y}".lstrip("0"),
        version=_version(),
    )
    return page.lstrip()


def write_report(
    G: nx.DiGraph,
    path: str | Path,
    *,
    results: dict | None = None,
    illustrative: bool = False,
    source: str = "",
    views: Iterable[ViewLink | tuple] | None = None,
    suppress_small: bool = True,
    title: str = "Recovery ecosystem report",
) -> Path:
    """Write the commissioners' report for ``G`` to ``path``: one HTML file that opens offline.

    Parameters
    ----------
    G : DiGraph
        The ecosystem projection for the chosen periods (:func:`gridvoices.queries.run.load_graph`).
    path : str or Path
        The HTML file to write; parent folders are created.
    results : dict, optional
        :func:`gridvoices.queries.analyses.run_all` of ``G`` with exact numbers; computed when None,
        under the suppression rule so the ``why`` sentences star small counts too. Extra
        keys are kept for the sections that read them.
    illustrative : bool
        Say on the page (and in the PDF's footer) that the data are invented.
    source : str
        Where the data came from, for the cover and "Data sources".
    views : iterable of ViewLink or (href, title[, description]), optional
        Views to link, relative to the report; default :data:`DEFAULT_VIEWS`, empty for none.
    suppress_small : bool
        Star referral counts of 1-4 and feedback from fewer than 5 responses (and ratios
        from them). False only for data that may be disclosed.
    title : str
        The report's title.

    Returns
    -------
    Path
        ``path``.
    """
    page = render_report(
        G,
        results=results,
        illustrative=illustrative,
        source=source,
        views=views,
        suppress_small=suppress_small,
        title=title,
    )
    return write_page(page, path)
