"""The disclosure layer's answers: which fields of a named answer are shown as ``*``.

:func:`disclose` marks the fields of ``summary``, ``barriers``, ``barrier_tests`` and
``feedback`` answers that the layer (:mod:`gridvoices.queries.disclosure`) hides, so that
:func:`gridvoices.visualise.render.shown` stars them; :func:`disclose_store` does it for an
answer read from a store. Split from the layer itself, which lists and protects the figures.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gridvoices.ecosystem.privacy import SUPPRESSED, suppress
from gridvoices.queries.counts import LinkCounts, link_counts
from gridvoices.queries.disclosure import layer

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["DISCLOSED", "disclose", "disclose_store", "shown_counts"]

_HIDE = "_hidden"  # a row's fields the layer hides; visualise.render.shown stars them


def _mark(row: dict, hide: dict[str, list]) -> dict:
    D_hidden = [k for k, hidden in hide.items() if hidden and row.get(k)]
    if D_hidden:
        row = {**row, _HIDE: D_hidden}
    return row


def _spanner(row: dict, own: bool, total: bool) -> dict:
    """A spanner's row: its cross-border referrals, and "of N" in its sentence, as shown."""
    if total and isinstance(row.get("why"), str):
        # "takes part in 14 of 17 cross-district referrals (82%)": the 17 and the share go.
        row = {**row, "why": re.sub(r" of \d+ cross-district", " of * cross-district", row["why"])}
        row = _mark(row, {"share": True})
    return _mark(row, {"cross_referrals": own, **dict.fromkeys(row.get(_HIDE) or (), True)})


def disclose(name: str, result: dict, G: nx.DiGraph) -> dict:
    """``result`` of named answer ``name`` with the fields the layer hides marked.

    Numbers stay exact (analyses build on them); each row lists the fields to show
    as ``*`` under ``_hidden``, which :func:`gridvoices.visualise.render.shown` applies,
    and the answer gets a ``disclosure`` block. Answers not in :data:`DISCLOSED`
    (``summary``, ``barriers``, ``barrier_tests``, ``feedback``) are returned as they are.
    """
    if name not in DISCLOSED or not isinstance(result, dict):
        return result
    if name == "feedback":
        from gridvoices.queries.feedback_disclosure import disclose_feedback

        return disclose_feedback(result, G)
    D = layer(G)
    g = D.groups(G)

    verdicts: dict = {}

    def hid(key) -> bool:
        # Once per sum: rows repeat them (every spanner quotes the cross-district total,
        # a national store's has hundreds of thousands of cells).
        if key not in verdicts:
            verdicts[key] = D.hidden(g.get(key, ()))
        return verdicts[key]

    r = dict(result)
    if name == "barrier_tests":
        # The permutation tests quote each border's flow, as barriers' borders do.
        r["pairs"] = [
            _mark(x, {"observed": hid(("border", *sorted((x["a"], x["b"]))))})
            for x in result.get("pairs", [])
        ]
    elif name == "summary":
        r["districts"] = [
            _mark(
                row,
                {
                    "referrals_out": hid(("referrals_out", row["district"])),
                    "referrals_in": hid(("referrals_in", row["district"])),
                },
            )
            for row in result.get("districts", [])
        ]
        totals = dict(result.get("totals", {}))
        if "referrals_visible" in totals:
            counts = shown_counts(G)
            totals["referrals_visible"] = counts.referrals_visible
            totals["referral_small_cells"] = counts.referral_small_cells
        r["totals"] = _mark(totals, {"referrals": hid(("total",))})
    else:
        r["district_matrix"] = [
            _mark(x, {"referrals": hid(("district_matrix", x["source"], x["target"]))})
            for x in result.get("district_matrix", [])
        ]
        r["kind_matrix"] = [
            _mark(x, {"referrals": hid(("kind_matrix", x["source"], x["target"]))})
            for x in result.get("kind_matrix", [])
        ]
        r["inward"] = [
            _mark(
                x,
                {
                    "internal": hid(("district_matrix", x["district"], x["district"])),
                    "sent": hid(("sent", x["district"])),
                },
            )
            for x in result.get("inward", [])
        ]
        r["borders"] = [
            _mark(
                x,
                {"observed": hid(("border", *sorted((x["a"], x["b"]))))},
            )
            for x in result.get("borders", [])
        ]
        r["silos"] = [
            _mark(
                x,
                {
                    "internal": hid(("org_internal", x["organisation"])),
                    "sent": hid(("org_sent", x["organisation"])),
                },
            )
            for x in result.get("silos", [])
        ]
        r["spanners"] = [
            _spanner(x, hid(("cross", x["id"])), hid(("cross_total",)))
            for x in result.get("spanners", [])
        ]
        from gridvoices.queries.disclosure_expected import mark_expected

        r = mark_expected(r, g, D.hidden)
    r["disclosure"] = D.as_dict()
    return r


def shown_counts(G: nx.DiGraph) -> LinkCounts:
    """:func:`~gridvoices.queries.counts.link_counts` with the total shown as the cells the
    layer shows ``+ *``.

    A sum of every cell of 5 or more would give back a complement (the whole minus
    the cells shown), and with it the count the complement protects.
    """
    return link_counts(G, layer(G).hidden_cells())


DISCLOSED = frozenset({"summary", "barriers", "barrier_tests", "feedback"})


def disclose_store(store, name: str, result: dict, periods: list[str] | None) -> dict:
    """:func:`disclose` for an answer from ``store``, protected with all its periods.

    Nothing is marked when suppression is off for this block of work.
    """
    if suppress(1) != SUPPRESSED:
        return result
    if store.kind == "embedded" and name in ("summary", "barriers"):
        # Straight from SQL: no pandas, no NetworkX and no feedback table for these two.
        from gridvoices.queries.disclosure_sql import disclosure_graph as build
    else:
        from gridvoices.queries.run import load_graph as build

    # The all-periods graph is built only when periods were chosen (see layer()).
    return disclose(name, result, build(store, periods))
