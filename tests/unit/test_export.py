"""Exports for other tools: GraphML/GEXF that read back, safe CSV, node-link JSON, suppression."""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile

import networkx as nx
import pytest
from gridvoices.queries.graph import build_graph
from gridvoices.stores.store import validate_paths
from gridvoices.visualise.export import export_graph, node_metrics
from typer.testing import CliRunner

import gridvoices.cli.main  # noqa: F401 - registers the shared commands
import gridvoices.cli.partners  # noqa: F401 - registers `export`
from gridvoices.cli.common import app
from tests.conftest import DERBYSHIRE

runner = CliRunner()
COUNTS = ("referrals", "accepted", "in_volume", "out_volume", "weighted_degree")
NASTY = ['=HYPERLINK("http://x","y")', "@SUM(1)", "-2+3", "+1", "\tTab", "\rCR"]


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def G() -> nx.DiGraph:
    report, tables = validate_paths([DERBYSHIRE])
    assert report.valid
    return build_graph(tables)


@pytest.fixture(scope="module")
def metrics(G):
    return node_metrics(G)


def count_values(H: nx.DiGraph):
    for _, d in H.nodes(data=True):
        yield from ((k, v) for k, v in d.items() if k in COUNTS)
    for *_, d in H.edges(data=True):
        yield from ((k, v) for k, v in d.items() if k in COUNTS or k.startswith("referrals_"))


@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_gephi_formats_read_back_with_counts_attributes_and_suppression(
    G, metrics, tmp_path, fmt, reader
):
    H = reader(export_graph(G, tmp_path / f"g.{fmt}", fmt, metrics=metrics))
    assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    spoc = H.nodes["svc-spoc"]
    assert spoc["name"] == G.nodes["svc-spoc"]["name"] == spoc["label"]
    assert spoc["districts"] == ";".join(G.nodes["svc-spoc"]["districts"])
    assert spoc["district_name"] == "Chesterfield" and spoc["active"] is True
    assert isinstance(spoc["pagerank"], float) and "community" in spoc
    edge = H.edges["svc-spoc", "svc-nhs-dual"]
    assert edge["referrals_2024-Q1"] == "*"  # 2 referrals that quarter
    # Issue 14: its total (7 over four hidden quarters) is hidden as a complement, so the
    # weight comes from what is shown, each hidden quarter weighing 5.
    assert edge["referrals"] == "*"
    assert edge["relation"] == "referral" and edge["weight"] == 20.0
    values = list(count_values(H))
    assert values and all(isinstance(v, str) for _, v in values)  # one type per attribute
    assert {v for _, v in values} & {"1", "2", "3", "4"} == set()
    assert any(v == "*" for _, v in values)
    peer_only = [d for *_, d in H.edges(data=True) if d["relation"] == "peer_link"]
    assert peer_only and all(d["weight"] == 1.0 for d in peer_only)


def test_show_small_counts_keeps_integers_and_exact_weights(G, tmp_path):
    H = nx.read_graphml(export_graph(G, tmp_path / "g.graphml", "graphml", suppress_small=False))
    edge = H.edges["svc-spoc", "svc-nhs-dual"]
    assert edge["referrals_2024-Q1"] == 2 and edge["referrals"] == 7
    assert all(isinstance(v, int) for _, v in count_values(H))


def test_suppressed_weights_never_go_below_five(tmp_path):
    G = nx.DiGraph(periods=["2024-Q1"])
    G.add_edge("a", "b", referrals=2, by_period={"2024-Q1": 2}, accepted=None)
    G.add_edge("b", "c", referrals=40, by_period={"2024-Q1": 40}, accepted=39)
    H = nx.read_gexf(export_graph(G, tmp_path / "g.gexf", "gexf"))
    assert H.edges["a", "b"]["weight"] == 5.0 and H.edges["b", "c"]["weight"] == 40.0
    assert "accepted" not in H.edges["a", "b"]  # None is left out


