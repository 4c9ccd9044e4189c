"""Charts for the commissioners' report: matplotlib figures as inline SVG that open offline.

Every chart is drawn from results that have already been through
:func:`gridvoices.visualise.render.shown`, so a small count is the string ``"*"`` here
and is never drawn as a bar: the chart says "suppressed" instead. Text is
drawn as glyph outlines (``svg.fonttype = "path"``) in DejaVu Sans, the font
matplotlib ships: the picture looks the same on every machine, needs no font
download, and contains no partner text at all (so nothing in it can be markup).
Settings are applied with ``rc_context`` and no pyplot state is touched, so
importing this module changes nothing for a caller using matplotlib.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence

import matplotlib
from markupsafe import Markup, escape
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

__all__ = [
    "permeability_chart",
    "flows_chart",
    "flows_ratings_chart",
    "reach_chart",
    "index_chart",
    "need_chart",
    "closures_chart",
    "BAND_COLOURS",
    "to_svg",
    "PALETTE",
]

PALETTE = {
    "ink": "#1f2933",
    "muted": "#616e7c",
    "grid": "#d9dee3",
    "primary": "#1d4e89",
    "secondary": "#7aa6d6",
    "good": "#2a7f62",
    "warn": "#b7791f",
    "bad": "#b42318",
    "pale": "#e4e7eb",
}

#: index band (1 strongest ... 5 weakest) -> colour; band 5 is also hatched, and every bar
#: carries its band in words, so the chart never relies on colour alone
BAND_COLOURS = {
    1: PALETTE["good"],
    2: "#6fae8f",
    3: PALETTE["secondary"],
    4: PALETTE["warn"],
    5: PALETTE["bad"],
}
BAND_NAMES = {1: "strongest", 2: "strong", 3: "middle", 4: "weak", 5: "weakest"}

_RC = {
    "svg.fonttype": "path",
    "svg.hashsalt": "gridvoices-report",  # stable ids: the same data gives the same file
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": PALETTE["grid"],
    "axes.labelcolor": PALETTE["ink"],
    "axes.titlesize": 10,
    "xtick.color": PALETTE["muted"],
    "ytick.color": PALETTE["ink"],
    "hatch.linewidth": 0.8,
}
_ID = re.compile(r'\bid="([^"]+)"')


def _num(v) -> float | None:
    """A drawable number, or None for a suppressed (``"*"``) or missing value."""
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def to_svg(fig: Figure, key: str, label: str) -> Markup:
    """``fig`` as an ``<svg>`` element safe to put inline in the report.

    The XML prologue, metadata, comments (matplotlib writes each text as a
    comment) and the SVG's own global ``<style>`` are dropped; ids are prefixed
    with ``key`` so several charts on one page never share a clip path or glyph.
    """
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.05)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(
        r"<!--.*?-->|<metadata>.*?</metadata>|<style[^>]*>.*?</style>", "", svg, flags=re.S
    )
    ids = set(_ID.findall(svg))

    def prefix(m: re.Match) -> str:
        name = m.group(2)
        return f"{m.group(1)}{key}-{name}" if name in ids else m.group(0)

    svg = re.sub(r'(id="|#)([^"\s)]+)(?=["\)])', prefix, svg)
    svg = re.sub(
        r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
        lambda m: f'<svg {m.group(1)}class="gv-chart" role="img" aria-label="{escape(label)}"',
        svg,
        count=1,
    )
    return Markup(re.sub(r">\s+<", "><", svg).strip())


def _chart(draw: Callable[..., tuple[Figure, str]]) -> Callable[..., Markup]:
    """Run ``draw`` under the report's matplotlib settings and return its SVG."""

    def wrapper(*args, key: str | None = None, **kwargs) -> Markup:
        with matplotlib.rc_context(_RC):
            fig, label = draw(*args, **kwargs)
            return to_svg(fig, key or draw.__name__, label)

    wrapper.__name__ = draw.__name__
    wrapper.__doc__ = draw.__doc__
    return wrapper


def _barh(n: int, width: float = 7.2) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, 0.9 + 0.34 * max(n, 1)))
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _suppressed(ax, y: float, x: float = 0.0) -> None:
    ax.text(x, y, "  * suppressed (small count)", va="center", color=PALETTE["muted"], fontsize=8)


