"""Charts of flows and reach for the report: bar charts drawn as inline SVG
(:mod:`gridvoices.visualise.report.svg` says how, and why they hold no text).

Every chart is drawn from results that have already been through
:func:`gridvoices.visualise.render.shown`, so a small count is the string ``"*"`` here
and is never drawn as a bar: the chart says "suppressed" instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from gridvoices.visualise.report.svg import (
    PALETTE,
    barh,
    chart,
    drawable,
    style_axes,
    suppressed,
)
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

__all__ = ["flows_chart", "flows_ratings_chart", "permeability_chart", "reach_chart"]


@chart
def permeability_chart(borders: Sequence[dict]) -> tuple[Figure, str]:
    """Each bordering pair's permeability (observed / expected referrals), barriers hatched."""
    rows = list(reversed(borders))
    fig, ax = barh(len(rows))
    top = max([drawable(r["permeability"]) or 0 for r in rows] + [1.2]) * 1.25
    for y, r in enumerate(rows):
        p = drawable(r["permeability"])
        colour = PALETTE["bad"] if r["barrier"] else PALETTE["primary"]
        if p is not None:
            ax.barh(y, p, color=colour, hatch="////" if r["barrier"] else None, edgecolor="white")
        note = "BARRIER, felt" if r.get("felt") else "BARRIER" if r["barrier"] else ""
        text = f"{p:.2f}" if p is not None else "* suppressed (small count)"
        ax.text(
            (p or 0) + top * 0.012,
            y,
            f"{text}  {note}".strip(),
            va="center",
            fontsize=8,
            color=colour,
            fontweight="bold" if note else "normal",
        )
    ax.set_yticks(range(len(rows)), [f"{r['a_name']} – {r['b_name']}" for r in rows])
    ax.axvline(1, color=PALETTE["good"], linestyle="--", linewidth=1)
    ax.text(
        1, len(rows) - 0.4, " 1 = border makes no difference", color=PALETTE["good"], fontsize=8
    )
    ax.set_xlim(0, top)
    ax.set_ylim(-0.6, len(rows) - 0.1)
    ax.set_xlabel("Referrals crossing the border ÷ referrals expected if it did not exist")
    return fig, "Permeability of each border between neighbouring districts"


@chart
def flows_chart(inward: Sequence[dict]) -> tuple[Figure, str]:
    """Referrals each district keeps inside versus sends to other districts."""
    rows = list(reversed(inward))
    fig, ax = barh(len(rows))
    top = max([drawable(r["sent"]) or 0 for r in rows] + [1])
    labelled = False  # the first row drawn names the colours: the first row may be hidden
    for y, r in enumerate(rows):
        sent, inside = drawable(r["sent"]), drawable(r["internal"])
        if sent is None or inside is None:
            suppressed(ax, y)
            continue
        ax.barh(
            y,
            inside,
            color=PALETTE["primary"],
            label=None if labelled else "Kept inside the district",
        )
        ax.barh(
            y,
            sent - inside,
            left=inside,
            color=PALETTE["secondary"],
            label=None if labelled else "Sent to other districts",
        )
        labelled = True
        share = r["internal_share"]
        label = f"{share:.0%} inside" if isinstance(share, float) else ""
        mark = "  INWARD-LOOKING" if r["inward_looking"] else ""
        ax.text(
            sent + top * 0.01,
            y,
            label + mark,
            va="center",
            fontsize=8,
            color=PALETTE["bad"] if mark else PALETTE["muted"],
            fontweight="bold" if mark else "normal",
        )
    ax.set_yticks(range(len(rows)), [r["name"] for r in rows])
    ax.set_xlim(0, top * 1.35)
    ax.set_xlabel("Referrals sent by services and groups in the district")
    if labelled:  # every row hidden: no bars, so no colours to explain
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    return fig, "Referrals kept inside each district and sent elsewhere"


