"""The views as the disclosure audit reads them: every number embedded in the pages.

:func:`view_figures` renders the network view (members and districts), the barriers
view, the isolation view and the map for one graph, takes the data block out of each
generated HTML page (not the dict that made it), and reports every number in it as
the cells it sums: a link's count in a period, its accepted count, a flow between two
districts, a point's volume on the map, and the barriers' and map's link and district
rows ("Amber Valley → Bolsover: 12"). A number is hidden when the page shows ``*``
(``-1`` in a cell column, ``"120 + *"`` in a row, or a flow with hidden parts).

The district's "Share kept inside" is read as a ratio
(:func:`ratio`: shown, it publishes both its terms).
Not read: expected values and permeability (products of totals: not linear in the cells).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser

import networkx as nx
from gridvoices.ecosystem.privacy import SUPPRESSED
from gridvoices.queries.disclosure import accepted_cells, cell_groups, edge_cells
from gridvoices.visualise.counts import HIDDEN

__all__ = ["page_data", "ratio", "view_figures"]

Add = Callable[[tuple, list, object], None]
_EXACT = re.compile(r"^\d[\d,]*$")


class _Data(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "script" and dict(attrs).get("id") == "gv-data"

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text.append(data)


def page_data(page: str) -> dict:
    """The JSON data block (``<script id="gv-data">``) of a generated view page.

    Examples
    --------
    >>> page_data('<p>x</p><script type="application/json" id="gv-data">{"a": 1}</script>')
    {'a': 1}
    """
    p = _Data()
    p.feed(page)
    p.close()
    return json.loads("".join(p.text))


def _shown(value) -> object:
    """A row's text as the audit reads it: an int when exact, else the text (with ``*``)."""
    if isinstance(value, str) and _EXACT.match(value):
        return int(value.replace(",", ""))
    return value


def view_figures(G: nx.DiGraph, add: Add, *, render: Callable[..., str] | None = None) -> None:
    """Call ``add(key, cells, shown)`` for every number the views of ``G`` embed.

    ``render(kind, G, **options)`` makes a page (default
    :func:`gridvoices.visualise.views.render_view`).
    """
    if render is None:
        from gridvoices.visualise.views import render_view as render
    g = cell_groups(G)
    code = {}
    for c, d in (G.graph.get("districts") or {}).items():
        code.setdefault(str(d.get("name") or c), []).append(c)
    names = {n: cs[0] for n, cs in code.items() if len(cs) == 1}  # a shared name is skipped
    _ecosystem(G, page_data(render("network", G)), add, g, "network")
    _ecosystem(G, page_data(render("network", G, aggregate_above=0)), add, g, "network-districts")
    _ecosystem(G, page_data(render("isolation", G)), add, g, "isolation")
    barriers = page_data(render("barriers", G))
    _plain_districts(barriers, add, g, names)
    _links(
        barriers["edges"], [n["heading"] for n in barriers["nodes"]], add, g, names, "barriers-view"
    )
    try:
        geo = page_data(render("map", G))
    except (ValueError, KeyError):  # districts the shipped hex layout does not know
        return
    _map(G, geo, add)
    flows = geo["flows"]["links"]
    heads = [d["name"] for d in geo["districts"]]
    _links([{**x, "from": x["a"], "to": x["b"]} for x in flows], heads, add, g, names, "map")


def _cells_of(G, u, v) -> dict:
    return edge_cells(u, v, G.edges[u, v]) if G.has_edge(u, v) else {}


def _ecosystem(G, data: dict, add: Add, g: dict, view: str) -> None:
    ids, e, periods = data["nodes"]["id"], data["edges"], data["periods"]
    P = len(periods)
    for k, (a, b) in enumerate(zip(e["src"], e["dst"], strict=True)):
        u, v = ids[a], ids[b]
        for p, c in zip(periods, e["cells"][k * P : (k + 1) * P], strict=True):
            if c:
                add((view, "cell", u, v, p), [(u, v, p)], SUPPRESSED if c == HIDDEN else c)
        acc = e["accepted"][k]
        if acc:
            add(
                (view, "accepted", u, v),
                list(accepted_cells(G, u, v)),
                SUPPRESSED if acc == HIDDEN else acc,
            )
    if data.get("aggregate"):
        codes = data["lookup"]["district_ids"]
        for a, b, value, hidden in data["aggregate"]["flows"]:
            key = ("district_matrix", codes[a], codes[b])
            if key in g:
                add((view, "flow", codes[a], codes[b]), g[key], "*" if hidden else value)


