"""The map view's page: Leaflet (vendored, inlined), the map scripts and the view's data.

The same safety as every view (:mod:`gridvoices.visualise.page`): autoescaped template, data
through :func:`~gridvoices.visualise.html.json_for_script`, scripts pinned by hash in the
Content-Security-Policy, partner text put into the page with ``textContent`` only. The only
thing the page may ever fetch is map tiles, and only from the origin of a tile URL the user
passed (``tiles``); without one it fetches nothing.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

from gridvoices.visualise.common import ILLUSTRATIVE_BANNER, text
from gridvoices.visualise.common import periods_label as _periods_label
from gridvoices.visualise.html import content_security_policy, external_references, json_for_script
from gridvoices.visualise.page import _ENV, Meta, ViewData, _suppression_note, asset, page_meta
from markupsafe import Markup

__all__ = ["LEAFLET_VERSION", "MAP_SCRIPTS", "render_map_page", "leaflet_assets"]

LEAFLET_VERSION = "1.9.4"  # visualise/static/vendor/leaflet/VERSION
MAP_SCRIPTS = ("gv-map-draw.js", "gv-map.js")
TITLE = "GRID Voices — the recovery ecosystem on a map"
_CSS_IMAGE = re.compile(r"url\(images/[^)]*\)")


@cache
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's ``(javascript, css)``; the CSS's icon images (unused here) become ``none``."""
    js = asset("vendor/leaflet/leaflet.js")
    css = _CSS_IMAGE.sub("none", asset("vendor/leaflet/leaflet.css"))
    return js, css


def _csp(tiles: str | None, *scripts: str) -> str:
    policy = content_security_policy(*scripts)
    if tiles:
        parts = urlsplit(tiles)
        origin = f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"
        policy = policy.replace("img-src data:", f"img-src data: {origin}")
    return policy


def render_map_page(view: ViewData, meta: Meta) -> str:
    """The complete HTML page of the map view.

    Raises
    ------
    RuntimeError
        If the page would reference anything outside itself (a template regression).
    """
    title = text(meta.title) or TITLE
    periods = text(meta.periods_label) or _periods_label(view.periods)
    note = _suppression_note(meta.suppress_small)
    data = dict(view.data)
    schematic = {
        "hull": "Schematic districts: each is the area round its own services and groups, "
        "not its boundary.",
        "hex": "Schematic map: one hex per district; places inside a hex are not geographic.",
    }.get(data.get("schematic"), "")
    data["meta"] = {
        **page_meta(view, meta, title, periods, note),
        "schematic": schematic,
        # The picture carries the notes too: a PNG of an empty map must say why it is empty.
        "notes": [text(n) for n in view.notes],
    }
    leaflet_js, leaflet_css = leaflet_assets()
    scripts = [asset(name) for name in MAP_SCRIPTS]
    page = _ENV.get_template("map.html.j2").render(
        csp=_csp(data.get("tiles"), leaflet_js, *scripts),
        kind=view.kind,
        title=title,
        banner=ILLUSTRATIVE_BANNER,
        illustrative=meta.illustrative,
        schematic=schematic,
        periods_label=periods,
        source=text(meta.source),
        suppress_small=meta.suppress_small,
        suppression_note=note,
        summary=view.summary,
        notes=view.notes,
        flows_notice=view.flows_notice,
        controls=view.controls,
        shades=[[m["key"], m["heading"]] for m in data["shades"]],
        n_nodes=view.n_nodes,
        n_edges=view.n_edges,
        leaflet_css=Markup(leaflet_css),
        css=Markup(asset("gv.css") + "\n" + asset("gv-map.css")),
        leaflet_js=Markup(leaflet_js),
        scripts=[Markup(s) for s in scripts],
        data_json=Markup(json_for_script(data)),
    )
    leaks = external_references(page)
    if leaks:  # pragma: no cover - guards the template against regressions
        raise RuntimeError(f"map view would fetch external resources: {leaks}")
    return page
