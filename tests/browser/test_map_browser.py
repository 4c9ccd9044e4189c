"""The map view in a real chromium: offline, layers, filters, hover and pin, XSS, PNG, clusters."""

from __future__ import annotations

import random
from pathlib import Path

import networkx as nx
import pytest
from gridvoices.ecosystem.shipped import DERBYSHIRE
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.counts import fmt_shown, shown_sum
from gridvoices.visualise.png import html_to_png
from gridvoices.visualise.views import index_bands, write_view

from tests.browser.test_view_browser import XSS_IMG, XSS_PWN, ecosystem_graph, hover, table

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/map-shots")
SHADES = ("gaps", "band", "rating", "too_far", "refused", "")


@pytest.fixture(scope="module")
def shipped():
    report, tables = validate_paths([DERBYSHIRE])
    assert report.valid
    return build_graph(tables)


@pytest.fixture(scope="module")
def files(shipped, tmp_path_factory):
    folder = tmp_path_factory.mktemp("map")
    common = {"illustrative": True, "source": "Shipped illustrative Derbyshire data"}
    hostile = ecosystem_graph()
    rnd = random.Random(3)
    for _, a in hostile.nodes(data=True):
        if a["type"] in ("Service", "Group"):
            a.update(latitude=52.9 + rnd.random() * 0.5, longitude=-1.9 + rnd.random() * 0.6)
    hostile.nodes["S-CAFE1"]["name"] = XSS_PWN
    return {
        "map": write_view(
            "map", shipped, folder / "map.html", index_bands=index_bands(shipped), **common
        ),
        "hex": write_view("map", shipped, folder / "hex.html", layout="hex", **common),
        "hostile": write_view("map", hostile, folder / "hostile.html", **common),
    }


def _shot(page, artifacts, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(1390, 890)
    page.wait_for_timeout(150)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.screenshot(path=str(artifacts / f"map-{name}.png"))


def _hover(page, x, y, title):
    """Hover (x, y) and wait until the tooltip is about ``title`` (the district under the
    way in may show first)."""
    hover(page, x, y)
    page.wait_for_function(
        "(t) => document.querySelector('#gv-tooltip .gv-tip-title')?.textContent === t",
        arg=title,
        timeout=5_000,
    )
    return page.locator("#gv-tooltip")


def _point(page, node_id):
    """Container-relative point of a node on the page (its index, then where it is drawn)."""
    return page.evaluate(
        """(id) => {
            const app = gridVoices, i = app.points.id.indexOf(id);
            const it = app.pointsLayer.items.find(x => x.point === i);
            const r = document.getElementById('gv-network').getBoundingClientRect();
            return {i: i, x: r.left + it.x, y: r.top + it.y};
        }""",
        node_id,
    )


def test_opens_offline_and_every_layer_switches(open_view, files, artifacts):
    opened = open_view(files["map"])
    page = opened.page
    opened.assert_clean()
    assert opened.shown("nodes") == 75
    assert opened.shown("flows") > 12  # every bordering pair, and others with referrals
    assert "Schematic districts" in page.locator("#gv-side").inner_text()
    for shade in SHADES:
        page.select_option("#gv-shade", shade)
        assert page.locator("#gv-network").get_attribute("data-layers").endswith(f"shade:{shade}")
        _shot(page, artifacts, f"shade-{shade or 'none'}")
    page.select_option("#gv-shade", "band")
    assert "Recovery index band" in page.locator("#gv-legend").text_content()
    page.uncheck("#gv-layer-points")
    assert opened.shown("nodes") == 0
    page.uncheck("#gv-layer-flows")
    assert opened.shown("flows") == 0
    _shot(page, artifacts, "districts-only")
    page.check("#gv-layer-points")
    page.check("#gv-layer-flows")
    page.check("#gv-layer-peers")
    assert "peers" in page.locator("#gv-network").get_attribute("data-layers")
    assert "Navigators" in page.locator("#gv-legend").text_content()
    _shot(page, artifacts, "navigators-and-peers")
    page.uncheck("#gv-layer-districts")
    assert "districts" not in page.locator("#gv-network").get_attribute("data-layers")
    _shot(page, artifacts, "no-districts")
    opened.assert_clean()


def test_filters_change_the_counts(open_view, files, shipped):
    opened = open_view(files["map"])
    page = opened.page
    chesterfield = sum(
        1
        for _, a in shipped.nodes(data=True)
        if a["type"] in ("Service", "Group") and a["district"] == "E07000034"
    )
    page.select_option("#gv-district", label="Chesterfield")
    assert opened.shown("nodes") == chesterfield < 75
    assert 0 < opened.shown("flows") < 17
    page.select_option("#gv-district", "")
    page.select_option("#gv-domain", label="12-step groups")
    twelve = sum(
        1
        for _, a in shipped.nodes(data=True)
        if a["type"] in ("Service", "Group") and a["domain"] == "twelve_step"
    )
    assert opened.shown("nodes") == twelve
    page.select_option("#gv-domain", "")
    page.select_option("#gv-kind", label="Housing")
    assert 0 < opened.shown("nodes") < 10
    page.select_option("#gv-kind", "")
    assert opened.shown("nodes") == 75
    opened.assert_clean()


def test_hover_pin_and_period(open_view, files, shipped):
    opened = open_view(files["map"])
    page = opened.page
    p = _point(page, "svc-hp-walk")  # the only point in Chapel-en-le-Frith
    rows = table(_hover(page, p["x"], p["y"], "Moorland Walking Group"))
    assert rows["District"] == "High Peak" and rows["Type"] == "Service"
    before = opened.shown("edges")
    page.mouse.click(p["x"], p["y"])
    assert "Moorland Walking Group" in page.locator("#gv-detail").inner_text()
    pinned = opened.shown("edges")
    assert pinned > before  # its own referral arcs
    page.select_option("#gv-period", "0")
    q1 = [
        d["by_period"].get("2024-Q1", 0)
        for u, v, d in shipped.edges(data=True)
        if "svc-hp-walk" in (u, v) and d.get("referrals")
    ]
    expected = fmt_shown(shown_sum((0, 1) if 0 < c < 5 else (c, 0) for c in q1))
    assert table(page.locator("#gv-detail"))["Referrals sent and received (2024-Q1)"] == expected
    page.click("#gv-detail-close")
    assert opened.shown("edges") < pinned
    page.fill("#gv-search", "Moorland")
    assert int(page.locator("#gv-network").get_attribute("data-matches")) == 3
    page.locator("#gv-results button").first.click()
    assert "Moorland" in page.locator("#gv-detail").inner_text()
    opened.assert_clean()


def test_hostile_names_are_inert(open_view, files, artifacts):
    opened = open_view(files["hostile"])
    page = opened.page
    p = _point(page, "S-CAFE1")
    _hover(page, p["x"], p["y"], XSS_PWN)
    page.fill("#gv-search", "<img")
    assert XSS_PWN in page.locator("#gv-results").inner_text()
    assert page.locator("#gv-side img, #gv-tooltip img, #gv-results img, #gv-side svg").count() == 0
    _shot(page, artifacts, "hostile-names")
    page.wait_for_timeout(200)
    opened.assert_clean()
    assert XSS_IMG not in page.content().split('id="gv-data"')[0]


def test_png_is_not_blank(files, tmp_path, page):
    png = html_to_png(files["map"], tmp_path / "map.png")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "png-export.png").write_bytes(png.read_bytes())
    facts = page.evaluate(
        """async (b64) => {
            const img = new Image(); img.src = 'data:image/png;base64,' + b64; await img.decode();
            const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
            const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
            const d = ctx.getImageData(0, 0, img.width, img.height).data, seen = new Set();
            let ink = 0;
            for (let k = 0; k < d.length; k += 4 * 97) {
                seen.add(d[k] + ',' + d[k + 1] + ',' + d[k + 2]);
                if (d[k] + d[k + 1] + d[k + 2] < 600) { ink++; }
            }
            return {w: img.width, h: img.height, colours: seen.size, ink: ink,
                    corner: Array.from(ctx.getImageData(2, 2, 1, 1).data)};
        }""",
        __import__("base64").b64encode(png.read_bytes()).decode(),
    )
    assert facts["corner"] == [255, 255, 255, 255]
    assert facts["w"] > 1000 and facts["colours"] > 20 and facts["ink"] > 500


