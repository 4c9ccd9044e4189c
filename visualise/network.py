"""The network view: the whole ecosystem, one self-contained HTML file that opens offline.

Colour by organisation kind or recovery domain (switchable in the page), size
by referral volume, number of partners or any numeric node attribute the graph
carries (``betweenness``, ``pagerank``, ...). Districts are drawn as shaded
circles; the page searches by name, filters by district, kind, domain and
period (recomputing volumes for the period), shows a node's details on click
and can focus on its neighbourhood (1 or 2 hops). Above
:data:`~gridvoices.visualise.compact.AGGREGATE_ABOVE` nodes it opens on districts.

Feedback (``G.graph["feedback"]``, :func:`gridvoices.queries.feedback.feedback_summary`):
extra colour modes (mean rating, responses, and the share of responses naming
each CHIME theme) and size modes (responses, mean rating); a service's details
show its responses, mean rating, top themes and barriers, starred when fewer
than 5 people responded; link ratings (5 or more) are in the links' details.
Comments appear only with ``show_comments=True`` and only for services with at
least 5 comments (a few of them, as text). With ``index_bands`` (district ->
recovery index band 1-5) districts can be coloured by band.

How it is built: :mod:`gridvoices.visualise.compact` (data), :mod:`gridvoices.visualise.page`
(the page), ``static/gv-*.js`` (drawing and interaction, shared by every view).
Suppression: :mod:`gridvoices.visualise.counts`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
from gridvoices.ecosystem.privacy import SUPPRESSION_THRESHOLD, suppression
from gridvoices.ecosystem.vocab import CHIME, FEEDBACK_BARRIERS
from gridvoices.queries.feedback import feedback_summary
from gridvoices.queries.feedback_disclosure import disclose_feedback
from gridvoices.visualise.common import (
    DEFAULT_TITLES,
    DOMAIN_COLOURS,
    ILLUSTRATIVE_BANNER,
    KIND_COLOURS,
    flows_notice,
    round_sig,
    text,
)
from gridvoices.visualise.compact import AGGREGATE_ABOVE, ecosystem_view
from gridvoices.visualise.page import Meta, ViewData, render_page, write_page

__all__ = [
    "build",
    "render_network_view",
    "write_network_view",
    "COLOUR_BY",
    "KIND_COLOURS",
    "DOMAIN_COLOURS",
    "AGGREGATE_ABOVE",
    "ILLUSTRATIVE_BANNER",
    "BAND_COLOURS",
    "COMMENTS_SHOWN",
    "feedback_parts",
    "band_mode",
]

COLOUR_BY = ("kind", "domain")
# Recovery index bands: 1 strongest (green) ... 5 weakest (red).
BAND_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")
RATING_STOPS = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"]
COUNT_STOPS = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
COMMENTS_SHOWN = 3
DEFAULT_TITLE = DEFAULT_TITLES["network"]


def _hidden(n: int | None, suppress_small: bool) -> bool:
    return suppress_small and n is not None and 0 < n < SUPPRESSION_THRESHOLD


def _secret_feedback(G: nx.DiGraph, summary: dict, suppress_small: bool) -> tuple[set, set]:
    """Services and links whose response counts the disclosure layer hides (beyond 1-4)."""
    if not suppress_small:
        return set(), set()
    with suppression(True):
        marked = disclose_feedback(summary, G)

    def hid(r):
        return "responses" in (r.get("_hidden") or ())

    return (
        {r["id"] for r in marked["services"] if hid(r)},
        {(r["source"], r["target"]) for r in marked["links"] if hid(r)},
    )


def _scale(key, heading, values, lo, hi, stops, low, high) -> dict:
    return {
        "key": key,
        "heading": heading,
        "type": "scale",
        "values": values,
        "min": lo,
        "max": hi,
        "stops": stops,
        "low": low,
        "high": high,
        "unknown": "#dde2e7",
    }


def feedback_parts(G: nx.DiGraph, suppress_small: bool = True, show_comments: bool = False):
    """Colour modes, size modes, node notes and link notes from the graph's feedback.

    Aggregates of fewer than 5 responses are starred (notes) or left out (colours;
    sizes count them as 2.5, like hidden referral cells). Comments are added only
    with ``show_comments`` and only for a service with at least 5 of them, at most
    :data:`COMMENTS_SHOWN`, as plain text.

    Returns
    -------
    tuple
        ``(colour_modes, size_modes, notes, edge_notes)``; all empty without feedback.
    """
    records = G.graph.get("feedback") or []
    if not records:
        return [], [], {}, {}
    summary = feedback_summary(G)
    secret, secret_links = _secret_feedback(G, summary, suppress_small)
    nodes = list(G.nodes)
    rows = {r["id"]: r for r in summary["services"]}
    themes: dict = defaultdict(Counter)
    comments: dict = defaultdict(list)
    for f in records:
        if f.get("about_to") is None:
            themes[f["about"]].update(set(f.get("chime") or ()))
            c = f.get("comment")
            if isinstance(c, str) and c.strip():
                comments[f["about"]].append(c)

    def shown(n):
        r = rows.get(n)
        return r if r and not _hidden(r["responses"], suppress_small) and n not in secret else None

    ratings = [shown(n)["mean_rating"] if shown(n) else None for n in nodes]
    counts = [shown(n)["responses"] if shown(n) else None for n in nodes]
    top = max([c for c in counts if c] or [1])
    colour_modes = [
        _scale(
            "rating", "Feedback: mean rating", ratings, 1, 5, RATING_STOPS, "Rated 1", "Rated 5"
        ),
        _scale("responses", "Feedback: responses", counts, 0, top, COUNT_STOPS, "None", "Most"),
    ]
    for code, name in CHIME.items():
        share = [
            round_sig(themes[n][code] / shown(n)["responses"]) if shown(n) else None for n in nodes
        ]
        if any(share):
            colour_modes.append(
                _scale(
                    f"theme:{code}",
                    f"Feedback: share naming {name}",
                    share,
                    0,
                    1,
                    COUNT_STOPS,
                    "None",
                    "All responses",
                )
            )
    size_values = []
    for n in nodes:
        r = rows.get(n)
        k = r["responses"] if r else 0
        size_values.append(2.5 if _hidden(k, suppress_small) or n in secret else k)
    size_modes = [
        {
            "key": "feedback:responses",
            "label": "Feedback responses",
            "values": size_values,
            "detail": False,
        },
        {
            "key": "feedback:rating",
            "label": "Feedback mean rating",
            "values": ratings,
            "detail": False,
        },
    ]
    notes: dict = {}
    for n, r in rows.items():
        if n not in G:
            continue
        star = _hidden(r["responses"], suppress_small) or n in secret
        out = [["Feedback"], ["Responses", "*" if star else str(r["responses"])]]
        if star:
            out.append([None, "Fewer than 5 responses: rating, themes and barriers not shown."])
        else:
            out.append(["Mean rating", "–" if r["mean_rating"] is None else f"{r['mean_rating']}"])
            out.append(
                ["Top themes", ", ".join(CHIME.get(t, text(t)) for t in r["top_themes"]) or "–"]
            )
            out.append(
                [
                    "Top barriers",
                    ", ".join(FEEDBACK_BARRIERS.get(b, text(b)) for b in r["top_barriers"]) or "–",
                ]
            )
        said = comments.get(n, [])
        # Never beside a hidden count: how many comments there are would bound it.
        if show_comments and not star and len(said) >= SUPPRESSION_THRESHOLD:
            out.append(["Comments"])
            out.extend([None, text(c)] for c in said[:COMMENTS_SHOWN])
        notes[n] = out
    edge_notes: dict = {}
    for r in summary["links"]:
        pair = (r["source"], r["target"])
        if (
            r["responses"] >= SUPPRESSION_THRESHOLD
            and pair not in secret_links
            and G.has_edge(*pair)
        ):
            edge_notes[r["source"], r["target"]] = [
                ["Link feedback"],
                ["Link rating", f"{r['mean_rating']} (from {r['responses']} responses)"],
            ]
    return colour_modes, size_modes, notes, edge_notes


def band_mode(G: nx.DiGraph, index_bands: dict) -> dict:
    """A colour mode: each node in its home district's recovery index band (1-5)."""
    values = []
    for n in G.nodes:
        b = index_bands.get(G.nodes[n].get("district"))
        values.append(int(b) - 1 if b in (1, 2, 3, 4, 5) else -1)
    return {
        "key": "district_band",
        "heading": "District: recovery index band",
        "type": "category",
        "labels": [
            "Band 1 (strongest)",
            "Band 2",
            "Band 3",
            "Band 4",
            "Band 5 (weakest)",
        ],
        "colours": list(BAND_COLOURS),
        "unknown": "#dde2e7",
        "unknown_label": "No band",
        "values": values,
        "district_band": True,
    }