def nasty_graph() -> nx.DiGraph:
    G = nx.DiGraph(periods=["2024-Q1"], districts={}, organisations={})
    for i, name in enumerate(NASTY):
        G.add_node(f"s{i}", type="Service", name=name, districts=["D1"], chime=["hope", "meaning"])
    G.add_edge("s0", "s1", referrals=12, by_period={"2024-Q1": 12}, accepted=None)
    G.add_edge("s1", "s2", referrals=3, by_period={"2024-Q1": 3}, accepted=None)
    return G


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_neutralises_formulas_in_a_folder_and_a_zip(tmp_path):
    G = nasty_graph()
    folder = export_graph(G, tmp_path / "out", "csv", metrics=node_metrics(G, centrality=False))
    nodes = read_csv((folder / "nodes.csv").read_bytes().decode("utf-8"))
    assert [r["name"] for r in nodes] == ["'" + n for n in NASTY]
    assert [r["label"] for r in nodes] == ["'" + n for n in NASTY]
    assert nodes[0]["chime"] == "hope;meaning"
    edges = read_csv((folder / "edges.csv").read_bytes().decode("utf-8"))
    assert [(e["source"], e["target"], e["referrals"]) for e in edges] == [
        ("s0", "s1", "12"),
        ("s1", "s2", "*"),
    ]
    assert nodes[2]["in_volume"] == "*" and nodes[1]["in_volume"] == "12"
    with zipfile.ZipFile(export_graph(G, tmp_path / "out.zip", "csv")) as z:
        assert sorted(z.namelist()) == ["edges.csv", "nodes.csv"]
        zipped = read_csv(z.read("nodes.csv").decode("utf-8"))
    assert [r["name"] for r in zipped] == ["'" + n for n in NASTY]
    for row in csv.reader(io.StringIO((folder / "nodes.csv").read_bytes().decode("utf-8"))):
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_json_is_node_link_with_the_same_suppression(G, metrics, tmp_path):
    data = json.loads(export_graph(G, tmp_path / "g.json", "json", metrics=metrics).read_text())
    H = nx.node_link_graph(data, edges="links")
    assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    edge = H.edges["svc-spoc", "svc-nhs-dual"]
    assert edge["by_period"]["2024-Q1"] == "*" and edge["referrals"] == "*"  # a complement
    assert H.nodes["svc-spoc"]["districts"] == G.nodes["svc-spoc"]["districts"]
    assert data["graph"]["small_counts"].startswith("suppressed")
    exact = json.loads(
        export_graph(G, tmp_path / "x.json", "json", suppress_small=False).read_text()
    )
    pair = [e for e in exact["links"] if (e["source"], e["target"]) == ("svc-spoc", "svc-nhs-dual")]
    assert pair[0]["by_period"]["2024-Q1"] == 2


def test_metrics_degrade_to_volumes_without_the_metrics_module(G, monkeypatch):
    # the import now fails
    monkeypatch.setitem(sys.modules, "gridvoices.queries.metrics.centrality", None)
    m = node_metrics(G)
    assert set(m["svc-spoc"]) == {"in_volume", "out_volume", "weighted_degree"}
    assert (
        m["svc-spoc"]["weighted_degree"] == m["svc-spoc"]["in_volume"] + m["svc-spoc"]["out_volume"]
    )


def test_unknown_format_is_a_value_error(G, tmp_path):
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        export_graph(G, tmp_path / "g.pdf", "pdf")


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDVOICES_WORKSPACE", str(tmp_path / "ws"))
    assert run("import", DERBYSHIRE, "--quiet").exit_code == 0
    return tmp_path


def test_cli_export_formats_periods_and_metrics(loaded):
    r = run("export", "-o", loaded / "q1.gexf", "--period", "2024-Q1")
    assert r.exit_code == 0 and "small counts suppressed" in r.stdout
    H = nx.read_gexf(loaded / "q1.gexf")
    keys = {k for *_, d in H.edges(data=True) for k in d if k.startswith("referrals_")}
    assert keys == {"referrals_2024-Q1"}
    assert "pagerank" in H.nodes["svc-spoc"]
    meta = (loaded / "q1.gexf").read_text(encoding="utf-8")[:1500]
    assert "Periods: 2024-Q1. Small counts: suppressed" in meta
    r = run("export", "-o", loaded / "plain.graphml", "--no-metrics", "--show-small-counts")
    H = nx.read_graphml(loaded / "plain.graphml")
    assert r.exit_code == 0 and "in_volume" not in H.nodes["svc-spoc"]
    assert H.edges["svc-spoc", "svc-nhs-dual"]["referrals_2024-Q1"] == 2
    assert run("export", "--format", "csv", "-o", loaded / "net.zip").exit_code == 0
    assert zipfile.is_zipfile(loaded / "net.zip")
    assert run("export", "-o", loaded / "net.json", "-q").stdout == ""


def test_cli_export_bad_input_exits_2(loaded):
    r = run("export", "-o", loaded / "x.pdf")
    assert r.exit_code == 2 and "cannot tell the format" in r.stderr
    r = run("export", "-o", loaded / "x.gexf", "--format", "svg")
    assert r.exit_code == 2 and "one of graphml, gexf, csv, json" in r.stderr
    r = run("export", "-o", loaded / "x.gexf", "--period", "Q5")
    assert r.exit_code == 2 and "'Q5' is not a period" in r.stderr
