"""The map's district layers: shading (index band, coverage gaps, what people report) and
the referral flows between districts (the barriers view's links).

Each shading is a list of fill colours (one per district, in the page's district order), a
legend and, per district, the rows its details show. Feedback counts follow the views'
disclosure rule: a count of 1-4 is ``*`` and a share or rating drawn from fewer than 5
responses is not shown (the district is drawn "too few to show").
"""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx
from gridvoices.ecosystem.privacy import SUPPRESSION_THRESHOLD, suppression
from gridvoices.ecosystem.vocab import COMMUNITY_DOMAINS
from gridvoices.queries.barriers.forms import barriers
from gridvoices.queries.coverage import coverage
from gridvoices.queries.disclosure_expected import district_margins_hidden
from gridvoices.queries.feedback_disclosure import hidden_districts
from gridvoices.visualise.barriers_view import (
    BANDS,
    HIDDEN_COLOUR,
    MISSING_COLOUR,
    keep_heaviest,
    marginals,
    pair_link,
)
from gridvoices.visualise.counts import Mask, block_flows
from gridvoices.visualise.network import BAND_COLOURS, RATING_STOPS

__all__ = ["SHADES", "NO_DATA", "district_shades", "district_flows"]

NO_DATA = "#d9dde2"  # grey: no value, or too few responses to show one
GAP_COLOURS = ("#1a9850", "#a6d96a", "#fee08b", "#fdae61", "#f46d43", "#d73027", "#a50026")
SHARE_STOPS = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")
SHADES = {
    "": "No shading",
    "band": "Recovery index band",
    "gaps": "Coverage gaps (community domains missing)",
    "rating": "Feedback: mean rating",
    "too_far": "Feedback: share saying “too far”",
    "refused": "Feedback: share saying “referral refused”",
}


def _count(n: int, suppress: bool) -> str:
    return "*" if suppress and 0 < n < SUPPRESSION_THRESHOLD else f"{n:,}"


def _step(stops, x: float) -> str:
    """Colour of ``x`` in [0, 1] on a stepped scale."""
    return stops[min(len(stops) - 1, max(0, int(x * len(stops))))]


def _feedback(G: nx.DiGraph) -> dict:
    """District -> responses, rating sum and barrier counts (feedback about a service there)."""
    where = {n: a.get("district") for n, a in G.nodes(data=True)}
    out: dict = defaultdict(lambda: {"responses": 0, "rating": 0, "barriers": Counter()})
    for r in G.graph.get("feedback") or []:
        if r.get("about_to") is not None:
            continue  # about a link, not a place
        d = where.get(r.get("about"))
        if d is None:
            continue
        row = out[d]
        row["responses"] += 1
        row["rating"] += int(r.get("rating") or 0)
        row["barriers"].update(set(r.get("barrier") or []))
    return out


def district_shades(
    G: nx.DiGraph, codes: list, index_bands: dict | None, suppress_small: bool
) -> tuple[list[dict], list[list]]:
    """The shading modes for ``codes`` and each district's detail rows.

    Returns
    -------
    (modes, rows)
        ``modes``: ``{"key", "heading", "fill": [colour per district], "legend": [...]}``
        for every key of :data:`SHADES` the data supports; ``rows``: per district, the
        ``[label, value]`` rows of its details.

    Examples
    --------
    >>> G = nx.DiGraph(districts={"D": {"name": "D", "borders": []}}, feedback=[])
    >>> modes, rows = district_shades(G, ["D"], {"D": 2}, True)
    >>> [m["key"] for m in modes], modes[1]["fill"]
    (['', 'band', 'gaps'], ['#91cf60'])
    """
    bands = index_bands or {}
    cover = {r["district"]: r for r in coverage(G)["districts"]}
    fb = _feedback(G)
    n = len(codes)
    modes = [{"key": "", "heading": SHADES[""], "fill": ["#eef1f4"] * n, "legend": []}]
    if bands:
        modes.append(
            {
                "key": "band",
                "heading": SHADES["band"],
                "fill": [BAND_COLOURS[bands[c] - 1] if c in bands else NO_DATA for c in codes],
                "legend": [[BAND_COLOURS[b], f"Band {b + 1}"] for b in range(5)]
                + [[NO_DATA, "No band"]],
            }
        )
    total = len(COMMUNITY_DOMAINS)
    modes.append(
        {
            "key": "gaps",
            "heading": SHADES["gaps"],
            "fill": [
                GAP_COLOURS[min(6, len(cover[c]["missing"]))] if c in cover else NO_DATA
                for c in codes
            ],
            "legend": [[GAP_COLOURS[k], f"{k} of {total} missing"] for k in range(0, 7, 2)],
        }
    )
    with suppression(suppress_small):
        secret = hidden_districts(G)  # small, or hidden so that no small one can be worked out
    enough = {
        c: fb[c]["responses"] >= SUPPRESSION_THRESHOLD and c not in secret for c in codes if c in fb
    }
    if any(enough.values()):
        modes.append(_rating_mode(codes, fb, enough))
        for key, code in (("too_far", "too_far"), ("refused", "referral_refused")):
            modes.append(_share_mode(key, code, codes, fb, enough, suppress_small))
    rows = [_rows(c, bands, cover.get(c), fb.get(c), suppress_small, c in secret) for c in codes]
    return modes, rows