def build(
    G: nx.DiGraph,
    *,
    suppress_small: bool = True,
    colour_by: str = "kind",
    size_by: str = "volume",
    aggregate_above: int | None = None,
    show_comments: bool = False,
    index_bands: dict | None = None,
) -> ViewData:
    """The network view's data (see :func:`gridvoices.visualise.views.write_view` for the options).

    ``show_comments`` adds a few comments (as text) to services with at least 5;
    ``index_bands`` (district -> band 1-5) adds the "District: recovery index band"
    colour mode, which also tints the district circles.
    """
    modes, sizes, notes, edge_notes = feedback_parts(G, suppress_small, show_comments)
    if index_bands:
        modes.insert(0, band_mode(G, index_bands))
    keys = (*COLOUR_BY, *(m["key"] for m in modes))
    if colour_by not in keys:
        raise ValueError(f"colour_by must be one of {keys}, not {colour_by!r}")
    view = ecosystem_view(
        "network",
        G,
        suppress_small=suppress_small,
        colour_modes=modes,
        colour_by=colour_by,
        size_by=size_by,
        aggregate_above=aggregate_above,
        notes=notes,
        size_modes=sizes,
        edge_notes=edge_notes,
    )
    if index_bands:
        lk = view.data["lookup"]
        view.data["district_bands"] = [
            BAND_COLOURS[index_bands[d] - 1] if index_bands.get(d) in (1, 2, 3, 4, 5) else None
            for d in lk["district_ids"]
        ]
    view.flows_notice = flows_notice(G)
    return view


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
        Graph from :func:`gridvoices.queries.graph.build_graph`.
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
        :mod:`gridvoices.visualise.counts`. Only turn off for internal checking; the
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
