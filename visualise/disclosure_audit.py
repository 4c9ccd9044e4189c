"""The disclosure audit of one run: every number the outputs publish, checked by linear algebra.

:func:`audit` produces the outputs for each chosen set of periods (the JSON
export with node volumes, the ``summary`` and ``barriers`` answers as shown, the
views' generated pages),
reads every number back, names the cells each one sums, and asks
:func:`gridvoices.ecosystem.disclosure.audit_figures` whether any number shown
as ``*`` with a true value of 1-4 is determined exactly by the numbers shown.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import networkx as nx
from gridvoices.ecosystem.disclosure import Audit, Figure, audit_figures
from gridvoices.ecosystem.privacy import SUPPRESSED, suppression
from gridvoices.queries.barriers.forms import barriers
from gridvoices.queries.compare import compare
from gridvoices.queries.disclosure import accepted_cells, cell_groups, disclose, edge_cells
from gridvoices.queries.feedback import feedback_summary
from gridvoices.queries.feedback_disclosure import feedback_cells, feedback_groups
from gridvoices.queries.graph import build_graph
from gridvoices.queries.summary import summary
from gridvoices.visualise.disclosure_report import report_figures
from gridvoices.visualise.disclosure_views import ratio, view_figures
from gridvoices.visualise.export import export_graph, node_metrics
from gridvoices.visualise.render import shown

__all__ = ["audit", "published_figures"]


def published_figures(
    tables: dict,
    periods: list[str] | None = None,
    *,
    secondary: bool = True,
    full: nx.DiGraph | None = None,
    views: bool = True,
    report: bool = True,
) -> tuple[list[Figure], set]:
    """Every number one run for ``periods`` publishes, as figures, and the keys shown as ``*``.

    With ``secondary=False`` only the primary rule hides (the outputs before this
    layer), for a before-and-after comparison. ``views``: also read back the views'
    pages (:func:`gridvoices.visualise.disclosure_views.view_figures`); ``report``: and
    the report's (:func:`gridvoices.visualise.disclosure_report.report_figures`).
    """
    full = build_graph(tables) if full is None else full
    G = build_graph(tables, periods)
    G.graph["disclosure_graph"] = full
    run = ",".join(G.graph.get("periods") or []) or "none"
    values = {c: n for u, v, d in full.edges(data=True) for c, n in edge_cells(u, v, d).items()}
    for u, v in full.edges:
        values |= accepted_cells(full, u, v)
    values |= feedback_cells(full)
    figs: list[Figure] = []
    hidden: set = set()

    def add(key, cells, shown_value):
        cells = tuple(cells)
        f = Figure((run, *key), cells, sum(values.get(c, 0) for c in cells))
        figs.append(f)
        # "*" or "120 + *" (a total of shown parts): not an exact number.
        starred = isinstance(shown_value, str) and SUPPRESSED in shown_value
        if starred if secondary else 0 < f.value < 5:
            hidden.add(f.key)
        elif isinstance(shown_value, int) and shown_value != f.value:
            # The audit must model each number as the sum it really is.
            raise ValueError(f"{f.key!r} is shown as {shown_value} but its cells sum to {f.value}")

    with suppression(True):
        if views:
            view_figures(G, add)
        if report:
            report_figures(G, add)
        _export(G, add, secondary)
        g = cell_groups(G)
        for name, answer in (("summary", summary(G)), ("barriers", barriers(G))):
            r = shown(disclose(name, answer, G) if secondary else answer)
            _answer(name, r, g, add)
        answer = feedback_summary(G)
        _feedback(G, shown(disclose("feedback", answer, G) if secondary else answer), add)
    return figs, hidden


def _export(G: nx.DiGraph, add, secondary: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.json"
        export_graph(G, path, "json", metrics=node_metrics(G, centrality=False))
        data = json.loads(path.read_text())
    cells_in: dict = {}
    cells_out: dict = {}
    for link in data["links"]:
        u, v = link["source"], link["target"]
        cells = list(edge_cells(u, v, G.edges[u, v]))
        cells_in.setdefault(v, []).extend(cells)
        cells_out.setdefault(u, []).extend(cells)
        for p, x in (link.get("by_period") or {}).items():
            add(("export", "cell", u, v, p), [(u, v, p)], x)
        if link.get("referrals"):
            add(("export", "edge", u, v), cells, link["referrals"])
        if link.get("accepted"):
            add(("export", "accepted", u, v), list(accepted_cells(G, u, v)), link["accepted"])
    for node in data["nodes"]:
        n = node["id"]
        ins, outs = cells_in.get(n, []), cells_out.get(n, [])
        for key, cells in (
            ("in_volume", ins),
            ("out_volume", outs),
            ("weighted_degree", ins + outs),
        ):
            if node.get(key):
                add(("export", key, n), cells, node[key])


def _feedback(G: nx.DiGraph, r: dict, add) -> None:
    """The feedback answer's response counts (all of G's periods and each)."""
    groups = feedback_groups(G)
    for kind, rows, ident in (
        ("service", r["services"], lambda x: (x["id"],)),
        ("link", r["links"], lambda x: (x["source"], x["target"])),
        ("district", r["districts"], lambda x: (x["district"],)),
    ):
        for x in rows:
            cells = groups.get(("responses", kind, *ident(x)), [])
            add(("feedback", kind, *ident(x)), cells, x["responses"])
            for p in x["by_period"]:
                part = [c for c in cells if c[3] == p["period"]]
                add(("feedback", kind, *ident(x), p["period"]), part, p["responses"])


def _answer(name: str, r: dict, g: dict, add) -> None:
    if name == "summary":
        for row in r["districts"]:
            d = row["district"]
            add(("summary", "out", d), g.get(("referrals_out", d), []), row["referrals_out"])
            add(("summary", "in", d), g.get(("referrals_in", d), []), row["referrals_in"])
        add(("summary", "total"), g.get(("total",), []), r["totals"]["referrals"])
        return
    for x in r["district_matrix"]:
        add(
            ("dm", x["source"], x["target"]),
            g[("district_matrix", x["source"], x["target"])],
            x["referrals"],
        )
    for x in r["kind_matrix"]:
        add(
            ("km", x["source"], x["target"]),
            g[("kind_matrix", x["source"], x["target"])],
            x["referrals"],
        )
    for x in r["inward"]:
        d = x["district"]
        internal, sent = g.get(("district_matrix", d, d), []), g.get(("sent", d), [])
        add(("internal", d), internal, x["internal"])
        add(("sent", d), sent, x["sent"])
        ratio(add, ("internal_share", d), x.get("internal_share"), internal, sent)
    for x in r["borders"]:
        cells = g.get(("district_matrix", x["a"], x["b"]), []) + g.get(
            ("district_matrix", x["b"], x["a"]), []
        )
        add(("border", x["a"], x["b"]), cells, x["observed"])
    for x in r["silos"]:
        o = x["organisation"]
        internal, sent = g.get(("org_internal", o), []), g.get(("org_sent", o), [])
        add(("silo_internal", o), internal, x["internal"])
        add(("silo_sent", o), sent, x["sent"])
        ratio(add, ("silo_share", o), x.get("silo_share"), internal, sent)
    for x in r["spanners"]:
        cross = g.get(("cross", x["id"]), [])
        add(("cross", x["id"]), cross, x["cross_referrals"])
        ratio(add, ("cross_share", x["id"]), x.get("share"), cross, g.get(("cross_total",), []))


def audit(
    tables: dict,
    runs: Iterable[list[str] | None] = (None,),
    *,
    secondary: bool = True,
    views: bool = True,
    report: bool = True,
    comparisons: Iterable[tuple[list[str], list[str]]] = (),
) -> Audit:
    """Audit every number published by runs for each set of periods in ``runs``, together.

    Parameters
    ----------
    tables : dict of DataFrames
        What the store holds (``store.read()``).
    runs : iterable of period lists
        One run per item (None: all periods), e.g. ``[None, ["2024-Q1"], ["2024-Q4"]]``
        for the all-periods outputs and ``compare 2024-Q1 2024-Q4``.
    secondary : bool
        False audits the outputs as the primary rule alone would show them.
    views : bool
        Read back the views' pages too.
    report : bool
        Read back the report too (the slowest part: it runs every analysis).
    comparisons : iterable of (before, after) period lists
        Also read the ``compare`` answer (as shown) of each pair.

    Returns
    -------
    Audit
        ``exposed`` lists the hidden figures of 1-4 that the published ones determine.
    """
    figs: list[Figure] = []
    hidden: set = set()
    full = build_graph(tables)  # one protection for every run
    for periods in runs:
        f, h = published_figures(
            tables, periods, secondary=secondary, full=full, views=views, report=report
        )
        figs += f
        hidden |= h
    for before, after in comparisons:
        f, h = _compare(tables, before, after, full, secondary)
        figs += f
        hidden |= h
    result = audit_figures(figs, hidden)
    return replace(result, outputs=tuple(_by_output(figs, hidden, result.exposed)))


def _compare(tables, before, after, full, secondary: bool) -> tuple[list[Figure], set]:
    """The borders' flows before and after, as ``compare`` shows them."""
    G1, G2 = build_graph(tables, before), build_graph(tables, after)
    for G in (G1, G2):
        G.graph["disclosure_graph"] = full
    with suppression(True):
        r = shown(compare(G1, G2))
    run = f"compare {','.join(before)} {','.join(after)}"
    figs, hidden = [], set()
    for row in r["borders"]:
        for side, G in (("before", G1), ("after", G2)):
            cells = cell_groups(G).get(("border", *sorted((row["a"], row["b"]))), [])
            value = sum(edge_cells(*c[:2], G.edges[c[0], c[1]]).get(c, 0) for c in cells)
            f = Figure((run, "compare", side, row["a"], row["b"]), tuple(cells), value)
            figs.append(f)
            shown_value = row[side].get("observed")
            starred = isinstance(shown_value, str) and SUPPRESSED in shown_value
            if starred if secondary else 0 < value < 5:
                hidden.add(f.key)
    return figs, hidden


_OUTPUTS = (
    "compare",
    "feedback",
    "export",
    "summary",
    "network",
    "network-districts",
    "isolation",
    "barriers-view",
    "map",
    "report",
)


def _by_output(figs: list[Figure], hidden: set, exposed: tuple) -> list[dict]:
    """One row per run and output: how many numbers it shows, hides (1-4 among them), gives away."""
    rows: dict[tuple, dict] = {}
    bad = set(exposed)
    for f in {f.key: f for f in figs}.values():
        run, where = f.key[0], f.key[1] if f.key[1] in _OUTPUTS else "barriers"
        row = rows.setdefault(
            (run, where),
            {
                "run": run,
                "output": where,
                "published": 0,
                "hidden": 0,
                "hidden_small": 0,
                "exposed": 0,
            },
        )
        if f.key in hidden:
            row["hidden"] += 1
            row["hidden_small"] += 0 < f.value < 5
            row["exposed"] += f.key in bad
        else:
            row["published"] += 1
    return [rows[k] for k in sorted(rows)]
