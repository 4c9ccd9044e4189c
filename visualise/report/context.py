"""What every report section sees and is: the context, the section type, view links, and the
small wording helpers the sections share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import networkx as nx
from gridvoices.ecosystem.privacy import suppress
from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD as MIN_RESPONSES

__all__ = [
    "DEFAULT_VIEWS",
    "ILLUSTRATIVE_NOTICE",
    "ReportContext",
    "Section",
    "ViewLink",
    "headline",
    "join_words",
    "mean_rating",
    "rated_rows",
]

ILLUSTRATIVE_NOTICE = "Illustrative data — invented flows, not real figures"


@dataclass(frozen=True)
class ViewLink:
    """A view written beside the report, linked by a relative ``href``."""

    href: str
    title: str
    description: str = ""

    def __post_init__(self) -> None:
        h = self.href.strip()
        if not h or ":" in h.split("/")[0] or h.startswith(("/", "\\")):
            raise ValueError(f"view link {self.href!r} must be a relative path beside the report")


DEFAULT_VIEWS = (
    ViewLink("network.html", "The whole network", "Services, groups, navigators and referrals."),
    ViewLink("barriers.html", "Barriers", "Districts and the referrals that cross their borders."),
    ViewLink("isolation.html", "Isolation", "Services cut off, dead ends and single bridges."),
    ViewLink("contagion.html", "Recovery contagion", "How recovery could spread, and where not."),
    ViewLink("map.html", "Map", "Services where they are, districts, flows and barriers."),
)


@dataclass
class ReportContext:
    """What a section sees: the graph, exact (``raw``) and shown (``r``) results, the options."""

    G: nx.DiGraph
    raw: dict
    r: dict
    suppress: bool
    illustrative: bool
    source: str
    views: list[ViewLink]
    title: str
    headlines: list[dict] = field(default_factory=list)

    def count(self, n) -> str:
        """A count as people may read it (``*`` for 1-4 unless small counts are shown)."""
        v = suppress(n, enabled=self.suppress)
        return f"{v:,}" if isinstance(v, int) else str(v)

    def district(self, code) -> str:
        return self.G.graph.get("districts", {}).get(code, {}).get("name", code or "no district")


@dataclass(frozen=True)
class Section:
    """One part of the report.

    ``build(ctx)`` returns the data for macro ``macro`` (default ``key``) of
    ``template``, called as ``macro(d, ctx)``, or None to leave the section out.
    ``headlines(ctx)`` returns findings for the top: ``{"area", "text", "detail"}``.
    """

    key: str
    title: str
    build: Callable[[ReportContext], dict | None]
    headlines: Callable[[ReportContext], list[dict]] | None = None
    macro: str | None = None
    template: str = "report.html.j2"


def headline(area: str, text: str, detail: str) -> dict:
    """One finding for "Key findings": what area, the sentence, the numbers behind it."""
    return {"area": area, "text": text, "detail": detail}


def join_words(items: Sequence[str], last: str = "or") -> str:
    """``a``, ``a or b``, ``a, b or c`` (``last="and"``: ``a, b and c``)."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {last} " + items[-1]


def rated_rows(rows: list[dict]) -> list[dict]:
    """Rows with enough responses to show, best first (suppressed rows are strings: left out)."""
    ok = [x for x in rows if isinstance(x["responses"], int) and x["responses"] >= MIN_RESPONSES]
    ok = [x for x in ok if isinstance(x["mean_rating"], int | float)]
    return sorted(ok, key=lambda x: (-x["mean_rating"], -x["responses"], str(x.get("name"))))


def mean_rating(rows: list[dict]) -> float | None:
    """Response-weighted mean rating of exact rows."""
    rows = [x for x in rows if x["mean_rating"] is not None]
    n = sum(x["responses"] for x in rows)
    return round(sum(x["responses"] * x["mean_rating"] for x in rows) / n, 2) if n else None