def test_hex_schematic_screenshot(open_view, files, artifacts):
    opened = open_view(files["hex"])
    assert "Schematic map" in opened.page.locator("#gv-side").inner_text()
    assert opened.shown("nodes") == 75
    _shot(opened.page, artifacts, "hex-schematic")
    opened.assert_clean()


def test_many_points_cluster_until_zoomed_in(open_view, tmp_path):
    rnd = random.Random(5)
    G = nx.DiGraph(districts={"D": {"name": "Dale", "borders": []}}, periods=[], feedback=[])
    for k in range(6000):
        G.add_node(
            f"s{k}",
            type="Service",
            name=f"Service {k}",
            district="D",
            domain="activities",
            active=True,
            latitude=52.8 + rnd.random() * 0.6,
            longitude=-2.0 + rnd.random() * 0.9,
        )
    opened = open_view(write_view("map", G, tmp_path / "many.html"))
    page = opened.page
    root = page.locator("#gv-network")
    assert opened.shown("nodes") == 6000
    assert root.get_attribute("data-clustered") == "true"
    legend = page.locator("#gv-legend")
    assert "Numbered circle" in legend.inner_text()
    # A directory: nothing to size points by, so the legend does not claim referrals.
    assert "size: referrals" not in legend.inner_text()
    page.evaluate("void map.setZoom(15)")
    assert root.get_attribute("data-clustered") == "false"
    assert "Numbered circle" not in legend.inner_text()
    opened.assert_clean()


def test_directory_without_flows_says_what_needs_referrals(open_view, tmp_path):
    G = nx.DiGraph(districts={"A": {"name": "Alpha", "borders": []}}, periods=[], feedback=[])
    for n in ("s", "t"):
        G.add_node(n, type="Service", name=n, district="A", domain="linkage",
                   org_kind="other", active=True, latitude=25.8, longitude=-80.2)  # fmt: skip
    for kind in ("map", "network"):
        opened = open_view(write_view(kind, G, tmp_path / f"{kind}.html"))
        opened.assert_clean()
        notice = opened.page.locator("#gv-no-flows")
        assert notice.is_visible()
        assert "gridvoices template FOLDER" in notice.inner_text()
