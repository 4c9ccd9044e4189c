"""The commissioners' report: one self-contained HTML file, and a PDF of it through chromium.

The report is a list of :class:`Section` s rendered in order. A section's builder
turns the analyses (``results`` as from :func:`gridvoices.queries.analyses.run_all`, extra
keys welcome) into the data its macro needs; its optional ``headlines`` adds
plain-words findings to "Key findings" at the top. A later section (a district
index, what-if closures) is one :func:`add_section` call and a macro in a
template of its own.

Safety: jinja2 autoescapes every partner string; numbers reach the page only
after :func:`gridvoices.visualise.render.shown` (counts of 1-4 and feedback from fewer than
5 responses become ``*``, and ratios from them) or :meth:`ReportContext.count`;
the Content-Security-Policy forbids every fetch and every script; the charts
(:mod:`gridvoices.visualise.report.charts`) are SVG outlines with no text in them. Views
are linked by relative paths to files written beside the report.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import metadata
from importlib.resources import files
from pathlib import Path

import jinja2
import networkx as nx
from gridvoices.ecosystem.definitions import DEFINITIONS
from gridvoices.ecosystem.privacy import SUPPRESSED, suppress, suppression
from gridvoices.ecosystem.vocab import CHIME, COMMUNITY_DOMAINS, FEEDBACK_BARRIERS, ORG_KINDS
from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD as MIN_RESPONSES
from gridvoices.queries.analyses import run_all
from gridvoices.queries.barriers.forms import barriers
from gridvoices.visualise.render import shown
from gridvoices.visualise.report import charts as charts
from markupsafe import Markup

__all__ = [
    "write_report",
    "render_report",
    "write_pdf",
    "add_section",
    "Section",
    "SECTIONS",
    "ReportContext",
    "ViewLink",
    "DEFAULT_VIEWS",
    "ReportError",
    "ILLUSTRATIVE_NOTICE",
    "CSP",
]

ILLUSTRATIVE_NOTICE = "Illustrative data — invented flows, not real figures"
# No script at all: an injected event handler could not run, and nothing can be fetched.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)
CHROMIUM_ARGS = (
    "--no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run"
).split()
LOW = 0.5  # a rating this far below the average disagrees with busy flows


class ReportError(RuntimeError):
    """The PDF could not be made (no browser, or chromium failed)."""


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


# Plain names for the isolation flags (queries.isolation.flags.FLAGS).
_FLAGS = {
    "no_flows": "No referrals in or out",
    "detached": "Cut off from the network",
    "dead_end": "Dead end",
    "source_only": "Refers on, never receives",
    "single_bridge": "Single bridge",
    "bridge_link": "Only link between two parts",
    "no_peer_support": "No peer support nearby",
}


def _h(area: str, text: str, detail: str) -> dict:
    return {"area": area, "text": text, "detail": detail}


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _rated(rows: list[dict]) -> list[dict]:
    """Rows with enough responses to show, best first (suppressed rows are strings: left out)."""
    ok = [x for x in rows if isinstance(x["responses"], int) and x["responses"] >= MIN_RESPONSES]
    ok = [x for x in ok if isinstance(x["mean_rating"], int | float)]
    return sorted(ok, key=lambda x: (-x["mean_rating"], -x["responses"], str(x.get("name"))))


def _mean(rows: list[dict]) -> float | None:
    """Response-weighted mean rating of exact rows."""
    rows = [x for x in rows if x["mean_rating"] is not None]
    n = sum(x["responses"] for x in rows)
    return round(sum(x["responses"] * x["mean_rating"] for x in rows) / n, 2) if n else None


def _coverage(ctx: ReportContext) -> dict:
    c = ctx.r["coverage"]
    domains = [(d, COMMUNITY_DOMAINS.get(d, d)) for d in c["domains"]]
    return {"domains": domains, "rows": c["districts"], "county": c["county"]}


def _coverage_h(ctx: ReportContext) -> list[dict]:
    gaps = [x for x in ctx.r["coverage"]["districts"] if x["missing"]]
    lower = [_or([COMMUNITY_DOMAINS.get(m, m).lower() for m in x["missing"]]) for x in gaps]
    return [
        _h("Coverage gap", f"{x['name']} has no active provision for {what}", x["why"])
        for x, what in zip(gaps, lower, strict=True)
    ]


def _matrix(ctx: ReportContext) -> dict:
    """District x district referrals with permeability (observed / expected) per direction."""
    raw = ctx.raw["barriers"]
    codes = sorted(ctx.G.graph.get("districts", {}))
    obs = {(f["source"], f["target"]): f["referrals"] for f in raw["district_matrix"]}
    out_, in_ = defaultdict(int), defaultdict(int)
    for (s, t), n in obs.items():
        out_[s], in_[t] = out_[s] + n, in_[t] + n
    total = sum(obs.values())
    status = {
        frozenset((x["a"], x["b"])): (
            "felt" if x["felt"] else "barrier" if x["barrier"] else "border"
        )
        for x in raw["borders"]
    }
    rows = []
    for s in codes:
        cells = []
        for t in codes:
            n, e = obs.get((s, t), 0), out_[s] * in_[t] / total if total else 0.0
            v = suppress(n, enabled=ctx.suppress)
            perm = None if e <= 0 or n == 0 else SUPPRESSED if v == SUPPRESSED else round(n / e, 2)
            kind = "self" if s == t else status.get(frozenset((s, t)), "")
            cells.append({"n": v, "perm": perm, "kind": kind, "to": ctx.district(t)})
        rows.append({"name": ctx.district(s), "cells": cells})
    return {"names": [ctx.district(c) for c in codes], "rows": rows}


def _barriers(ctx: ReportContext) -> dict:
    b = ctx.r["barriers"]
    return {
        "perm_chart": charts.permeability_chart(b["borders"]) if b["borders"] else None,
        "flows_chart": charts.flows_chart(b["inward"]) if b["inward"] else None,
        "matrix": _matrix(ctx),
        "borders": b["borders"],
        "inward": [x for x in b["inward"] if x["inward_looking"]],
        "silos": b["silos"],
        "never": b["kinds_never"][:5],
        "spanners": b["spanners"][:5],
        "tests": _barrier_tests(ctx),
    }


def _barrier_tests(ctx: ReportContext) -> dict | None:
    """The permutation p-values per bordering pair (``results["barrier_tests"]``), if run."""
    t = ctx.r.get("barrier_tests")
    if not t or not t.get("pairs"):
        return None
    label = {"bh": "Benjamini-Hochberg", "holm": "Holm"}.get(t["correction"], t["correction"])
    sig = [f"{x['a_name']} – {x['b_name']}" for x in t["pairs"] if x["significant"]]
    return {**t, "label": label, "sig": sig}


def _barriers_h(ctx: ReportContext) -> list[dict]:
    b, out = ctx.r["barriers"], []
    for x in (x for x in b["borders"] if x["barrier"]):
        verb = "No referrals cross" if x["observed"] == 0 else "Hardly any referrals cross"
        text = f"{verb} the border between {x['a_name']} and {x['b_name']}"
        if x["felt"]:
            text += ", and people in recovery feel it: they report 'too far' or 'referral refused'"
        out.append(_h("Felt barrier" if x["felt"] else "Border barrier", text, x["why"]))
    for x in (x for x in b["inward"] if x["inward_looking"]):
        text = f"{x['name']} keeps nearly all of its referrals inside the district"
        out.append(_h("Inward-looking", text, x["why"]))
    for x in b["spanners"][:1]:
        if isinstance(x["share"], float) and x["share"] >= 0.3:
            text = (
                f"{x['name']} handles {x['share']:.0%} of the referrals crossing district borders"
            )
            out.append(_h("Single point of failure", text, x["why"]))
    return out


def _isolation(ctx: ReportContext) -> dict:
    rows, parts = [], {}  # one row per detached part, not one per member
    for x in ctx.r["isolation"]:
        name = x["name"] or x["id"]
        if x["flag"] == "detached" and x["why"] in parts:
            parts[x["why"]]["names"].append(name)
            continue
        district = ctx.district(x["district"]) if x["type"] != "link" else ""
        row = {**x, "label": _FLAGS.get(x["flag"], x["flag"]), "names": [name], "where": district}
        parts.update({x["why"]: row} if x["flag"] == "detached" else {})
        rows.append(row)
    return {"rows": rows}


def _isolation_h(ctx: ReportContext) -> list[dict]:
    rows, out, detached = ctx.r["isolation"], [], defaultdict(list)
    cut = {x["id"]: set(x.get("cut_off") or []) for x in rows if x["flag"] == "single_bridge"}
    # The far end of a bridge is a cut point too: name only the one that cuts off more.
    inner = {a for a in cut for b in cut if a != b and a in cut[b] and cut[a] <= cut[b]}
    for x in rows:
        name, n = x["name"] or x["id"], len(cut.get(x["id"], ()))
        text = {
            "no_flows": f"{name} sends and receives no referrals",
            "dead_end": f"{name} receives referrals but never refers anyone on",
            "single_bridge": f"{name} is the only referral link between {n} services and groups "
            "and the rest of the network",
        }.get(x["flag"])
        if x["flag"] == "detached":
            detached[x["why"]].append(x)
        elif text and x["id"] not in inner:
            out.append(_h(_FLAGS[x["flag"]], text, x["why"]))
    for why, members in detached.items():
        where = _or(sorted({ctx.district(m["district"]) for m in members}))
        text = f"{len(members)} services and groups in {where} have no referral link to the rest"
        out.append(_h("Cut off", text, why))
    return out


def _disagreements(ctx: ReportContext, mean: float | None) -> list[dict]:
    """Where flows and feedback tell different stories (the rules are in the Method section)."""
    fb, out = ctx.r["feedback"], []

    def row(kind, where, flows, voices):
        out.append({"kind": kind, "where": where, "flows": flows, "voices": voices})

    def said(x, avg, of):
        named = _labels(x["top_barriers"], FEEDBACK_BARRIERS) if x["top_barriers"] else None
        return f"mean rating {x['mean_rating']:.2f} from {x['responses']} responses ({of} " + (
            f"{avg:.2f}); barriers named most: {named}"
            if named
            else f"{avg:.2f}); no barrier named"
        )

    for x in (x for x in ctx.r["barriers"]["borders"] if x["felt"]):
        row(
            "Felt barrier",
            f"{x['a_name']} – {x['b_name']}",
            f"{x['observed']} referrals crossed the border; {x['expected']:.0f} expected if it "
            "made no difference",
            f"{x['reported']} responses about services on either side "
            "name 'too far' or 'referral refused'",
        )
    node: dict = defaultdict(int)
    for u, v, e in ctx.G.edges(data=True):
        node[u], node[v] = node[u] + e.get("referrals", 0), node[v] + e.get("referrals", 0)
    busy = sorted(node.values())[3 * len(node) // 4] if node else 0  # the top quarter
    area = {
        d["district"]: d["referrals_in"] + d["referrals_out"]
        for d in ctx.raw["summary"]["districts"]
    }
    checks = [
        ("Referrals flow, low ratings", fb["districts"], lambda x: area.get(x["district"], 0), 1),
        ("Busy service, low ratings", fb["services"], lambda x: node.get(x["id"], 0), busy),
    ]
    for kind, rows, volume, least in checks:
        for x in reversed(_rated(rows)):
            if mean is not None and x["mean_rating"] <= mean - LOW and volume(x) >= max(least, 1):
                row(
                    kind,
                    x["name"],
                    f"{ctx.count(volume(x))} referrals in and out",
                    said(x, mean, "county"),
                )
    link_mean = _mean(ctx.raw["feedback"]["links"])
    for x in reversed(_rated(fb["links"])):
        e = ctx.G.get_edge_data(x["source"], x["target"]) or {}
        if link_mean is not None and x["mean_rating"] <= link_mean - LOW and e.get("referrals"):
            row(
                "Handover rated low",
                f"{x['source_name']} → {x['target_name']}",
                f"{ctx.count(e['referrals'])} referrals along this link",
                said(x, link_mean, "all handovers"),
            )
    rated = {x["id"] for x in fb["services"]}
    for x in ctx.r["isolation"]:
        if x["flag"] == "no_flows" and x["id"] not in rated:
            row(
                "Unreached",
                x["name"] or x["id"],
                "no referrals in or out",
                "no feedback at all: nobody reports using it",
            )
    return out


def _voices(ctx: ReportContext) -> dict:
    fb = ctx.r.get("feedback") or {}
    if not any(fb.get(k) for k in ("services", "links", "districts")):
        return {"empty": True}
    mean = _mean(ctx.raw["feedback"]["districts"])
    services, links = _rated(fb["services"]), _rated(fb["links"])
    vol = {
        d["district"]: (d["referrals_in"], d["referrals_out"])
        for d in ctx.r["summary"]["districts"]
    }
    bars = [
        {**d, "volume": sum(v) if all(isinstance(n, int) for n in v) else None}
        for d in fb["districts"]
        for v in [vol.get(d["district"], ())]
    ]
    best, best_links = services[:5], links[:5]
    return {
        "empty": False,
        "districts": fb["districts"],
        "mean": mean,
        "chart": charts.flows_ratings_chart(bars, mean) if bars else None,
        "best": best,
        "worst": [x for x in reversed(services) if x not in best][:5],
        "best_links": best_links,
        "worst_links": [x for x in reversed(links) if x not in best_links][:5],
        "disagree": _disagreements(ctx, mean),
    }


def _voices_h(ctx: ReportContext) -> list[dict]:
    rated = _rated((ctx.r.get("feedback") or {}).get("districts", []))
    mean = _mean((ctx.raw.get("feedback") or {}).get("districts", []))
    if not rated or mean is None or rated[-1]["mean_rating"] > mean - LOW:
        return []
    x, barriers_ = rated[-1], _labels(rated[-1]["top_barriers"], FEEDBACK_BARRIERS)
    text = f"People rate services in {x['name']} lowest: {x['mean_rating']:.1f} out of 5"
    detail = f"{x['responses']} responses, against {mean:.2f} for the county; barriers named most: "
    return [_h("What people tell us", text, detail + barriers_)]


def _contagion(ctx: ReportContext) -> dict:
    c = ctx.r.get("contagion")
    if not c:
        return {"c": None}
    chart = charts.reach_chart(c["reach_by_district"]) if c["reach_by_district"] else None
    return {"c": c, "chart": chart, "stops": c["stops"][:3]}


def _contagion_h(ctx: ReportContext) -> list[dict]:
    c = ctx.r.get("contagion")
    if not c or not c["nodes_total"]:
        return []
    n, share = len(c["seeds"]), c["expected_reach"] / c["nodes_total"]
    start = (
        "lived-experience-led services, groups and navigators"
        if c["default_seeds"]
        else "chosen starting points"
    )
    text = f"Recovery could spread from the {n} {start} to about {share:.0%} of the network"
    out = [_h("Recovery contagion", text, c["why"])]
    for s in c["suggestions"][:1]:
        text = f"A new link from {s['source_name']} to {s['target_name']} would widen reach most"
        out.append(_h("Suggested link", text, s["why"]))
    return out


def _method(ctx: ReportContext) -> dict:
    p = inspect.signature(barriers).parameters
    c = ctx.r.get("contagion")
    new_p = c["suggestions"][0]["p"] if c and c["suggestions"] else None
    return {
        "null_model": ctx.r["barriers"]["null_model"],
        "c": c,
        "new_p": new_p,
        "low": LOW,
        "min_perm": p["min_permeability"].default,
        "inward": p["inward_share"].default,
    }


def _sources(ctx: ReportContext) -> dict:
    fb = ctx.raw.get("feedback") or {}
    responses = sum(x["responses"] for k in ("services", "links") for x in fb.get(k, []))
    return {"all_periods": ctx.G.graph.get("all_periods", []), "responses": ctx.count(responses)}


SECTIONS: list[Section] = [
    Section("findings", "Key findings", lambda ctx: {"headlines": ctx.headlines}),
    Section("coverage", "The seven community recovery domains", _coverage, _coverage_h),
    Section("barriers", "Barriers between districts", _barriers, _barriers_h),
    Section("isolation", "Isolated services", _isolation, _isolation_h),
    Section("voices", "What people in recovery tell us", _voices, _voices_h),
    Section("contagion", "How recovery could spread", _contagion, _contagion_h),
    Section("views", "Interactive views", lambda ctx: {"views": ctx.views} if ctx.views else None),
    Section("method", "Method", _method),
    Section("sources", "Data sources", _sources),
]


def add_section(section: Section, *, after: str | None = None) -> None:
    """Add ``section`` to :data:`SECTIONS` after the one keyed ``after`` (default: before the
    views); a section with the same key is replaced in place."""
    keys = [s.key for s in SECTIONS]
    if section.key in keys:
        SECTIONS[keys.index(section.key)] = section
    else:
        SECTIONS.insert(keys.index(after) + 1 if after in keys else keys.index("views"), section)


def _num(v, digits: int | None = None) -> Markup | str:
    if v is None:
        return "–"
    if v == SUPPRESSED:
        return Markup('<abbr class="gv-star" title="Small number, not shown">*</abbr>')
    if isinstance(v, float) and digits is not None:
        return f"{v:,.{digits}f}"
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def _labels(v, vocab: dict) -> Markup | str:
    if v == SUPPRESSED or v is None:
        return _num(v)
    return ", ".join(vocab.get(x, str(x).replace("_", " ")) for x in v) or "none named"


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("visualise", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=_num,
        rating=lambda v: _num(v, 2),
        pct=lambda v: f"{v:.0%}" if isinstance(v, float) else _num(v),
        sentence=lambda s: s[:1].upper() + s[1:] if isinstance(s, str) else s,
        themes=lambda v: _labels(v, CHIME),
        barriers=lambda v: _labels(v, FEEDBACK_BARRIERS),
        kind=lambda v: ORG_KINDS.get(v, str(v).replace("_", " ")),
    )
    env.globals.update(THRESHOLD=MIN_RESPONSES, notice=ILLUSTRATIVE_NOTICE, definitions=DEFINITIONS)
    return env


def _version() -> str:
    try:
        return metadata.version("gridvoices")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "dev"


def render_report(
    G: nx.DiGraph,
    *,
    results: dict | None = None,
    illustrative: bool = False,
    source: str = "",
    views: Iterable[ViewLink | tuple] | None = None,
    suppress_small: bool = True,
    title: str = "Recovery ecosystem report",
) -> str:
    """The report as HTML text; the parameters are those of :func:`write_report`."""
    links = [v if isinstance(v, ViewLink) else ViewLink(*v) for v in (views or ())]
    with suppression(suppress_small):  # the `why` sentences star small counts too
        raw = run_all(G) if results is None else results
        r = shown(raw, suppress=suppress_small)
        links = list(DEFAULT_VIEWS) if views is None else links
        ctx = ReportContext(G, raw, r, suppress_small, illustrative, source, links, title)
        sections = list(SECTIONS)
        for s in sections:  # every section's headlines first: "Key findings" comes first
            for h in s.headlines(ctx) if s.headlines else []:
                ctx.headlines.append({**h, "key": s.key})
        env, blocks = _env(), []
        for s in sections:
            data = s.build(ctx)
            if data is not None:
                macro = getattr(env.get_template(s.template).module, s.macro or s.key)
                blocks.append((s, macro(data, ctx)))
    css = (files("visualise") / "static" / "report.css").read_text(encoding="utf-8")
    page = env.get_template("report.html.j2").render(
        ctx=ctx,
        sections=blocks,
        css=Markup(css.replace("</", "<\\/")),
        csp=CSP,
        today=f"{date.today():%d %B %Y}".lstrip("0"),
        version=_version(),
    )
    return page.lstrip()


def write_report(
    G: nx.DiGraph,
    path: str | Path,
    *,
    results: dict | None = None,
    illustrative: bool = False,
    source: str = "",
    views: Iterable[ViewLink | tuple] | None = None,
    suppress_small: bool = True,
    title: str = "Recovery ecosystem report",
) -> Path:
    """Write the commissioners' report for ``G`` to ``path``: one HTML file that opens offline.

    Parameters
    ----------
    G : DiGraph
        The ecosystem projection for the chosen periods (:func:`gridvoices.queries.run.load_graph`).
    path : str or Path
        The HTML file to write; parent folders are created.
    results : dict, optional
        :func:`gridvoices.queries.analyses.run_all` of ``G`` with exact numbers; computed when None,
        under the suppression rule so the ``why`` sentences star small counts too. Extra
        keys are kept for the sections that read them.
    illustrative : bool
        Say on the page (and in the PDF's footer) that the data are invented.
    source : str
        Where the data came from, for the cover and "Data sources".
    views : iterable of ViewLink or (href, title[, description]), optional
        Views to link, relative to the report; default :data:`DEFAULT_VIEWS`, empty for none.
    suppress_small : bool
        Star referral counts of 1-4 and feedback from fewer than 5 responses (and ratios
        from them). False only for data that may be disclosed.
    title : str
        The report's title.

    Returns
    -------
    Path
        ``path``.
    """
    page = render_report(
        G,
        results=results,
        illustrative=illustrative,
        source=source,
        views=views,
        suppress_small=suppress_small,
        title=title,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def write_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: float = 120.0) -> Path:
    """Print the report ``html_path`` to ``pdf_path`` (A4, page numbers) with headless chromium.

    The browser is ``/usr/bin/chromium`` (or ``$GRIDVOICES_CHROMIUM``) driven by playwright's
    ``page.pdf()``; every request other than the report file itself is refused.

    Raises
    ------
    ReportError
        When playwright or chromium is missing, or printing fails.
    """
    args = (Path(html_path).resolve(), Path(pdf_path), timeout)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _print(*args)
    # Playwright's sync API refuses to run inside an event loop (Jupyter): use a thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print, *args).result()


_FOOTER = (
    '<div style="font: 8px sans-serif; color: #616e7c; width: 100%; margin: 0 14mm; '
    'display: flex; justify-content: space-between"><span class="title"></span>'
    '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
)


def _print(html: Path, pdf: Path, timeout: float) -> Path:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ReportError("playwright (python) is not installed: pip install playwright") from e
    exe = os.environ.get("GRIDVOICES_CHROMIUM") or "/usr/bin/chromium"
    if not Path(exe).is_file():
        raise ReportError(f"chromium not found at {exe} (install it or set GRIDVOICES_CHROMIUM)")
    if not html.is_file():
        raise ReportError(f"no report at {html}")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.set_default_timeout(timeout * 1000)
                own = html.as_uri()
                page.route("**/*", lambda r: r.continue_() if r.request.url == own else r.abort())
                page.goto(own, wait_until="load")
                page.pdf(
                    path=str(pdf),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=_FOOTER,
                    margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
                )
            finally:
                browser.close()
    except PlaywrightError as e:
        raise ReportError(f"could not print {html.name} to PDF: {e}") from e
    return pdf


# The index and closures sections register themselves (they import this module's names).
from gridvoices.visualise.report import index as report_index  # noqa: E402, F401