@_chart
def permeability_chart(borders: Sequence[dict]) -> tuple[Figure, str]:
    """Each bordering pair's permeability (observed / expected referrals), barriers hatched."""
    rows = list(reversed(borders))
    fig, ax = _barh(len(rows))
    top = max([_num(r["permeability"]) or 0 for r in rows] + [1.2]) * 1.25
    for y, r in enumerate(rows):
        p = _num(r["permeability"])
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


@_chart
def flows_chart(inward: Sequence[dict]) -> tuple[Figure, str]:
    """Referrals each district keeps inside versus sends to other districts."""
    rows = list(reversed(inward))
    fig, ax = _barh(len(rows))
    top = max([_num(r["sent"]) or 0 for r in rows] + [1])
    for y, r in enumerate(rows):
        sent, inside = _num(r["sent"]), _num(r["internal"])
        if sent is None or inside is None:
            _suppressed(ax, y)
            continue
        ax.barh(
            y,
            inside,
            color=PALETTE["primary"],
            label="Kept inside the district" if y == 0 else None,
        )
        ax.barh(
            y,
            sent - inside,
            left=inside,
            color=PALETTE["secondary"],
            label="Sent to other districts" if y == 0 else None,
        )
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
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    return fig, "Referrals kept inside each district and sent elsewhere"


@_chart
def flows_ratings_chart(rows: Sequence[dict], county_mean: float | None) -> tuple[Figure, str]:
    """Two panels per district: referrals in and out (left) and mean rating 1-5 (right).

    ``rows``: ``name``, ``volume`` (referrals in + out), ``responses`` and ``mean_rating``.
    Districts rated at least 0.5 below ``county_mean`` are red and hatched in both panels, so
    busy flows with a poor experience stand out without relying on colour.
    """
    rows = list(reversed(rows))
    fig = Figure(figsize=(7.2, 0.9 + 0.34 * max(len(rows), 1)))
    left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 1.25]})
    top = max([_num(r["volume"]) or 0 for r in rows] + [1])
    for ax in (left, right):
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.6)
        ax.set_axisbelow(True)
    for y, r in enumerate(rows):
        m, v = _num(r["mean_rating"]), _num(r["volume"])
        low = None not in (m, county_mean) and m <= county_mean - 0.5
        style = {
            "color": PALETTE["bad"] if low else PALETTE["primary"],
            "edgecolor": "white",
            "hatch": "////" if low else None,
        }
        if v is None:
            _suppressed(left, y)
        else:
            left.barh(y, v, **style)
            left.text(
                v + top * 0.02, y, f"{v:,.0f}", va="center", fontsize=8, color=PALETTE["muted"]
            )
        if m is None:
            _suppressed(right, y, 1)
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


@_chart
def reach_chart(reach: Sequence[dict]) -> tuple[Figure, str]:
    """Per district: seeds, expected further reach, and what the cascade does not reach."""
    rows = list(reversed(reach))
    fig, ax = _barh(len(rows))
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


@_chart
def index_chart(rows: Sequence[dict]) -> tuple[Figure, str]:
    """Each district's overall index score (a z-score mean, 0 = average) coloured by band."""
    rows = [r for r in reversed(rows) if _num(r["score"]) is not None]
    fig, ax = _barh(len(rows))
    scores = [_num(r["score"]) for r in rows] or [0.0]
    lo, hi = min(scores + [0.0]), max(scores + [0.0])
    pad = (hi - lo or 1) * 0.2
    for y, r in enumerate(rows):
        v, band = _num(r["score"]), r["band"]
        colour = BAND_COLOURS.get(band, PALETTE["muted"])
        ax.barh(y, v, color=colour, hatch="////" if band == 5 else None, edgecolor="white")
        label = f"{v:+.2f}  band {band} ({BAND_NAMES.get(band, '')})"
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


@_chart
def need_chart(
    points: Sequence[dict], median_score: float, median_need: float
) -> tuple[Figure, str]:
    """Need (up) against index score (right), split at the medians into four quadrants."""
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(color=PALETTE["grid"], linewidth=0.6)
    ax.set_axisbelow(True)
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


@_chart
def closures_chart(rows: Sequence[dict]) -> tuple[Figure, str]:
    """Expected reach lost if each service or group closed, with ± one standard error;
    closures that also cut the network in two are hatched."""
    rows = list(reversed(rows))
    fig, ax = _barh(len(rows))
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
