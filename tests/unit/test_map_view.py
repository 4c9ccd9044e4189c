"""The map view's data: places, schematic and boundary shapes, layers, suppression, safety."""

from __future__ import annotations

import csv
import json

import networkx as nx
import pytest
import shapely
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.ecosystem.shipped import DERBYSHIRE
from gridvoices.loaders.validate import RawTable, validate_tables
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from gridvoices.visualise import map_geo
from gridvoices.visualise.map_layers import NO_DATA, district_shades
from gridvoices.visualise.map_view import build
from gridvoices.visualise.views import render_view, view_kinds, view_options


@pytest.fixture(scope="module")
def shipped():
    report, tables = validate_paths([DERBYSHIRE])
    assert report.valid
    return build_graph(tables)


def _tiny(names=("Alpha", "Beta"), count=3) -> nx.DiGraph:
    G = nx.DiGraph(
        districts={
            "A": {"name": names[0], "borders": ["B"]},
            "B": {"name": names[1], "borders": []},
        },
        borders={frozenset(("A", "B"))},
        periods=["2024-Q1", "2024-Q2"],
        feedback=[],
    )
    G.add_node(
        "s",
        type="Service",
        name="S one",
        district="A",
        domain="activities",
        org_kind="community",
        active=True,
        latitude=53.0,
        longitude=-1.5,
    )
    G.add_node(
        "t",
        type="Service",
        name="T two",
        district="B",
        domain="linkage",
        org_kind="council",
        active=True,
        latitude=53.2,
        longitude=-1.2,
    )
    G.add_edge("s", "t", referrals=count + 20, by_period={"2024-Q1": count, "2024-Q2": 20})
    return G


class TestSchema:
    def test_place_columns_are_optional_and_range_checked(self):
        for entity in ("services", "groups"):
            cols = {c.name: c for c in ENTITIES[entity].columns}
            assert not cols["latitude"].required and not cols["postcode"].required
            assert (cols["latitude"].minimum, cols["latitude"].maximum) == (-90, 90)
            assert (cols["longitude"].minimum, cols["longitude"].maximum) == (-180, 180)

    def test_out_of_range_latitude_is_an_issue(self):
        import pandas as pd

        frame = pd.DataFrame(
            [
                {
                    "id": "g1",
                    "name": "G",
                    "fellowship": "AA",
                    "district": "D",
                    "latitude": "95",
                    "longitude": "-1.5",
                }
            ]
        ).astype(str)
        districts = pd.DataFrame([{"id": "D", "name": "D"}]).astype(str)
        report, _ = validate_tables(
            {
                "groups": RawTable("groups", frame, "groups.csv"),
                "districts": RawTable("districts", districts, "districts.csv"),
            }
        )
        bad = [i for i in report.issues if i.column == "latitude"]
        assert [i.code for i in bad] == ["out-of-range"]
        assert "above the maximum 90" in bad[0].message

    def test_shipped_places_reach_the_graph(self, shipped):
        rows = list(csv.DictReader(open(DERBYSHIRE / "services.csv", encoding="utf-8")))
        for r in rows:
            a = shipped.nodes[r["id"]]
            assert (a["latitude"], a["longitude"]) == (float(r["latitude"]), float(r["longitude"]))
        placed = [n for n, a in shipped.nodes(data=True) if "latitude" in a]
        assert len(placed) == 43 + 32  # every service and group; navigators have none
        # Derbyshire lies within these bounds: no coordinate was typed the wrong way round.
        assert all(52.6 < shipped.nodes[n]["latitude"] < 53.6 for n in placed)
        assert all(-2.1 < shipped.nodes[n]["longitude"] < -1.1 for n in placed)


