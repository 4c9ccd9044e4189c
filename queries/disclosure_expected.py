"""Null-model values shown only when every total they are computed from is shown.

``barriers``' expected flows are ``out(i) x in(j) / total`` and its expected shares
``in(d) / total``, rounded to two or three decimals: beside a shown total and a shown
margin, an expected value gives a hidden margin back (``out(i) = expected x total /
in(j)``, to well within one referral). So each is hidden when any sum it is computed from
is hidden, and a permeability (observed / expected) with it. The sums are looked up in
the disclosure layer by their cells; a sum it never listed (a kind's row total) is
hidden when any of its cells is.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

__all__ = ["mark_expected", "hidden_margins", "district_margins_hidden"]

_EXPECTED = re.compile(r"\d[\d,]*(?:\.\d+)?%? expected")
_PERMEABILITY = re.compile(r"permeability [\d.]+")


def _margins(g: dict, name: str) -> tuple[dict, dict, list]:
    """Row and column cells of matrix ``name`` (keys ``(name, source, target)``), and all."""
    rows: dict = defaultdict(list)
    cols: dict = defaultdict(list)
    every: list = []
    for key, cells in g.items():
        if key[0] == name:
            rows[key[1]] += cells
            cols[key[2]] += cells
            every += cells
    return rows, cols, every


def hidden_margins(g: dict, hidden: Callable[[Iterable], bool]) -> tuple[set, bool]:
    """Districts whose sent or received total (district matrix) is hidden, and whether the
    grand total is.

    Examples
    --------
    >>> g = {("district_matrix", "A", "B"): ["c1"], ("district_matrix", "B", "B"): ["c2"]}
    >>> hidden_margins(g, lambda cells: cells == ["c1"])
    ({'A'}, False)
    """
    out_, in_, total = _margins(g, "district_matrix")
    bad = {d for m in (out_, in_) for d, cells in m.items() if hidden(cells)}
    return bad, hidden(total)


def district_margins_hidden(G) -> tuple[set, bool]:
    """:func:`hidden_margins` of ``G`` as its disclosure layer shows them (for the views)."""
    from gridvoices.queries.disclosure import layer

    D = layer(G)
    return hidden_margins(D.groups(G), D.hidden)


def _starred(row: dict, fields: Iterable[str]) -> dict:
    fields = [k for k in fields if row.get(k) is not None]
    if not fields:
        return row
    row = {**row, "_hidden": sorted({*(row.get("_hidden") or ()), *fields})}
    if isinstance(row.get("why"), str):
        why = _EXPECTED.sub("* expected", row["why"])
        if "permeability" in fields:
            why = _PERMEABILITY.sub("permeability *", why)
        row["why"] = why
    return row


def mark_expected(result: dict, g: dict, hidden: Callable[[Iterable], bool]) -> dict:
    """``result`` (a marked ``barriers`` answer) with every expected value, expected share and
    permeability marked hidden when a total it is computed from is hidden.

    ``g`` is :func:`~gridvoices.queries.disclosure.cell_groups` of the graph, ``hidden``
    the layer's verdict on a sum of cells.

    Examples
    --------
    >>> g = {("district_matrix", "A", "A"): ["c1"], ("district_matrix", "A", "B"): ["c2"],
    ...      ("district_matrix", "B", "A"): ["c3"]}
    >>> r = {"district_matrix": [{"source": "A", "target": "B", "referrals": 9, "expected": 4.5}]}
    >>> mark_expected(r, g, lambda cells: "c3" in cells)["district_matrix"][0]["_hidden"]
    ['expected']
    """
    out_, in_, total = _margins(g, "district_matrix")
    secret_total = hidden(total)

    def any_hidden(*sums) -> bool:
        return secret_total or any(hidden(s) for s in sums)

    r = dict(result)
    r["district_matrix"] = [
        _starred(x, ["expected"] if any_hidden(out_[x["source"]], in_[x["target"]]) else [])
        for x in result.get("district_matrix", [])
    ]
    r["borders"] = [
        _starred(
            x,
            ["expected", "permeability"]
            if any_hidden(out_[x["a"]], in_[x["a"]], out_[x["b"]], in_[x["b"]])
            else [],
        )
        for x in result.get("borders", [])
    ]
    r["inward"] = [
        _starred(x, ["expected_share"] if any_hidden(in_[x["district"]]) else [])
        for x in result.get("inward", [])
    ]
    k_out, k_in, k_total = _margins(g, "kind_matrix")
    r["kinds_never"] = [
        _starred(
            x,
            ["expected"]
            if hidden(k_total) or any(hidden(s[k]) for s in (k_out, k_in) for k in (x["a"], x["b"]))
            else [],
        )
        for x in result.get("kinds_never", [])
    ]
    return r