def _rating_mode(codes, fb, enough) -> dict:
    fill = []
    for c in codes:
        if not enough.get(c):
            fill.append(NO_DATA)
        else:
            mean = fb[c]["rating"] / fb[c]["responses"]
            fill.append(_step(RATING_STOPS, (mean - 1) / 4.0001))
    legend = [[RATING_STOPS[k], f"{1 + 0.8 * k:.1f} to {1.8 + 0.8 * k:.1f}"] for k in range(5)]
    return {
        "key": "rating",
        "heading": SHADES["rating"],
        "fill": fill,
        "legend": [*legend, [NO_DATA, "Fewer than 5 responses"]],
    }


def _share_mode(key, code, codes, fb, enough, suppress) -> dict:
    fill = []
    for c in codes:
        k = fb[c]["barriers"][code] if c in fb else 0
        hidden = suppress and 0 < k < SUPPRESSION_THRESHOLD
        # A share of a hidden count would give the count away (responses are shown).
        fill.append(
            NO_DATA
            if not enough.get(c) or hidden
            else _step(SHARE_STOPS, k / fb[c]["responses"] / 0.5)
        )
    legend = [[SHARE_STOPS[k], f"{10 * k}% to {10 * k + 10}%"] for k in range(4)]
    legend.append([SHARE_STOPS[4], "40% or more"])
    legend.append([NO_DATA, "Too few to show (fewer than 5)"])
    return {"key": key, "heading": SHADES[key], "fill": fill, "legend": legend}


def _rows(code, bands, cover, fb, suppress, secret: bool = False) -> list:
    rows = []
    if code in bands:
        rows.append(["Recovery index band", f"{bands[code]} (1 strongest, 5 weakest)"])
    if cover is not None:
        rows.append(
            ["Community domains covered", f"{cover['covered']} of {len(COMMUNITY_DOMAINS)}"]
        )
        if cover["missing"]:
            rows.append(["Missing", "; ".join(COMMUNITY_DOMAINS[d] for d in cover["missing"])])
    if fb:
        n = fb["responses"]
        rows.append(["Feedback responses", "*" if secret else _count(n, suppress)])
        if n >= SUPPRESSION_THRESHOLD and not secret:
            rows.append(["Mean rating (1-5)", f"{fb['rating'] / n:.2f}"])
            for label, b in (
                ("Said “too far”", "too_far"),
                ("Said “referral refused”", "referral_refused"),
            ):
                rows.append([label, _count(fb["barriers"][b], suppress)])
    return rows


def district_flows(G, codes, names, columns, mask: Mask) -> dict:
    """District links as the barriers view draws them (:func:`barriers_view.pair_link`: the
    same counts, permeability colours, flags and missing links), without its layout."""
    with suppression(mask.on):
        result = barriers(G, min_permeability=0.1)
    shown = block_flows(G, lambda a: a.get("district"), mask, columns)
    exact = {(f["source"], f["target"]): f["referrals"] for f in result["district_matrix"]}
    borders = {frozenset(p) for p in G.graph.get("borders") or ()}
    by_border = {frozenset((r["a"], r["b"])): r for r in result["borders"]}
    at = {c: i for i, c in enumerate(codes)}
    marg = marginals(exact)
    pairs = {frozenset(p) for p in exact if p[0] != p[1]} | {p for p in borders if len(p) == 2}
    # Expected flows come from district totals: hidden with any total the layer hides.
    bad, secret_total = district_margins_hidden(G) if mask.on else (set(), False)
    links = []
    for pair in sorted(pairs, key=lambda p: sorted(map(str, p))):
        a, b = sorted(pair, key=str)
        if a not in at or b not in at:
            continue
        hide = bool(secret_total or pair & bad)
        x = pair_link(
            a, b, names.get, shown, exact, marg, pair in borders, by_border.get(pair), hide
        )
        if x["cat"] == "other" and x["value"] == 0:
            continue
        links.append(x)
    links, dropped = keep_heaviest(links, lambda x: x["cat"] == "other")
    top = max((x["value"] for x in links), default=0) or 1
    return {
        "links": [
            {
                "a": at[x["from"]],
                "b": at[x["to"]],
                "colour": x["colour"],
                "width": x["width"] or round(1.5 + 10 * (x["value"] / top) ** 0.5, 2),
                "dashed": bool(x["dashes"]),
                "cat": x["cat"],
                "heading": x["heading"],
                "rows": x["rows"],
            }
            for x in links
        ],
        "dropped": dropped,
        "legend": [
            *({"colour": c, "label": t} for _, c, t in BANDS),
            {"colour": HIDDEN_COLOUR, "label": "Not shown: includes counts of 1–4 (*)"},
            {
                "colour": MISSING_COLOUR,
                "dashed": True,
                "label": "Missing: bordering districts, no referrals",
            },
        ],
    }