def _plain_districts(data: dict, add: Add, g: dict, names: dict) -> None:
    for node in data["nodes"]:
        d = names.get(node["heading"])
        if d is None:
            continue
        rows = {r[0]: r[1] for r in node["rows"] if len(r) == 2 and r[0]}
        received = [c for (k, a, b), cs in _pairs(g) if b == d and a != d for c in cs]
        for label, cells in (
            ("Referrals sent (incl. inside)", g.get(("sent", d), [])),
            ("Referrals received from others", received),
            ("Kept inside", g.get(("district_matrix", d, d), [])),
        ):
            if label in rows and cells:
                add(("barriers-view", label, d), cells, _shown(rows[label]))
        if "Share kept inside" in rows:
            within = g.get(("district_matrix", d, d), [])
            sent = g.get(("sent", d), [])
            ratio(
                add, ("barriers-view", "share inside", d), rows["Share kept inside"], within, sent
            )


def ratio(add, key: tuple, shown_ratio, numerator: list, denominator: list) -> None:
    """A published ratio ``numerator / denominator``, as the audit models it.

    With either term published the ratio gives the other away (to well within one
    referral at three decimals), so a ratio shown counts as publishing both terms; one
    shown as ``*`` (or absent) publishes nothing. Conservative when neither term is
    shown: the ratio alone is one equation between them, not both.

    Examples
    --------
    >>> seen = []
    >>> ratio(lambda k, c, v: seen.append((k, c, v)), ("share", "A"), 0.25, ["a"], ["a", "b"])
    >>> ratio(lambda k, c, v: seen.append((k, c, v)), ("share", "B"), "*", ["c"], ["c", "d"])
    >>> seen
    [(('share', 'A', 'numerator'), ['a'], 0.25), (('share', 'A', 'denominator'), ['a', 'b'], 0.25)]
    """
    if shown_ratio is None or (isinstance(shown_ratio, str) and SUPPRESSED in shown_ratio):
        return
    if numerator:
        add((*key, "numerator"), numerator, shown_ratio)
    if denominator:
        add((*key, "denominator"), denominator, shown_ratio)


def _pairs(g: dict):
    return [(k, cs) for k, cs in g.items() if k[0] == "district_matrix"]


def _links(links: list, heads: list, add: Add, g: dict, names: dict, view: str) -> None:
    for x in links:
        a, b = names.get(heads[x["from"]]), names.get(heads[x["to"]])
        if a is None or b is None:
            continue
        rows = {r[0]: r[1] for r in x["rows"] if len(r) == 2 and r[0]}
        for label, cells in (
            (f"{heads[x['from']]} → {heads[x['to']]}", g.get(("district_matrix", a, b), [])),
            (f"{heads[x['to']]} → {heads[x['from']]}", g.get(("district_matrix", b, a), [])),
            ("Observed (both ways)", g.get(("border", *sorted((a, b))), [])),
        ):
            if label in rows and cells:
                add((view, label, a, b), cells, _shown(rows[label]))


def _map(G, data: dict, add: Add) -> None:
    periods = data["periods"]
    e = data["edges"]
    ids = data["points"]["id"]
    P = len(periods)
    for k, (a, b) in enumerate(zip(e["src"], e["dst"], strict=True)):
        u, v = ids[a], ids[b]
        for p, c in zip(periods, e["cells"][k * P : (k + 1) * P], strict=True):
            if c:
                add(("map", "cell", u, v, p), [(u, v, p)], SUPPRESSED if c == HIDDEN else c)
    width = P + 1
    vol = data["points"]["vol"]
    for i, n in enumerate(ids):
        if n not in G or G.has_edge(n, n):  # a loop counts twice in a volume: not a plain sum
            continue
        cells = [
            c
            for x, y in (*G.in_edges(n), *G.out_edges(n))
            for c in _cells_of(G, x, y)
            if int(G.edges[x, y].get("referrals") or 0) > 0
        ]
        for j, p in enumerate([*periods, None]):
            value, hidden = vol[2 * width * i + 2 * j], vol[2 * width * i + 2 * j + 1]
            part = [c for c in cells if p is None or c[2] == p]
            if part:
                add(("map", "volume", n, p or "all"), part, SUPPRESSED if hidden else value)
