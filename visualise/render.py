"""Turn results into what people see: referral counts of 1-4 become ``*``."""

from __future__ import annotations

import re
from typing import Any

from gridvoices.ecosystem.privacy import suppress as _s
from gridvoices.visualise.counts import fmt_shown

__all__ = ["shown", "shown_total", "path_line", "span", "FLOW_KEYS"]

# Result fields that count referrals (people), wherever they appear.
FLOW_KEYS = frozenset(
    {
        "referrals",
        "referrals_in",
        "referrals_out",
        "accepted",
        "observed",
        "internal",
        "sent",
        "cross_referrals",
        "before",
        "after",
        "responses",
        "reported_distance",
        "reported",
    }
)


# Ratios and shares computed from a flow count in the same row: starred with it
# (secondary suppression), since the row's other numbers would give it back.
DERIVED_KEYS = frozenset(
    {
        "permeability",
        "internal_share",
        "silo_share",
        "share",
        "p",
        "p_edge",
        "mean_rating",
        "top_themes",
        "top_barriers",
        "trend",
    }
)


# A grand total that says how it is shown (gridvoices.queries.counts.LinkCounts): with
# small counts hidden it reads as the views' header does, visible cells + * (rule 2 of
# gridvoices.visualise.counts), so summary, views, report and exports agree.
_TOTAL_PARTS = ("referrals_visible", "referral_small_cells")


def shown_total(totals: dict, *, suppress: bool = True) -> dict:
    """``totals`` without its :data:`_TOTAL_PARTS`, ``referrals`` as shown.

    Examples
    --------
    >>> t = {"referrals": 40, "referrals_visible": 30, "referral_small_cells": 3}
    >>> shown_total(t), shown_total(t, suppress=False)
    ({'referrals': '30 + *'}, {'referrals': 40})
    """
    row = {k: v for k, v in totals.items() if k not in _TOTAL_PARTS}
    if suppress and totals.get("referral_small_cells"):
        row["referrals"] = fmt_shown((int(totals["referrals_visible"]), 1))
    return row


def shown(result: Any, *, suppress: bool = True) -> Any:
    """A copy of ``result`` (dicts and lists, any depth) with flow counts suppressed.

    Examples
    --------
    >>> shown({"referrals": 3, "services": 3, "hops": [{"referrals": 12}]})
    {'referrals': '*', 'services': 3, 'hops': [{'referrals': 12}]}
    """
    if isinstance(result, dict):
        if "referrals" in result and all(k in result for k in _TOTAL_PARTS):
            result = shown_total(result, suppress=suppress)
        # Fields the disclosure layer hides as complements (gridvoices.queries.disclosure).
        extra = set(result.get("_hidden") or ()) if suppress else set()
        row = {
            k: (
                "*"
                if k in extra
                else _s(v, enabled=suppress)
                if k in FLOW_KEYS and isinstance(v, int)
                else shown(v, suppress=suppress)
            )
            for k, v in result.items()
            if k != "_hidden"
        }
        if extra and isinstance(row.get("why"), str):
            row["why"] = _star_sentence(row["why"], [result[k] for k in extra])
        if any(row[k] == "*" for k in FLOW_KEYS & row.keys()):
            row.update({k: "*" for k in DERIVED_KEYS & row.keys() if row[k] is not None})
        return row
    if isinstance(result, list):
        return [shown(v, suppress=suppress) for v in result]
    return result


def _star_sentence(text: str, values: list) -> str:
    """``text`` with each hidden number, and every percentage, replaced by ``*``."""
    for v in values:
        if isinstance(v, int):
            text = re.sub(rf"(?<![\d.,]){v}(?![\d.,]*%|[\d,])", "*", text)
    return re.sub(r"\d+%", "*", text)


def path_line(p: dict) -> str:
    """``a -(12)-> b -(*)-> c``"""
    parts = [p["nodes"][0]]
    for h in p["hops"]:
        parts.append(f"-({h['referrals']})-> {h['target']}")
    return " ".join(parts)


def span(G) -> str:
    ps = G.graph.get("periods", [])
    if not ps:
        return "no periods"
    return ps[0] if len(ps) == 1 else f"{ps[0]} to {ps[-1]}"
