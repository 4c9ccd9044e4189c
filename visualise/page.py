"""Assemble one self-contained, offline HTML page from a view's data.

Every view is the same page: ``templates/view.html.j2`` with the vis-network
script and stylesheet that pyvis ships, the shared stylesheet and scripts in
``static/``, and the view's data as escaped JSON. A view module only builds a
:class:`ViewData`; how it is drawn, filtered, searched, expanded and saved as
PNG lives once, in the shared scripts.

Safety: the template is rendered with autoescaping; data goes through
:func:`gridvoices.visualise.html.json_for_script`; the scripts put partner text into the
page only with ``textContent`` or as canvas text; the Content-Security-Policy
allows the page's own scripts by hash and forbids every fetch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

import jinja2
from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD
from gridvoices.visualise.common import DEFAULT_TITLES, ILLUSTRATIVE_BANNER, text
from gridvoices.visualise.common import periods_label as _periods_label
from gridvoices.visualise.html import (
    content_security_policy,
    external_references,
    json_for_script,
    vis_assets,
)
from gridvoices.visualise.template_cache import remember_compiled
from markupsafe import Markup

__all__ = ["ViewData", "Meta", "SCRIPTS", "asset", "page_meta", "render_page", "write_page"]

# Loaded in this order; each is one <script> element pinned by its hash in the CSP.
SCRIPTS = ("gv-core.js", "gv-eco.js", "gv-info.js", "gv-draw.js", "gv-ui.js")
STYLES = ("gv.css",)


@dataclass
class ViewData:
    """What a view module hands to the page.

    Attributes
    ----------
    kind : str
        The view's name (``network``, ``barriers``, ...): sets the page's ``data-view``.
    data : dict
        JSON for the shared scripts (``mode`` "ecosystem" or "plain"; see ``visualise/README.md``).
    n_nodes, n_edges : int
        Nodes and links of the whole view (what ``data-nodes``/``data-edges`` report).
    summary : list of str
        Short plain-text facts for the legend ("43 services", "1,204 + * referrals").
    controls : list of dict
        Drop-down lists: ``{"id", "label", "options": [[value, text], ...], "value"}``.
    periods : list of str
        The periods the view covers (default periods label).
    notes : list of str
        Extra plain-text notes for the legend.
    flows_notice : str
        Shown prominently when the store holds a directory but no referral flows:
        what needs referral data and how to add it (see
        :func:`gridvoices.visualise.common.flows_notice`).
    render : callable, optional
        ``render(view, meta) -> str`` for a view drawn by a page of its own (the map);
        default: the shared network page.
    """

    kind: str
    data: dict
    n_nodes: int
    n_edges: int
    summary: list[str] = field(default_factory=list)
    controls: list[dict] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flows_notice: str = ""
    render: Callable[[ViewData, Meta], str] | None = None


@dataclass
class Meta:
    """Page-level text: title, periods, source, and the two warnings."""

    title: str = ""
    periods_label: str = ""
    source: str = ""
    illustrative: bool = False
    suppress_small: bool = True


@cache
def asset(name: str) -> str:
    """A package file from ``visualise/static`` or ``visualise/templates``, as text."""
    folder = "templates" if name.endswith(".j2") else "static"
    body = files("gridvoices.visualise").joinpath(folder, name).read_text(encoding="utf-8")
    if folder == "static" and ("</script" in body.lower() or "</style" in body.lower()):
        raise RuntimeError(f"{name} cannot be inlined safely")  # pragma: no cover
    return body


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(asset),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return remember_compiled(env)


_ENV = _env()


def _suppression_note(suppress_small: bool) -> str:
    if not suppress_small:
        return "Small counts are NOT suppressed: do not publish."
    return (
        f"Counts of 1–{SUPPRESSION_THRESHOLD - 1} are shown as *. A total that includes one "
        "is shown as the sum of the rest plus * (120 + *), so it never gives them away."
    )


def page_meta(view: ViewData, meta: Meta, title: str, periods: str, note: str) -> dict:
    """The ``meta`` block of a page's data, the same for every view (the map adds to it)."""
    return {
        "kind": view.kind,
        "title": title,
        "periods": periods,
        "source": text(meta.source) or "not stated",
        "illustrative": ILLUSTRATIVE_BANNER if meta.illustrative else "",
        "suppression": note,
        "no_flows": view.flows_notice,
        "suppress": meta.suppress_small,
        "summary": " · ".join(view.summary),
    }


def render_page(view: ViewData, meta: Meta) -> str:
    """The complete HTML page for ``view``.

    Raises
    ------
    RuntimeError
        If the page would reference anything outside itself (a template regression).
    """
    if view.render is not None:
        return view.render(view, meta)
    title = text(meta.title) or DEFAULT_TITLES.get(view.kind, "GRID Voices")
    periods = text(meta.periods_label) or _periods_label(view.periods)
    note = _suppression_note(meta.suppress_small)
    data = dict(view.data)
    data["meta"] = page_meta(view, meta, title, periods, note)
    scripts = [asset(name) for name in SCRIPTS]
    vis_js, vis_css = vis_assets()
    page = _ENV.get_template("view.html.j2").render(
        csp=content_security_policy(vis_js, *scripts),
        kind=view.kind,
        title=title,
        banner=ILLUSTRATIVE_BANNER,
        illustrative=meta.illustrative,
        periods_label=periods,
        source=text(meta.source),
        suppress_small=meta.suppress_small,
        suppression_note=note,
        summary=view.summary,
        notes=view.notes,
        flows_notice=view.flows_notice,
        controls=view.controls,
        aggregated=bool(view.data.get("aggregate")),
        n_nodes=view.n_nodes,
        n_edges=view.n_edges,
        vis_css=Markup(vis_css),
        css=Markup("\n".join(asset(name) for name in STYLES)),
        vis_js=Markup(vis_js),
        scripts=[Markup(s) for s in scripts],
        data_json=Markup(json_for_script(data)),
    )
    leaks = external_references(page)
    if leaks:  # pragma: no cover - guards the template against regressions
        raise RuntimeError(f"{view.kind} view would fetch external resources: {leaks}")
    return page


def write_page(page: str, path: str | Path) -> Path:
    """Write ``page`` to ``path`` (parents created) and return the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8", newline="\n")
    return out
