"""Charts of the district recovery ecosystem index and of closures, for the report
(inline SVG, :mod:`gridvoices.visualise.report.svg`)."""

from __future__ import annotations

from collections.abc import Sequence

from gridvoices.visualise.report.svg import PALETTE, barh, chart, drawable, style_axes
from matplotlib.figure import Figure

__all__ = ["BAND_COLOURS", "BAND_LABELS", "closures_chart", "index_chart", "need_chart"]

#: index band (1 strongest ... 5 weakest) -> colour; band 5 is also hatched, and every bar
#: carries its band in words, so the chart never relies on colour alone
BAND_COLOURS = {
    1: PALETTE["good"],
    2: "#6fae8f",
    3: PALETTE["secondary"],
    4: PALETTE["warn"],
    5: PALETTE["bad"],
}
#: band -> the words on its badge and its bar (band 1 is the strongest)
BAND_LABELS = {1: "strongest", 2: "strong", 3: "middle", 4: "weak", 5: "weakest"}


@chart
def index_chart(rows: Sequence[dict]) -> tuple[Figure, str]:
    """Each district's overall index score (a z-score mean, 0 = average) coloured by band."""
    rows = [r for r in reversed(rows) if drawable(r["score"]) is not None]
    fig, ax = barh(len(rows))
    scores = [drawable(r["score"]) for r in rows] or [0.0]
    lo, hi = min(scores + [0.0]), max(scores + [0.0])
    pad = (hi - lo or 1) * 0.2
    for y, r in enumerate(rows):
        v, band = drawable(r["score"]), r["band"]
        colour = BAND_COLOURS.get(band, PALETTE["muted"])
        ax.barh(y, v, color=colour, hatch="////" if band == 5 else None, edgecolor="white")
        label = f"{v:+.2f}  band {band} ({BAND_LABELS.get(band, '')})"
        ax.text(  # beside the bar, or right of the zero line for a negative score
            max(v, 0.0) + pad * 0.04,
            y,
            label,
            va="center",
            ha="left",
            fontsize=8,
            color=colour if band in (4, 5) else PALETTE["ink"],
            fontweight="bold" if band == 5 else "normal",
        )
    ax.set_yticks(range(len(rows)), [r["name"] for r in rows])
    ax.axvline(0, color=PALETTE["ink"], linewidth=0.8)
    ax.set_xlim(lo - pad * 0.3, hi + pad * 3.2)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("Overall index score (0 = the county average; higher is stronger)")
    return fig, "District recovery ecosystem index: overall score and band"


@chart
def need_chart(
    points: Sequence[dict], median_score: float, median_need: float
) -> tuple[Figure, str]:
    """Need (up) against index score (right), split at the medians into four quadrants."""
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    style_axes(ax, grid="both")
    ax.axvline(median_score, color=PALETTE["muted"], linestyle="--", linewidth=1)
    ax.axhline(median_need, color=PALETTE["muted"], linestyle="--", linewidth=1)
    for p in points:
        weak_high = p["quadrant"] == "weak, high need"
        ax.scatter(
            p["score"],
            p["need"],
            s=46,
            marker="s" if weak_high else "o",
            color=PALETTE["bad"] if weak_high else PALETTE["primary"],
            zorder=3,
        )
        ax.annotate(
            p["name"] + ("  (weak, high need)" if weak_high else ""),
            (p["score"], p["need"]),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=8,
            color=PALETTE["bad"] if weak_high else PALETTE["ink"],
            fontweight="bold" if weak_high else "normal",
        )
    corners = (
        (0.01, 0.99, "weak, high need", "left", "top"),
        (0.99, 0.99, "strong, high need", "right", "top"),
        (0.01, 0.01, "weak, low need", "left", "bottom"),
        (0.99, 0.01, "strong, low need", "right", "bottom"),
    )
    for x, y, text, ha, va in corners:
        ax.text(
            x,
            y,
            text.upper(),
            transform=ax.transAxes,
            ha=ha,
            va=va,
            fontsize=7,
            color=PALETTE["muted"],
        )
    ax.margins(0.25)
    ax.set_xlabel("Index score (higher is stronger)")
    ax.set_ylabel("Need (higher is more)")
    return fig, "Need against recovery ecosystem strength by district"


@chart
def closures_chart(rows: Sequence[dict]) -> tuple[Figure, str]:
    """Expected reach lost if each service or group closed, with ± one standard error;
    closures that also cut the network in two are hatched."""
    rows = list(reversed(rows))
    fig, ax = barh(len(rows))
    top = max([r["reach_lost"] + r["reach_lost_se"] for r in rows] + [0.1]) * 1.45
    for y, r in enumerate(rows):
        cut = bool(r.get("articulation"))
        colour = PALETTE["bad"] if cut else PALETTE["primary"]
        ax.barh(
            y,
            r["reach_lost"],
            xerr=r["reach_lost_se"],
            color=colour,
            hatch="////" if cut else None,
            edgecolor="white",
            error_kw={"ecolor": PALETTE["ink"], "capsize": 2, "linewidth": 0.8},
        )
        note = f"{r['reach_lost']:.2f} ± {r['reach_lost_se']:.2f}"
        if cut:
            note += f"  SPLITS THE NETWORK ({r['pairs_lost']} pairs)"
        ax.text(
            r["reach_lost"] + r["reach_lost_se"] + top * 0.01,
            y,
            note,
            va="center",
            fontsize=8,
            color=colour if cut else PALETTE["muted"],
            fontweight="bold" if cut else "normal",
        )
    ax.set_yticks(range(len(rows)), [r["name"] or str(r["id"]) for r in rows])
    ax.set_xlim(0, top)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("Expected reach of recovery contagion lost if it closed (± 1 standard error)")
    return fig, "Reach lost if each service or group closed"
