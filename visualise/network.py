"""The network view: the whole ecosystem, one self-contained HTML file that opens offline.

Colour by organisation kind or recovery domain (switchable in the page), size
by referral volume, number of partners or any numeric node attribute the graph
carries (``betweenness``, ``pagerank``, ...). Districts are drawn as shaded
circles; the page searches by name, filters by district, kind, domain and
period (recomputing volumes for the period), shows a node's details on click
and can focus on its neighbourhood (1 or 2 hops). Above
:data:`~visualise.compact.AGGREGATE_ABOVE` nodes it opens on districts.

How it is built: :mod:`visualise.compact` (data), :mod:`visualise.page`
(the page), ``static/gv-*.js`` (drawing and interaction, shared by every view).
Suppression: :mod:`visualise.counts`.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from visualise.common import DEFAULT_TITLES, DOMAIN_COLOURS, ILLUSTRATIVE_BANNER, KIND_COLOURS
from visualise.compact import AGGREGATE_ABOVE, ecosystem_view
from visualise.page import Meta, ViewData, render_page, write_page

__all__ = [
    "build",
    "render_network_view",
    "write_network_view",
    "COLOUR_BY",
    "KIND_COLOURS",
    "DOMAIN_COLOURS",
    "AGGREGATE_ABOVE",
    "ILLUSTRATIVE_BANNER",
]

COLOUR_BY = ("kind", "domain")
DEFAULT_TITLE = DEFAULT_TITLES["network"]


def build(
    G: nx.DiGraph,
    *,
    suppress_small: bool = True,
    colour_by: str = "kind",
    size_by: str = "volume",
    aggregate_above: int | None = None,
) -> ViewData:
    """The network view's data (see :func:`visualise.views.write_view` for the options)."""
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by must be one of {COLOUR_BY}, not {colour_by!r}")
    return ecosystem_view(
        "network",
        G,
        suppress_small=suppress_small,
        colour_by=colour_by,
        size_by=size_by,
        aggregate_above=aggregate_above,
    )


def render_network_view(
    G: nx.DiGraph,
    *,
    title: str = DEFAULT_TITLE,
    colour_by: str = "kind",
    size_by: str = "volume",
    suppress_small: bool = True,
    illustrative: bool = False,
    source: str = "",
    periods_label: str = "",
    aggregate_above: int | None = None,
) -> str:
    """The page :func:`write_network_view` writes, as a string."""
    view = build(
        G,
        suppress_small=suppress_small,
        colour_by=colour_by,
        size_by=size_by,
        aggregate_above=aggregate_above,
    )
    meta = Meta(title, periods_label, source, illustrative, suppress_small)
    return render_page(view, meta)


def write_network_view(
    G: nx.DiGraph,
    path: str | Path,
    *,
    title: str = DEFAULT_TITLE,
    colour_by: str = "kind",
    size_by: str = "volume",
    suppress_small: bool = True,
    illustrative: bool = False,
    source: str = "",
    periods_label: str = "",
    aggregate_above: int | None = None,
) -> Path:
    """Write an interactive, self-contained HTML view of the ecosystem graph.

    The file opens offline (vis-network is inlined; nothing is fetched) and
    is the same bytes for the same graph and arguments.

    Parameters
    ----------
    G : networkx.DiGraph
        Graph from :func:`queries.graph.build_graph`.
    path : str or Path
        File to write; parent folders are created.
    title : str
        Page and legend title.
    colour_by : {"kind", "domain"}
        What the page colours nodes by first (switchable in the page).
    size_by : str
        ``volume``, ``degree`` or a numeric node attribute (``betweenness``).
    suppress_small : bool
        Show counts of 1-4 as ``*`` with the secondary rule of
        :mod:`visualise.counts`. Only turn off for internal checking; the
        legend then warns not to publish.
    illustrative : bool
        Show the "Illustrative data" banner.
    source : str
        Data source shown in the legend.
    periods_label : str
        Periods shown in the legend (default: from ``G.graph["periods"]``).
    aggregate_above : int, optional
        Open on districts above this many nodes.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("s1", type="Service", name="Hub", active=True)
    >>> out = write_network_view(G, Path(tempfile.mkdtemp()) / "net.html")
    >>> 'data-nodes="1"' in out.read_text(encoding="utf-8")
    True
    """
    page = render_network_view(
        G,
        title=title,
        colour_by=colour_by,
        size_by=size_by,
        suppress_small=suppress_small,
        illustrative=illustrative,
        source=source,
        periods_label=periods_label,
        aggregate_above=aggregate_above,
    )
    return write_page(page, path)
