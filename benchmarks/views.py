"""How long the network view of a generated ecosystem takes to be ready, against raw pyvis.

    python -m benchmarks views [--sizes 1000 10000 50000] [--pyvis-timeout 120] [--json out.json]

For each size: generate ``n`` services with ``10 n`` referral rows
(:func:`gridvoices.loaders.generate.write_ecosystem`, seed 1), validate, build the graph,
then time

* **ours**: :func:`gridvoices.visualise.views.write_view` (Python), then headless Debian
  chromium from ``page.goto`` until the page marks itself ready
  (``data-ready``, set after the first complete drawing; the browser is busy
  until then, so this is when a person can use it), then opening one district;
* **raw pyvis**: ``pyvis.network.Network`` with its defaults (physics on), one
  node per service/group/navigator and one edge per link, timed from
  ``page.goto`` until vis-network's stabilisation iterations finish (the first
  picture) and until it reports ``stabilized`` (settled), each capped at
  ``--pyvis-timeout`` seconds ("> N s" when it did not happen in time).

pyvis's ``add_node`` checks membership in a list (quadratic); the benchmark swaps
in a set-backed list so that building the baseline page takes seconds, which
does not change the page. Its bootstrap links (CDN) are blocked; nothing else is
fetched by either page.

The **map** view (``gridvoices view map``) is timed on the same graph beside it: the
generator writes no coordinates, so each district gets a seeded centre in a
county-sized box and its services and groups are scattered round it (invented places,
for timing only). Timed: writing the page, ``page.goto`` until ready (first drawing,
clustered), and one zoom-in redraw (``map.setZoom`` + the next animation frame).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from gridvoices.loaders.generate import write_ecosystem
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.chromium import CHROMIUM_ARGS, chromium_path
from gridvoices.visualise.views import write_view

__all__ = ["main", "measure"]

# Records when the page's global `network` is assigned and when vis reports progress.
_HOOK = """
(() => {
  let current;
  window.__bench = {};
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return current; },
    set(v) {
      current = v;
      const at = (key) => () => { window.__bench[key] = performance.now(); };
      v.once("stabilizationIterationsDone", at("iterations"));
      v.once("stabilized", at("stabilized"));
      v.once("afterDrawing", at("drawn"));
    },
  });
})();
"""


class _IdIndex(list):
    """A list that answers ``in`` from a set (pyvis checks ``node in list`` per edge)."""

    def __init__(self):
        super().__init__()
        self._seen: set = set()

    def append(self, item):
        self._seen.add(item)
        super().append(item)

    def __contains__(self, item):
        return item in self._seen


def _raw_pyvis(G, path: Path) -> Path:
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")  # in_line: vis itself is offline
    net.node_ids = _IdIndex()
    for n, d in G.nodes(data=True):
        net.add_node(str(n), label=str(d.get("name") or n))
    for u, v, d in G.edges(data=True):
        net.add_edge(str(u), str(v), value=int(d.get("referrals") or 0) or 1)
    net.write_html(str(path))
    return path


def _page(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    return page


def _ours(browser, path: Path) -> dict:
    page = _page(browser)
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector('#gv-network[data-ready="true"]', state="attached", timeout=300_000)
    ready = time.perf_counter() - start
    first = page.evaluate("[gridVoices.nodes.length, gridVoices.edges.length]")
    t = time.perf_counter()
    page.evaluate("gridVoices.act('expand', gridVoices.model.N + 0)")
    page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
    expand = time.perf_counter() - t
    opened = page.evaluate("[gridVoices.nodes.length, gridVoices.edges.length]")
    page.close()
    return {
        "ready_s": ready,
        "expand_s": expand,
        "first_nodes": first[0],
        "first_edges": first[1],
        "opened_nodes": opened[0],
        "opened_edges": opened[1],
    }


def _pyvis(browser, path: Path, timeout: float) -> dict:
    page = _page(browser)
    page.add_init_script(_HOOK)
    start = time.perf_counter()
    page.goto(path.as_uri(), timeout=timeout * 1000, wait_until="commit")
    out = {}
    for key in ("iterations", "stabilized"):
        left = timeout - (time.perf_counter() - start)
        try:
            page.wait_for_function(
                f"() => window.__bench && window.__bench.{key} !== undefined",
                timeout=max(left, 0.001) * 1000,
                polling=250,
            )
            out[key + "_s"] = time.perf_counter() - start
        except Exception:  # noqa: BLE001 - a timeout (or a page too busy to answer)
            out[key + "_s"] = None
    page.close()
    return out


def _place(G, seed: int = 1) -> None:
    """Invented coordinates for a generated graph: district centres, points round them."""
    rnd = random.Random(seed)
    centres = {
        d: (52.7 + rnd.random() * 0.8, -2.0 + rnd.random() * 1.0)
        for d in sorted(G.graph.get("districts") or {}, key=str)
    }
    for _, a in G.nodes(data=True):
        if a.get("type") in ("Service", "Group") and a.get("district") in centres:
            lat, lon = centres[a["district"]]
            a["latitude"] = lat + rnd.gauss(0, 0.05)
            a["longitude"] = lon + rnd.gauss(0, 0.08)


def _map(browser, path: Path) -> dict:
    page = _page(browser)
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector('#gv-network[data-ready="true"]', state="attached", timeout=300_000)
    ready = time.perf_counter() - start
    clustered = page.locator("#gv-network").get_attribute("data-clustered") == "true"
    t = time.perf_counter()
    page.evaluate("void map.setZoom(map.getZoom() + 3)")
    page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
    zoom = time.perf_counter() - t
    page.close()
    return {"map_ready_s": ready, "map_zoom_s": zoom, "map_clustered": clustered}


def measure(n: int, browser, *, pyvis_timeout: float, skip_pyvis: bool = False) -> dict:
    """One size: generate, build, write both pages, time both in the browser."""
    row: dict = {"services": n, "flows": 10 * n}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        write_ecosystem(tmp / "data", n, 10 * n, seed=1)
        report, tables = validate_paths([tmp / "data"])
        assert report.valid, report.lines(5)
        G = build_graph(tables)
        row["generate_s"] = time.perf_counter() - t
        row["nodes"], row["edges"] = G.number_of_nodes(), G.number_of_edges()
        t = time.perf_counter()
        ours = write_view("network", G, tmp / "ours.html", illustrative=True)
        row["python_s"] = time.perf_counter() - t
        row["html_mb"] = ours.stat().st_size / 1e6
        row.update(_ours(browser, ours))
        _place(G)
        t = time.perf_counter()
        drawn = write_view("map", G, tmp / "map.html", illustrative=True)
        row["map_python_s"] = time.perf_counter() - t
        row["map_html_mb"] = drawn.stat().st_size / 1e6
        row.update(_map(browser, drawn))
        if not skip_pyvis:
            t = time.perf_counter()
            raw = _raw_pyvis(G, tmp / "pyvis.html")
            row["pyvis_python_s"] = time.perf_counter() - t
            row["pyvis_html_mb"] = raw.stat().st_size / 1e6
            row.update({f"pyvis_{k}": v for k, v in _pyvis(browser, raw, pyvis_timeout).items()})
    return row


def _s(value, timeout) -> str:
    return f"> {timeout:.0f} s" if value is None else f"{value:.2f} s"


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks views")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    ap.add_argument("--pyvis-timeout", type=float, default=120.0)
    ap.add_argument("--skip-pyvis", action="store_true")
    ap.add_argument("--json", type=Path, default=Path("gridvoices-out/benchmarks/views.json"))
    a = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        for n in a.sizes:
            rows.append(measure(n, browser, pyvis_timeout=a.pyvis_timeout, skip_pyvis=a.skip_pyvis))
            print(f"measured {n} services", flush=True)
        browser.close()
    head = (
        f"{'services':>8} {'nodes':>7} {'edges':>8} {'html MB':>8} {'python':>8} "
        f"{'ready':>8} {'open 1':>8} {'pyvis MB':>9} {'pyvis 1st':>10} {'pyvis settled':>14}"
    )
    print(head)
    for r in rows:
        print(
            f"{r['services']:>8} {r['nodes']:>7} {r['edges']:>8} {r['html_mb']:>8.1f} "
            f"{r['python_s']:>7.2f}s {r['ready_s']:>7.2f}s {r['expand_s']:>7.2f}s "
            f"{r.get('pyvis_html_mb', 0):>9.1f} "
            f"{_s(r.get('pyvis_iterations_s'), a.pyvis_timeout):>10} "
            f"{_s(r.get('pyvis_stabilized_s'), a.pyvis_timeout):>14}"
        )
    print(
        f"{'services':>8} {'map MB':>8} {'python':>8} {'ready':>8} {'zoom in':>8} {'clustered':>9}"
    )
    for r in rows:
        print(
            f"{r['services']:>8} {r['map_html_mb']:>8.1f} {r['map_python_s']:>7.2f}s "
            f"{r['map_ready_s']:>7.2f}s {r['map_zoom_s']:>7.2f}s {str(r['map_clustered']):>9}"
        )
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps({"pyvis_timeout_s": a.pyvis_timeout, "rows": rows}, indent=2))
    print(f"wrote {a.json}")
    return rows


if __name__ == "__main__":
    main()