class TestBuild:
    def test_map_is_a_view_kind_with_its_options(self):
        assert "map" in view_kinds()
        assert {"boundaries", "layout", "tiles", "index_bands"} <= set(view_options("map"))

    def test_shipped_data_is_geographic_with_hull_schematic(self, shipped):
        v = build(shipped)
        d = v.data
        assert d["geo"] is True and d["schematic"] == "hull"
        assert v.n_nodes == len(d["points"]["id"]) == 75
        assert len(d["districts"]) == 8 and all(x["shape"] for x in d["districts"])
        # The barriers view's links come with the flows: all 12 bordering pairs, the one
        # with no referrals (Derbyshire Dales - High Peak) dashed as missing.
        names = [x["name"] for x in d["districts"]]
        links = {
            frozenset((names[f["a"]], names[f["b"]])): f
            for f in d["flows"]["links"]
            if f["cat"] != "other"
        }
        assert len(links) == 12
        missing = links[frozenset(("Derbyshire Dales", "High Peak"))]
        assert missing["cat"] == "missing" and missing["dashed"]

    def test_hex_layout_places_each_point_in_its_own_hex(self, shipped):
        d = build(shipped, layout="hex").data
        assert d["geo"] is False and d["schematic"] == "hex"
        hexes = json.loads((DERBYSHIRE / "districts.hexjson").read_text())["hexes"]
        codes = [x["code"] for x in d["districts"]]
        assert set(codes) == set(hexes)
        p = d["points"]
        for i in range(len(p["id"])):
            ring = d["districts"][p["district"][i]]["shape"][0][0]
            poly = shapely.Polygon([(x, y) for y, x in ring])
            assert poly.contains(shapely.Point(p["lng"][i], p["lat"][i])), p["id"][i]

    def test_no_coordinates_means_hex_schematic(self):
        G = _tiny()
        for n in G:
            del G.nodes[n]["latitude"], G.nodes[n]["longitude"]
        v = build(G)
        assert v.data["schematic"] == "hex" and v.n_nodes == 2

    def test_bad_options(self):
        with pytest.raises(ValueError, match="layout must be one of"):
            build(_tiny(), layout="globe")
        with pytest.raises(ValueError, match="https://"):
            build(_tiny(), tiles="http://tiles.example/{z}/{x}/{y}.png")

    def test_small_counts_never_reach_the_page(self):
        v = build(_tiny(count=3))
        # 3 hidden, and the link's total 23 as its complement (not the 20: a hidden cell would
        # leave every other sum over it as "+ *")
        assert v.data["edges"]["cells"] == [-1, 20]
        # Volume of s: Q1 [0 visible, 1 hidden]; Q2 [20, 0]; all periods [20, 1].
        width = 2 * (2 + 1)
        assert v.data["points"]["vol"][:width] == [0, 1, 20, 0, 20, 1]
        shown = build(_tiny(count=3), suppress_small=False)
        assert shown.data["edges"]["cells"] == [3, 20]


class TestBoundaries:
    def _file(self, tmp_path):
        def square(x0, y0):
            return [[[x0, y0], [x0 + 0.2, y0], [x0 + 0.2, y0 + 0.2], [x0, y0 + 0.2], [x0, y0]]]

        doc = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"LAD23NM": "alpha", "LAD23CD": "X1"},
                    "geometry": {"type": "Polygon", "coordinates": square(-1.6, 52.9)},
                },
                {
                    "type": "Feature",
                    "properties": {"code": "B"},
                    "geometry": {"type": "Polygon", "coordinates": square(-1.0, 53.5)},
                },
            ],
        }
        path = tmp_path / "b.geojson"
        path.write_text(json.dumps(doc))
        return path

    def test_matched_by_name_or_code_and_points_checked(self, tmp_path):
        v = build(_tiny(), boundaries=self._file(tmp_path))
        assert v.data["schematic"] is None
        assert all(d["shape"] for d in v.data["districts"])
        # t (53.2, -1.2) is not inside B's square: said so, not hidden.
        assert any("outside their district" in n for n in v.notes)

    def test_no_match_is_an_error(self, tmp_path):
        with pytest.raises(ValueError, match="no polygon matches"):
            map_geo.load_boundaries(self._file(tmp_path), {"Z": {"name": "Zed"}})