@chart
def flows_ratings_chart(rows: Sequence[dict], county_mean: float | None) -> tuple[Figure, str]:
    """Two panels per district: referrals in and out (left) and mean rating 1-5 (right).

    ``rows``: ``name``, ``volume`` (referrals in + out), ``responses`` and ``mean_rating``.
    Districts rated at least 0.5 below ``county_mean`` are red and hatched in both panels, so
    busy flows with a poor experience stand out without relying on colour.
    """
    rows = list(reversed(rows))
    fig = Figure(figsize=(7.2, 0.9 + 0.34 * max(len(rows), 1)))
    left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 1.25]})
    top = max([drawable(r["volume"]) or 0 for r in rows] + [1])
    for ax in (left, right):
        style_axes(ax)
    for y, r in enumerate(rows):
        m, v = drawable(r["mean_rating"]), drawable(r["volume"])
        low = None not in (m, county_mean) and m <= county_mean - 0.5
        style = {
            "color": PALETTE["bad"] if low else PALETTE["primary"],
            "edgecolor": "white",
            "hatch": "////" if low else None,
        }
        if v is None:
            suppressed(left, y)
        else:
            left.barh(y, v, **style)
            left.text(
                v + top * 0.02, y, f"{v:,.0f}", va="center", fontsize=8, color=PALETTE["muted"]
            )
        if m is None:
            suppressed(right, y, 1)
            continue
        right.barh(y, m - 1, left=1, **style)
        note = f"{m:.2f} ({r['responses']})" + ("  LOW" if low else "")
        right.text(
            m + 0.05,
            y,
            note,
            va="center",
            fontsize=8,
            color=PALETTE["bad"] if low else PALETTE["muted"],
        )
    if county_mean is not None:
        right.axvline(county_mean, color=PALETTE["ink"], linestyle=":", linewidth=1)
        right.text(
            county_mean, len(rows) - 0.45, f"county {county_mean:.2f}", fontsize=8, ha="center"
        )
    left.set_yticks(range(len(rows)), [r["name"] for r in rows])
    left.set_xlim(0, top * 1.3)
    left.set_ylim(-0.6, len(rows) - 0.1)
    left.set_xlabel("Referrals in and out")
    left.xaxis.set_major_locator(MaxNLocator(3))
    right.set_xlim(1, 6.3)
    right.set_xticks([1, 2, 3, 4, 5])
    right.set_xlabel("Mean rating, 1-5 (responses)")
    fig.subplots_adjust(wspace=0.08)
    return fig, "Referral volume and mean rating by district"


@chart
def reach_chart(reach: Sequence[dict]) -> tuple[Figure, str]:
    """Per district: seeds, expected further reach, and what the cascade does not reach."""
    rows = list(reversed(reach))
    fig, ax = barh(len(rows))
    for y, r in enumerate(rows):
        nodes, seeds, exp = r["nodes"], r["seeds"], r["expected"]
        beyond = max(exp - seeds, 0)
        parts = [
            (seeds, PALETTE["good"], "Starting points (lived-experience-led)"),
            (beyond, PALETTE["secondary"], "Reached on average"),
            (max(nodes - exp, 0), PALETTE["pale"], "Not reached"),
        ]
        left = 0.0
        for value, colour, name in parts:
            ax.barh(y, value, left=left, color=colour, label=name if y == 0 else None)
            left += value
        ax.text(
            nodes + 0.3,
            y,
            f"{exp / nodes:.0%} of {nodes}" if nodes else "",
            va="center",
            fontsize=8,
            color=PALETTE["muted"],
        )
    ax.set_yticks(range(len(rows)), [r["name"] for r in rows])
    ax.set_xlim(0, max([r["nodes"] for r in rows] + [1]) * 1.2)
    ax.set_xlabel("Services, groups and navigators")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, frameon=False, fontsize=8)
    return fig, "Expected reach of recovery contagion by district"
