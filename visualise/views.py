"""Every view by name: ``write_view("barriers", G, "barriers.html")``.

A view is a module with a ``build(G, *, suppress_small, **options) -> ViewData``
function. The built-in ones are listed in :data:`VIEWS`; any module
``visualise/<kind>_view.py`` with a ``build`` function is found by name too, so
a new view (e.g. ``contagion``) is one more module using the shared page,
scripts and colour modes (:func:`gridvoices.visualise.compact.ecosystem_view` for the
whole ecosystem with its own colour mode, or the plain mode of
:func:`gridvoices.visualise.barriers_view.finish_view` for precomputed nodes and links).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import gridvoices.visualise as visualise
import networkx as nx
from gridvoices.ecosystem.errors import QueryError
from gridvoices.visualise.common import flows_notice
from gridvoices.visualise.page import Meta, ViewData, render_page, write_page

__all__ = [
    "VIEWS",
    "view_kinds",
    "view_options",
    "build_view",
    "render_view",
    "write_view",
    "write_views",
    "index_bands",
]

VIEWS: dict[str, str] = {
    "network": "gridvoices.visualise.network",
    "barriers": "gridvoices.visualise.barriers_view",
    "isolation": "gridvoices.visualise.isolation_view",
}


def view_kinds() -> tuple[str, ...]:
    """Built-in views first, then any ``visualise/<kind>_view.py`` modules.

    Examples
    --------
    >>> view_kinds()[:3]
    ('network', 'barriers', 'isolation')
    """
    found = [
        m.name.removesuffix("_view")
        for m in pkgutil.iter_modules(visualise.__path__)
        if m.name.endswith("_view") and m.name.removesuffix("_view") not in VIEWS
    ]
    return (*VIEWS, *sorted(found))


def _module(kind: str):
    if kind not in view_kinds():
        raise ValueError(f"unknown view {kind!r}; choose from {', '.join(view_kinds())}")
    return importlib.import_module(VIEWS.get(kind, f"gridvoices.visualise.{kind}_view"))


def view_options(kind: str) -> tuple[str, ...]:
    """The options ``kind``'s ``build`` accepts (besides the graph)."""
    params = inspect.signature(_module(kind).build).parameters
    return tuple(p for p in params if p != "G")


def build_view(kind: str, G: nx.DiGraph, **options) -> ViewData:
    """Build view ``kind``'s data; options a view does not have are an error.

    Raises
    ------
    ValueError
        For an unknown view, an option it does not take, or a bad option value.
    """
    accepted = view_options(kind)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(
            f"the {kind} view has no option {', '.join(unknown)} (it takes {', '.join(accepted)})"
        )
    view = _module(kind).build(G, **options)
    # Every view of a directory without referrals says what needs them and how to add them.
    view.flows_notice = view.flows_notice or flows_notice(G)
    return view


def render_view(
    kind: str,
    G: nx.DiGraph,
    *,
    title: str = "",
    illustrative: bool = False,
    source: str = "",
    periods_label: str = "",
    suppress_small: bool = True,
    **options,
) -> str:
    """View ``kind`` as one HTML page (see :func:`write_view`)."""
    view = build_view(kind, G, suppress_small=suppress_small, **options)
    return render_page(view, Meta(title, periods_label, source, illustrative, suppress_small))


def write_view(
    kind: str,
    G: nx.DiGraph,
    path: str | Path,
    *,
    title: str = "",
    illustrative: bool = False,
    source: str = "",
    periods_label: str = "",
    suppress_small: bool = True,
    png: str | Path | None = None,
    **options,
) -> Path:
    """Write view ``kind`` of ``G`` as one self-contained HTML file (and optionally a PNG).

    Parameters
    ----------
    kind : str
        ``network``, ``barriers``, ``isolation`` (or another ``*_view`` module).
    G : networkx.DiGraph
        Graph from :func:`gridvoices.queries.graph.build_graph`.
    path : str or Path
        HTML file to write; parent folders are created.
    title, source, periods_label : str
        Shown in the legend and the picture (defaults: the view's title,
        "not stated", the graph's periods).
    illustrative : bool
        Mark the page and picture "Illustrative data".
    suppress_small : bool
        Counts of 1-4 as ``*`` with secondary suppression (:mod:`gridvoices.visualise.counts`).
    png : str or Path, optional
        Also write the page's picture here (headless chromium, :mod:`gridvoices.visualise.png`).
    **options
        The view's own options, e.g. ``colour_by``, ``size_by`` (network,
        isolation), ``level`` (barriers), ``aggregate_above``; network also
        ``show_comments`` (a few feedback comments, as text, for services with
        at least 5) and ``index_bands`` (district -> recovery index band 1-5).

    Returns
    -------
    Path
        The HTML file.

    Examples
    --------
    >>> import tempfile
    >>> G = nx.DiGraph(periods=["2024-Q1"])
    >>> G.add_node("a", type="Service", name="A", district="D", active=True)
    >>> out = write_view("isolation", G, Path(tempfile.mkdtemp()) / "iso.html")
    >>> 'data-view="isolation"' in out.read_text(encoding="utf-8")
    True
    """
    page = render_view(
        kind,
        G,
        title=title,
        illustrative=illustrative,
        source=source,
        periods_label=periods_label,
        suppress_small=suppress_small,
        **options,
    )
    out = write_page(page, path)
    if png is not None:
        from gridvoices.visualise.png import html_to_png

        html_to_png(out, png)
    return out


def write_views(
    G: nx.DiGraph,
    folder: str | Path,
    *,
    kinds: tuple[str, ...] | None = None,
    png: bool = False,
    **common,
) -> dict[str, Path]:
    """Write several views into ``folder`` as ``<kind>.html`` (and ``<kind>.png``).

    ``kinds`` defaults to every view (:func:`view_kinds`, so a new ``*_view`` module is
    included); ``common`` holds options every view takes (``illustrative``, ``source``,
    ``periods_label``, ``suppress_small``). Views that take ``index_bands`` (network)
    get the recovery index bands of :func:`index_bands` when the graph has districts.
    Returns kind -> HTML path.

    Examples
    --------
    >>> import tempfile
    >>> G = nx.DiGraph(periods=[])
    >>> sorted(write_views(G, Path(tempfile.mkdtemp()), kinds=("network", "barriers")))
    ['barriers', 'network']
    """
    folder = Path(folder)
    bands = index_bands(G)
    out = {}
    for kind in view_kinds() if kinds is None else kinds:
        extra = {"index_bands": bands} if bands and "index_bands" in view_options(kind) else {}
        out[kind] = write_view(
            kind,
            G,
            folder / f"{kind}.html",
            png=folder / f"{kind}.png" if png else None,
            **common,
            **extra,
        )
    return out


def index_bands(G: nx.DiGraph, runs: int = 256, seed: int = 42) -> dict:
    """District -> recovery index band (1 strongest ... 5 weakest), or ``{}``.

    Empty when the graph has no districts or the index cannot be computed
    (:class:`~gridvoices.ecosystem.errors.QueryError`).
    """
    if not G.graph.get("districts"):
        return {}
    from gridvoices.queries.index.scores import recovery_index

    try:
        rows = recovery_index(G, runs=runs, seed=seed)["districts"]
    except QueryError:
        return {}
    return {r["district"]: int(r["band"]) for r in rows if r.get("band") is not None}