class TestShades:
    def test_feedback_from_few_responses_is_not_shaded(self):
        G = _tiny()
        G.graph["feedback"] = [
            {
                "about": "s",
                "about_to": None,
                "period": "2024-Q1",
                "rating": 4,
                "barrier": ["too_far"],
            }
            for _ in range(6)
        ] + [{"about": "t", "about_to": None, "period": "2024-Q1", "rating": 1, "barrier": []}]
        modes, rows = district_shades(G, ["A", "B"], None, True)
        by = {m["key"]: m for m in modes}
        assert by["rating"]["fill"][1] == NO_DATA  # B: 1 response
        assert by["rating"]["fill"][0] != NO_DATA
        assert by["too_far"]["fill"][0] != NO_DATA  # 6 of 6 said too far
        assert dict(rows[1])["Feedback responses"] == "*"
        assert "Mean rating (1-5)" not in dict(rows[1])


class TestPage:
    def test_hostile_names_are_escaped_and_page_is_offline(self):
        G = _tiny(names=("<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>"))
        page = render_view("map", G)
        assert "<img src=x" not in page and "</script><script>alert(2)" not in page
        assert 'data-view="map"' in page
        assert "img-src data:;" in page  # no tile origin allowed without --tiles

    def test_unplaced_services_are_named_in_the_page_and_its_picture(self):
        G = _tiny()
        G.add_node("nowhere", type="Service", name="Nowhere", domain="activities", active=True)
        page = render_view("map", G)
        data = json.loads(page.split('id="gv-data">')[1].split("</script>")[0])
        (note,) = data["meta"]["notes"]  # the PNG draws meta.notes under its title
        assert note.startswith("1 service or group without coordinates")
        assert "district lookup" in note and note in page

    def test_tiles_allow_only_their_origin(self):
        page = render_view("map", _tiny(), tiles="https://tile.example.org/{z}/{x}/{y}.png")
        assert "img-src data: https://tile.example.org;" in page


class TestCliAndStore:
    @pytest.fixture
    def loaded(self, tmp_path, monkeypatch):
        from tests.unit.test_view_registry import run

        monkeypatch.setenv("GRIDVOICES_WORKSPACE", str(tmp_path / "ws"))
        monkeypatch.setenv("COLUMNS", "200")
        assert run("import", DERBYSHIRE, "--quiet").exit_code == 0
        return tmp_path, run

    def test_cli_writes_the_map_from_the_store(self, loaded):
        tmp_path, run = loaded
        out = tmp_path / "map.html"
        r = run("view", "map", "-o", out, "--layout", "hex")
        assert r.exit_code == 0, r.output
        page = out.read_text(encoding="utf-8")
        assert 'data-view="map"' in page and "Schematic map" in page
        r = run("view", "map", "-o", out)  # coordinates came through the store
        assert r.exit_code == 0 and "Schematic districts" in out.read_text(encoding="utf-8")
        r = run("view", "map", "-o", out, "--tiles", "http://x/{z}/{x}/{y}.png")
        assert r.exit_code == 2 and "https://" in r.output
        r = run("view", "network", "-o", out, "--layout", "hex")
        assert r.exit_code == 2 and "does not apply to the network view" in r.output

    def test_a_store_without_the_place_columns_gains_them(self, tmp_path):
        import sqlite3

        from gridvoices.stores.sqlite_store import SQLiteStore

        SQLiteStore(tmp_path / "s.db").close()
        conn = sqlite3.connect(tmp_path / "s.db")
        for col in ("latitude", "longitude", "postcode"):
            conn.execute(f'ALTER TABLE services DROP COLUMN "{col}"')
        conn.commit()
        conn.close()
        store = SQLiteStore(tmp_path / "s.db")
        try:
            assert {"latitude", "longitude", "postcode"} <= set(store.read()["services"].columns)
        finally:
            store.close()
