"""The report as the disclosure audit reads it: the numbers in its tables and sentences.

:func:`report_figures` renders the commissioners' report for one graph and reads back,
from the generated HTML: the district x district matrix, the neighbouring districts'
and the permutation tests' "referrals crossing", the cross-border spanners' table, and
the sentences that quote counts ("Amber Valley keeps 120 of its 300 referrals inside",
"X takes part in 14 of 17 cross-district referrals", "A and B border each other: 12
referrals crossed", "X refers 40 of 50 referrals to its own services"). Each number is
reported as the cells it sums; ``*`` (or ``120 + *``) is hidden.

Not read: ratios, expected values and p-values (not sums of cells), and the charts
(SVG outlines with no numbers in them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import networkx as nx
from gridvoices.queries.disclosure import cell_groups
from gridvoices.visualise.disclosure_views import Add

__all__ = ["report_figures", "read_report"]

_NUM = r"(\*|\d[\d,]*(?: \+ \*)?)"


class _Report(HTMLParser):
    """Tables (rows of cell texts; a matrix cell's count only) and the page's plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._span: str | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("style", "script", "svg"):
            self._skip += 1
        elif tag == "table":
            self.tables.append({"class": a.get("class") or "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "span":
            self._span = a.get("class")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "svg"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None and self.tables:
            if self.tables[-1]["rows"]:
                self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "span":
            self._span = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        in_matrix = self.tables and "gv-matrix" in self.tables[-1]["class"]
        if self._cell is not None and (not in_matrix or self._span in (None, "gv-n")):
            self._cell.append(data)


def read_report(page: str) -> tuple[list[dict], str]:
    """The tables (``{"class", "rows"}``) and the plain text of a generated report."""
    p = _Report()
    p.feed(page)
    p.close()
    return p.tables, " ".join("".join(p.text).split())


def _value(text: str):
    text = text.strip()
    if re.fullmatch(r"\d[\d,]*", text):
        return int(text.replace(",", ""))
    return text


def report_figures(
    G: nx.DiGraph, add: Add, *, render: Callable[[nx.DiGraph], str] | None = None
) -> None:
    """Call ``add(key, cells, shown)`` for every count the report on ``G`` publishes."""
    if render is None:
        from gridvoices.visualise.report import render_report as render
    tables, text = read_report(render(G))
    g = cell_groups(G)
    districts = G.graph.get("districts") or {}
    dname = _unique({c: str(d.get("name") or c) for c, d in districts.items()})
    for t in tables:
        head = t["rows"][0] if t["rows"] else []
        if "gv-matrix" in t["class"]:
            names = head[1:]
            for row in t["rows"][1:]:
                for to, cell in zip(names, row[1:], strict=False):
                    a, b = dname.get(row[0]), dname.get(to)
                    cells = g.get(("district_matrix", a, b), [])
                    if a and b and cells:
                        add(("report", "matrix", a, b), cells, _value(cell))
        elif head[:2] == ["Border", "Referrals crossing"]:
            which = "tests" if "gv-ptests" in t["class"] else "borders"
            for row in t["rows"][1:]:
                a, _, b = row[0].partition(" – ")
                a, b = dname.get(a), dname.get(b)
                cells = g.get(("border", *sorted((a, b))), []) if a and b else []
                if cells:
                    add(("report", which, *sorted((a, b))), cells, _value(row[1]))
        elif head[:3] == ["Service or group", "District", "Cross-border referrals"]:
            names = _unique({n: str(d.get("name") or n) for n, d in G.nodes(data=True)})
            for row in t["rows"][1:]:
                n = names.get(row[0])
                if n is not None and g.get(("cross", n)):
                    add(("report", "spanner", n), g[("cross", n)], _value(row[2]))
    _sentences(G, text, add, g, dname)


def _unique(names: dict) -> dict:
    """Name -> key for names only one key has (a shared name cannot be read back)."""
    seen: dict = {}
    for k, n in names.items():
        seen.setdefault(n, []).append(k)
    return {n: ks[0] for n, ks in seen.items() if len(ks) == 1}


def _sentences(G, text: str, add: Add, g: dict, dname: dict) -> None:
    for name, d in dname.items():
        q = re.escape(name)
        for m in re.finditer(rf"{q} keeps {_NUM} of its {_NUM} referrals inside", text):
            add(("report", "kept", d), g.get(("district_matrix", d, d), []), _value(m[1]))
            add(("report", "sent", d), g.get(("sent", d), []), _value(m[2]))
    for a_name, a in dname.items():
        for b_name, b in dname.items():
            pattern = rf"{re.escape(a_name)} and {re.escape(b_name)} border each other: {_NUM} "
            for m in re.finditer(pattern, text):
                cells = g.get(("border", *sorted((a, b))), [])
                if cells:
                    add(("report", "crossed", *sorted((a, b))), cells, _value(m[1]))
    nodes = _unique({n: str(x.get("name") or n) for n, x in G.nodes(data=True)})
    for name, n in nodes.items():
        pattern = rf"{re.escape(name)} takes part in {_NUM} of {_NUM} cross-district referrals"
        for m in re.finditer(pattern, text):
            add(("report", "cross", n), g.get(("cross", n), []), _value(m[1]))
            add(("report", "cross_total"), g.get(("cross_total",), []), _value(m[2]))
    orgs = _unique(
        {o: str(x.get("name") or o) for o, x in (G.graph.get("organisations") or {}).items()}
    )
    for name, o in orgs.items():
        pattern = rf"{re.escape(name)} refers {_NUM} of {_NUM} referrals"
        for m in re.finditer(pattern, text):
            add(("report", "org_internal", o), g.get(("org_internal", o), []), _value(m[1]))
            add(("report", "org_sent", o), g.get(("org_sent", o), []), _value(m[2]))
