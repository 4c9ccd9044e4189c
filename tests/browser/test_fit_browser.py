"""A large directory's network view fits the page: no district or label runs off the canvas."""

from __future__ import annotations

import io

import networkx as nx
import pytest
from gridvoices.visualise.views import write_view
from PIL import Image

pytestmark = pytest.mark.browser

# The Open211 Miami package as imported (services per county, in the store's order): one
# county holds most services; its room when opened pushes it to the edge of the page, and
# its label (a long name, as ward lists have) is wider than its circle.
SIZES = {
    "Broward County": 60,
    "Collier County": 314,
    "Miami-Dade County (Greater Miami and the Beaches)": 2531,
    "Monroe County": 203,
    "Elsewhere in Florida": 534,
}


def _directory(sizes: dict[str, int]) -> nx.DiGraph:
    """A directory without referral flows, services spread over districts of very unequal size."""
    codes = {name: f"D{k}" for k, name in enumerate(sizes)}
    G = nx.DiGraph(
        districts={c: {"name": name, "borders": []} for name, c in codes.items()},
        borders=set(),
        periods=[],
        feedback=[],
    )
    for name, n in sizes.items():
        for k in range(n):
            G.add_node(f"{codes[name]}-{k}", type="Service", name=f"{name} service {k}",
                       district=codes[name], domain="wraparound", org_kind="other",
                       active=True)  # fmt: skip
    return G


def _ink_at_edges(png: bytes, band: int = 2) -> dict[str, int]:
    """Dark pixels (text, outlines) in the outer ``band`` pixels of each side of a picture."""
    img = Image.open(io.BytesIO(png)).convert("L")
    w, h = img.size
    px = img.load()

    def dark(xs, ys) -> int:
        return sum(1 for x in xs for y in ys if px[x, y] < 140)

    return {
        "left": dark(range(band), range(h)),
        "right": dark(range(w - band, w), range(h)),
        "top": dark(range(w), range(band)),
        "bottom": dark(range(w), range(h - band, h)),
    }


@pytest.mark.parametrize("viewport", [(1400, 900), (1000, 700)])
def test_the_biggest_district_and_its_label_stay_on_the_canvas(
    chromium, tmp_path, artifacts, viewport
):
    path = write_view("network", _directory(SIZES), tmp_path / "fit.html", aggregate_above=1000)
    width, height = viewport
    context = chromium.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_selector('#gv-network[data-ready="true"]', state="attached", timeout=60_000)
        assert page.evaluate("!!gridVoices.model.agg")  # districts first, as for Miami
        canvas = page.locator("#gv-network canvas")
        shot = canvas.screenshot(path=str(artifacts / f"fit-large-directory-{width}.png"))
        assert _ink_at_edges(shot) == {"left": 0, "right": 0, "top": 0, "bottom": 0}
        # The biggest district is drawn, with its name, inside the canvas.
        box = page.evaluate(
            """() => {
              const n = gridVoices.network, id = gridVoices.nodes.getIds().find(
                i => String(gridVoices.nodes.get(i).label).startsWith('Miami-Dade'));
              const p = n.canvasToDOM(n.getPositions([id])[id]);
              const r = gridVoices.nodes.get(id).size * n.getScale();
              return {x: p.x, y: p.y, r: r, w: n.canvas.frame.canvas.clientWidth,
                      h: n.canvas.frame.canvas.clientHeight};
            }"""
        )
        assert box["r"] > 20  # big enough to see
        assert box["x"] - box["r"] >= 0 and box["x"] + box["r"] <= box["w"]
        assert box["y"] - box["r"] >= 0 and box["y"] + box["r"] <= box["h"]
    finally:
        context.close()
