"""The demo: the shipped illustrative Derbyshire data, imported, analysed and drawn."""

from __future__ import annotations

import json
from pathlib import Path

from gridvoices.ecosystem.privacy import suppression
from gridvoices.ecosystem.shipped import DERBYSHIRE
from gridvoices.queries.analyses import run_all
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import import_paths, open_store
from gridvoices.visualise import render
from gridvoices.visualise.report import DEFAULT_VIEWS, write_report
from gridvoices.visualise.views import write_views

__all__ = ["run_demo", "DEMO_DATA", "findings_text"]

DEMO_DATA = DERBYSHIRE
SOURCE = "GRID Voices illustrative Derbyshire data (invented flows, not real figures)"


def findings_text(results: dict) -> list[str]:
    """The headline findings, in plain words, from :func:`gridvoices.queries.analyses.run_all`."""
    lines = []
    for b in results["barriers"]["borders"]:
        if b["barrier"]:
            lines.append(f"Border barrier: {b['why']}.")
    for d in results["barriers"]["inward"]:
        if d["inward_looking"]:
            lines.append(f"Inward-looking district: {d['why']}.")
    for r in results["isolation"]:
        if r["flag"] in ("no_flows", "dead_end", "single_bridge"):
            lines.append(
                f"{r['flag'].replace('_', ' ').capitalize()}: {r['name']} ({r['id']}) {r['why']}."
            )
    detached = [r for r in results["isolation"] if r["flag"] == "detached"]
    if detached:
        lines.append(f"Detached: {len(detached)} services and groups — {detached[0]['why']}.")
    for row in results["coverage"]["districts"]:
        if row["missing"]:
            lines.append(f"Missing domains: {row['why']}.")
    for s in results["barriers"]["spanners"][:3]:
        lines.append(f"Boundary spanner: {s['why']}.")
    for b in results.get("metrics", {}).get("brokers", [])[:2]:
        lines.append(f"Broker: {b['name']} ({b['id']}) {b['why']}.")
    voices = results.get("feedback", {}).get("districts", [])
    rated = [d for d in voices if d["responses"] >= 5 and d["mean_rating"] is not None]
    if rated:
        low = min(rated, key=lambda d: d["mean_rating"])
        lines.append(
            f"What people tell us: {low['name']} has the lowest mean rating "
            f"({low['mean_rating']} from {low['responses']} responses); most mentioned barriers: "
            f"{', '.join(low['top_barriers']) or 'none'}."
        )
    c = results.get("contagion")
    if c:
        lines.append(f"Contagion: {c['why']}.")
        lines += [f"Where the cascade stops: {s['why']}." for s in c["stops"][:2]]
        lines += [f"Suggested link: {s['why']}." for s in c["suggestions"]]
    return lines


def run_demo(output: Path, *, workspace: Path | None = None, data: Path = DEMO_DATA) -> dict:
    """Import ``data`` into the embedded store in ``workspace`` (default: the workspace every
    command uses, ``$GRIDVOICES_WORKSPACE`` or the current folder, so the next commands find
    it), run the analyses and write them with the views and the report to ``output``.

    Returns the store path, the row count and the files written.
    """
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    store = open_store("embedded", workspace=workspace)
    try:
        result = import_paths(store, [data], source_name=f"illustrative: {data.name}")
        tables = store.read()
    finally:
        store.close()
    G = build_graph(tables)
    with suppression(True):
        results = run_all(G)
        lines = findings_text(results)
    views = write_views(G, output, illustrative=True, source=SOURCE, periods_label=render.span(G))
    files = {"view": views["network"], **{f"view: {k}": p for k, p in views.items()}}
    for name, value in results.items():
        if name == "headlines":
            continue
        files[name] = output / f"{name}.json"
        files[name].write_text(json.dumps(render.shown(value), indent=2, default=str))
    files["report"] = write_report(
        G,
        output / "report.html",
        results=results,
        illustrative=True,
        source=SOURCE,
        views=[v for v in DEFAULT_VIEWS if (output / v.href).exists()],
    )
    files["findings"] = output / "findings.md"
    files["findings"].write_text(
        "# Findings (illustrative data)\n\n"
        f"Source: {SOURCE}; periods {render.span(G)}. Counts of 1-4 are shown as *.\n\n"
        + "".join(f"- {line}\n" for line in lines)
    )
    return {
        "store": str(store.path),
        "rows": sum(result.rows.values()),
        "files": files,
        "findings": lines,
    }
