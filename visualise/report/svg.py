"""How the report draws: matplotlib figures as inline SVG that open offline.

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
from collections.abc import Callable

import matplotlib
from markupsafe import Markup, escape
from matplotlib.figure import Figure

__all__ = ["PALETTE", "barh", "chart", "drawable", "style_axes", "suppressed", "to_svg"]

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


def drawable(v) -> float | None:
    """A drawable number, or None for a suppressed (``"*"``) or missing value."""
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _cropped(fig: Figure, pad: float = 0.05) -> str:
    """``fig`` as SVG text whose viewBox is cropped to what was drawn, plus ``pad`` inches.

    ``savefig(bbox_inches="tight")`` gives the same crop but lays the figure out twice
    (a hidden draw to measure, then the real one): a third of the report's chart time.
    Here the box is measured once, from the real draw's own renderer when it finishes,
    and the picture's coordinates are left as drawn; only the viewBox moves.
    """
    box = []
    cid = fig.canvas.mpl_connect("draw_event", lambda e: box.append(fig.get_tightbbox(e.renderer)))
    buf = io.StringIO()
    try:
        fig.savefig(buf, format="svg", metadata={"Date": None})
    finally:
        fig.canvas.mpl_disconnect(cid)
    svg = buf.getvalue()
    if not box:
        return svg
    # The SVG backend draws at 72 units per inch, y down from the figure's top edge.
    (x0, y0), (x1, y1) = box[0].get_points()
    height = fig.get_figheight()
    view = " ".join(
        f"{v * 72:.2f}" for v in (x0 - pad, height - y1 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
    )
    return re.sub(r'viewBox="[^"]*"', f'viewBox="{view}"', svg, count=1)


def to_svg(fig: Figure, key: str, label: str) -> Markup:
    """``fig`` as an ``<svg>`` element safe to put inline in the report.

    The XML prologue, metadata, comments (matplotlib writes each text as a
    comment) and the SVG's own global ``<style>`` are dropped; ids are prefixed
    with ``key`` so several charts on one page never share a clip path or glyph.
    """
    svg = _cropped(fig)
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


def chart(draw: Callable[..., tuple[Figure, str]]) -> Callable[..., Markup]:
    """Run ``draw`` under the report's matplotlib settings and return its SVG."""

    def wrapper(*args, key: str | None = None, **kwargs) -> Markup:
        with matplotlib.rc_context(_RC):
            fig, label = draw(*args, **kwargs)
            return to_svg(fig, key or draw.__name__, label)

    wrapper.__name__ = draw.__name__
    wrapper.__doc__ = draw.__doc__
    return wrapper


def style_axes(ax, grid: str = "x") -> None:
    """No top or right spine, a light grid behind the marks; bars (``grid="x"``) lose their
    y ticks."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if grid == "x":
        ax.tick_params(axis="y", length=0)
    ax.grid(axis=grid, color=PALETTE["grid"], linewidth=0.6)
    ax.set_axisbelow(True)


def barh(n: int, width: float = 7.2) -> tuple[Figure, object]:
    """A figure with one axes for ``n`` horizontal bars."""
    fig = Figure(figsize=(width, 0.9 + 0.34 * max(n, 1)))
    ax = fig.add_subplot()
    style_axes(ax)
    return fig, ax


def suppressed(ax, y: float, x: float = 0.0) -> None:
    """Say "suppressed" where a bar of a small count would be."""
    ax.text(x, y, "  * suppressed (small count)", va="center", color=PALETTE["muted"], fontsize=8)
