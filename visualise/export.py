"""Export the ecosystem graph for other tools: GraphML and GEXF (Gephi), CSV, node-link JSON.

:func:`export_graph` writes the graph of :func:`gridvoices.queries.graph.build_graph`, with
per-node metrics from :func:`node_metrics` when given, in one of :data:`FORMATS`:

* ``graphml`` and ``gexf``: every attribute is a scalar, as Gephi needs. Lists
  become ``;``-joined strings, dicts become one attribute per key (an edge's
  ``by_period`` becomes ``referrals_2024-Q1``, ...), None and NaN are left out,
  and each attribute has one type on every node or edge. Nodes carry ``label``
  (the name), ``district_name`` and ``organisation_name``; edges carry
  ``relation`` (``referral``, ``peer_link`` or both) and ``weight``.
* ``csv``: ``nodes.csv`` and ``edges.csv`` (plain UTF-8, every cell quoted) in a
  folder, or in a zip when the path ends in ``.zip``. Any text cell starting with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so a
  spreadsheet never runs it as a formula (OWASP's advice on CSV injection).
* ``json``: node-link JSON (:func:`networkx.node_link_data`, edges under
  ``"links"`` as d3 expects); lists and ``by_period`` stay structured.

Small counts
------------
Unless ``suppress_small=False`` (the CLI's ``--show-small-counts``), every count of
people (an edge's ``referrals``, ``accepted`` and per-period counts; a node's
``in_volume``, ``out_volume`` and ``weighted_degree``) that is 1-4 is written as
``*``. In GraphML, GEXF and CSV such a count attribute is then a *string*
attribute on every node or edge (``"*"``, ``"0"``, ``"12"``), so no exact small
number is in the file; with suppression off the counts are integers. For layout
and ranking, edges always have a numeric ``weight``: the referral count, with a
suppressed count weighing 5 (``max(count, 5)``, so 5 says "5 or fewer"), and an
edge that carries no referrals (a peer link only) weighing 1. Sums such as
``in_volume`` are suppressed on their own value (as everywhere in GRID Voices), so
a file should not be published where a reader could subtract shown parts from a
shown total. JSON keeps integers and writes ``"*"`` in their place.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from gridvoices.ecosystem.definitions import (
    DEFINITIONS,
    KEYS,
    PEER_LINKS,
    REFERRAL_LINKS,
    REFERRALS,
    glossary,
)
from gridvoices.ecosystem.privacy import SUPPRESSED, suppress
from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD
from gridvoices.queries.counts import link_counts
from gridvoices.queries.disclosure import accepted_cells, edge_cells, shown_counts
from gridvoices.queries.disclosure import layer as disclosure
from gridvoices.visualise.render import shown_total

__all__ = [
    "FORMATS",
    "COUNT_KEYS",
    "export_graph",
    "guess_format",
    "neutralise",
    "node_metrics",
]

FORMATS = ("graphml", "gexf", "csv", "json")
# Attributes that count people, wherever they appear (per-period ones start with "referrals_").
COUNT_KEYS = frozenset({"referrals", "accepted", "in_volume", "out_volume", "weighted_degree"})
# Taken from queries.metrics.centrality.centrality when it is there; volumes are computed here.
_CENTRALITY_KEYS = (
    "degree",
    "betweenness",
    "route_share",
    "pagerank",
    "constraint",
    "community",
    "communities_reached",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SUFFIXES = {".graphml": "graphml", ".gexf": "gexf", ".json": "json", ".zip": "csv", "": "csv"}


def guess_format(path: Path) -> str | None:
    """The export format a path's suffix implies (a folder or ``.zip`` is CSV), or None.

    Examples
    --------
    >>> guess_format(Path("net.gexf")), guess_format(Path("out")), guess_format(Path("x.pdf"))
    ('gexf', 'csv', None)
    """
    return _SUFFIXES.get(Path(path).suffix.lower())


def neutralise(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would take it for a formula.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x","y")'), neutralise("-2+3"), neutralise("Hope Hub")
    ('\\'=HYPERLINK("http://x","y")', "'-2+3", 'Hope Hub')
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def node_metrics(G: nx.DiGraph, *, centrality: bool = True) -> dict[Hashable, dict[str, Any]]:
    """Referral volumes per node, and centrality when :mod:`queries.metrics.centrality` offers it.

    ``in_volume``/``out_volume`` are referrals received/made in the graph's periods and
    ``weighted_degree`` their sum, for every node. With ``centrality``, the columns of
    ``queries.metrics.centrality.centrality(G)`` named in ``_CENTRALITY_KEYS`` are added for the
    services and groups it covers; without that module the volumes alone are returned.

    Examples
    --------
    >>> G = nx.DiGraph(); G.add_edge("a", "b", referrals=7)
    >>> node_metrics(G, centrality=False)["b"]
    {'in_volume': 7, 'out_volume': 0, 'weighted_degree': 7}
    """
    out: dict[Hashable, dict[str, Any]] = {}
    for n in G:
        vin = sum(int(d.get("referrals") or 0) for *_, d in G.in_edges(n, data=True))
        vout = sum(int(d.get("referrals") or 0) for *_, d in G.out_edges(n, data=True))
        out[n] = {"in_volume": vin, "out_volume": vout, "weighted_degree": vin + vout}
    if centrality:
        for n, values in _centrality(G).items():
            if n in out:
                out[n].update(values)
    return out


def _centrality(G: nx.DiGraph) -> dict[Hashable, dict[str, Any]]:
    try:
        from gridvoices.queries.metrics.centrality import centrality
    except ImportError:  # written separately; exports work without it
        return {}
    result = centrality(G)
    frame = getattr(result, "nodes", result)
    if hasattr(frame, "to_dict") and hasattr(frame, "columns"):
        frame = frame.set_index("id") if "id" in frame.columns else frame
        keep = [c for c in _CENTRALITY_KEYS if c in frame.columns]
        return frame[keep].to_dict("index")
    if isinstance(result, Mapping):
        return {
            n: {k: v for k, v in row.items() if k in _CENTRALITY_KEYS} for n, row in result.items()
        }
    return {}


# --------------------------------------------------------------------------- values


def _plain(v: Any) -> Any:
    """Python scalars for numpy ones; None for NaN (written as a missing value)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _is_count(key: str) -> bool:
    return key in COUNT_KEYS or key.startswith("referrals_")


def _shown(key: str, v: Any, suppress_small: bool, *, as_text: bool = False) -> Any:
    """A count as shown; ``as_text`` writes every count of the key as text when suppressing."""
    if _is_count(key) and isinstance(v, int) and not isinstance(v, bool):
        v = suppress(v, enabled=suppress_small)
        return str(v) if as_text and suppress_small else v
    return v


def _layout_weight(referrals: int, suppress_small: bool) -> float:
    if referrals <= 0:
        return 1.0  # a peer link only: present in the layout, pulling like one referral
    if suppress_small and referrals < SUPPRESSION_THRESHOLD:
        return float(SUPPRESSION_THRESHOLD)
    return float(referrals)


def _relation(d: Mapping) -> str:
    kinds = (["referral"] if d.get("referrals") else []) + (
        ["peer_link"] if d.get("peer_kind") else []
    )
    return ";".join(kinds)


def _node_cells(G: nx.DiGraph, n) -> dict[str, list]:
    ins = [c for u, _, d in G.in_edges(n, data=True) for c in edge_cells(u, n, d)]
    outs = [c for _, v, d in G.out_edges(n, data=True) for c in edge_cells(n, v, d)]
    return {"in_volume": ins, "out_volume": outs, "weighted_degree": ins + outs}


def _disclose_node(G: nx.DiGraph, n, d: dict, suppress_small: bool) -> dict:
    """Node volumes through the disclosure layer: hidden when 1-4 or as complements."""
    if not suppress_small:
        return d
    D = disclosure(G)
    for key, cells in _node_cells(G, n).items():
        if isinstance(d.get(key), int) and d[key] and D.hidden(cells):
            d[key] = SUPPRESSED
    return d


def _disclose_edge(G: nx.DiGraph, u, v, d: dict, suppress_small: bool) -> dict:
    """An edge's period cells and total through the disclosure layer."""
    e = dict(d)
    if not suppress_small:
        return e
    D = disclosure(G)
    cells = edge_cells(u, v, d)
    by_period = dict(e.get("by_period") or {})
    for p, c in by_period.items():
        if c and D.hidden([(u, v, p)]):
            by_period[p] = SUPPRESSED
    if "by_period" in e:
        e["by_period"] = by_period
    if e.get("referrals") and D.hidden(cells):
        e["referrals"] = SUPPRESSED
    acc = e.get("accepted")
    if acc and D.hidden(accepted_cells(G, u, v)):
        e["accepted"] = SUPPRESSED
    # Drawn weight from what is shown: the total, or its parts with a hidden one weighing 5.
    if e.get("referrals") != SUPPRESSED:
        e["_weight"] = _layout_weight(int(e.get("referrals") or 0), True)
    else:
        shown = [x for x in by_period.values() if x] or [SUPPRESSED]
        e["_weight"] = float(sum(x if x != SUPPRESSED else SUPPRESSION_THRESHOLD for x in shown))
    return e


def _node_attrs(G: nx.DiGraph, n, metrics: Mapping) -> dict[str, Any]:
    d = dict(G.nodes[n])
    d.setdefault("label", d.get("name") or str(n))
    district = G.graph.get("districts", {}).get(d.get("district"))
    org = G.graph.get("organisations", {}).get(d.get("organisation"))
    d["district_name"] = district.get("name") if district else None
    d["organisation_name"] = org.get("name") if org else None
    d.update(metrics.get(n, {}))
    return d


def _edge_attrs(d: Mapping, suppress_small: bool) -> dict[str, Any]:
    e = dict(d)
    e["relation"] = _relation(d)
    weight = e.pop("_weight", None)
    if weight is None or not d.get("referrals"):  # suppression off, or a peer link only
        weight = _layout_weight(int(d.get("referrals") or 0), suppress_small)
    e["weight"] = weight
    return e


def _flatten(d: Mapping[str, Any], suppress_small: bool) -> dict[str, Any]:
    """Scalar attributes: lists ';'-joined, dicts one key each, None left out, counts shown."""
    out: dict[str, Any] = {}
    for key, v in d.items():
        v = _plain(v)
        if isinstance(v, Mapping):
            prefix = "referrals" if key == "by_period" else key
            for k, x in v.items():
                name = f"{prefix}_{k}"
                x = _plain(x)
                if x is not None:
                    out[name] = _shown(name, x, suppress_small, as_text=True)
        elif isinstance(v, list | tuple | set | frozenset):
            out[key] = ";".join(str(x) for x in v)
        elif v is not None:
            out[key] = _shown(key, v, suppress_small, as_text=True)
    return out


def _unify(rows: Iterable[dict[str, Any]]) -> None:
    """Give each attribute one type over all rows (GraphML and GEXF declare a type per key)."""
    rows = list(rows)
    types: dict[str, set[type]] = {}
    for r in rows:
        for k, v in r.items():
            types.setdefault(k, set()).add(type(v))
    for k, ts in types.items():
        if len(ts) == 1:
            continue
        to = float if ts <= {int, float} else str
        for r in rows:
            if k in r:
                r[k] = to(r[k])


def _flat_graph(G: nx.DiGraph, metrics: Mapping, suppress_small: bool) -> nx.DiGraph:
    F = nx.DiGraph()
    nodes = {
        n: _flatten(
            _disclose_node(G, n, _node_attrs(G, n, metrics), suppress_small), suppress_small
        )
        for n in G
    }
    edges = {
        (u, v): _flatten(
            _edge_attrs(_disclose_edge(G, u, v, d, suppress_small), suppress_small), suppress_small
        )
        for u, v, d in G.edges(data=True)
    }
    _unify(nodes.values())
    _unify(edges.values())
    F.add_nodes_from(nodes.items())
    F.add_edges_from((u, v, d) for (u, v), d in edges.items())
    F.graph.update(_graph_attrs(G, suppress_small, flat=True))
    return F


def _graph_attrs(G: nx.DiGraph, suppress_small: bool, *, flat: bool) -> dict[str, Any]:
    periods, all_periods = list(G.graph.get("periods", [])), list(G.graph.get("all_periods", []))
    attrs: dict[str, Any] = {
        "periods": ";".join(periods) if flat else periods,
        "all_periods": ";".join(all_periods) if flat else all_periods,
        "small_counts": "suppressed: counts of 1-4 are shown as *" if suppress_small else "shown",
        # The same numbers, under the same words, as summary, the views and the report.
        **shown_total(
            (shown_counts(G) if suppress_small else link_counts(G)).as_dict(),
            suppress=suppress_small,
        ),
        "definitions": glossary() if flat else dict(DEFINITIONS),
    }
    if suppress_small:
        block = disclosure(G).as_dict()
        if flat:
            attrs["secondary_suppressed"] = block["secondary_hidden"]
        else:
            attrs["disclosure"] = block
    if not flat:
        attrs["districts"] = G.graph.get("districts", {})
        attrs["organisations"] = G.graph.get("organisations", {})
        attrs["borders"] = sorted(sorted(pair) for pair in G.graph.get("borders", ()))
    return attrs


# --------------------------------------------------------------------------- writers


def _csv_text(rows: list[dict[str, Any]], first: list[str]) -> str:
    columns = list(first)
    for r in rows:
        columns += [k for k in r if k not in columns]
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_csv_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v) if isinstance(v, float) else str(v)
    return neutralise(str(v))


def _write_csv(F: nx.DiGraph, path: Path) -> Path:
    nodes = [{"id": str(n), **d} for n, d in F.nodes(data=True)]
    edges = [{"source": str(u), "target": str(v), **d} for u, v, d in F.edges(data=True)]
    files = {
        "nodes.csv": _csv_text(nodes, ["id", "label"]),
        "edges.csv": _csv_text(edges, ["source", "target", "weight"]),
    }
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in files.items():
                z.writestr(name, text)
        return path
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} is a file: give a folder or a .zip for CSV")
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def _structured(v: Any, key: str, suppress_small: bool) -> Any:
    v = _plain(v)
    if isinstance(v, Mapping):
        prefix = "referrals" if key == "by_period" else key
        return {k: _structured(x, f"{prefix}_{k}", suppress_small) for k, x in v.items()}
    if isinstance(v, list | tuple | set | frozenset):
        return [_plain(x) for x in v]
    return _shown(key, v, suppress_small)


def _write_json(G: nx.DiGraph, path: Path, metrics: Mapping, suppress_small: bool) -> Path:
    J = nx.DiGraph()
    for n in G:
        attrs = _disclose_node(G, n, _node_attrs(G, n, metrics), suppress_small)
        J.add_node(n, **{k: _structured(v, k, suppress_small) for k, v in attrs.items()})
    for u, v, d in G.edges(data=True):
        attrs = _edge_attrs(_disclose_edge(G, u, v, d, suppress_small), suppress_small)
        J.add_edge(u, v, **{k: _structured(x, k, suppress_small) for k, x in attrs.items()})
    J.graph.update(_graph_attrs(G, suppress_small, flat=False))
    data = nx.node_link_data(J, edges="links")
    with path.open("w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, allow_nan=False, default=str)
    return path


def export_graph(
    G: nx.DiGraph,
    path: Path,
    format: str,
    *,
    suppress_small: bool = True,
    metrics: Mapping[Hashable, Mapping[str, Any]] | None = None,
) -> Path:
    """Write ``G`` as GraphML, GEXF, CSV (folder or ``.zip``) or node-link JSON.

    Parameters
    ----------
    G : nx.DiGraph
        The graph from :func:`gridvoices.queries.graph.build_graph` (or ``load_graph``).
    path : Path
        The file to write; for CSV a folder (created) or a ``.zip``.
    format : str
        One of :data:`FORMATS`.
    suppress_small : bool
        Write counts of 1-4 as ``*`` (the module docstring says how, per format).
    metrics : mapping of node -> {name: value}, optional
        Extra node attributes, e.g. :func:`node_metrics` ``(G)``.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> G = nx.DiGraph(); G.add_edge("a", "b", referrals=3, by_period={"2024-Q1": 3})
    >>> p = export_graph(G, Path(tempfile.mkdtemp()) / "g.graphml", "graphml")
    >>> nx.read_graphml(p).edges["a", "b"]["referrals_2024-Q1"]
    '*'
    """
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}: one of {', '.join(FORMATS)}")
    path = Path(path)
    metrics = metrics or {}
    if path.parent != path:
        path.parent.mkdir(parents=True, exist_ok=True)
    if format == "json":
        return _write_json(G, path, metrics, suppress_small)
    F = _flat_graph(G, metrics, suppress_small)
    if format == "csv":
        return _write_csv(F, path)
    if format == "graphml":
        nx.write_graphml(F, path)
    else:
        _write_gexf(F, path)
    return path


def _write_gexf(F: nx.DiGraph, path: Path) -> None:
    from xml.etree.ElementTree import SubElement

    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter()
    # GEXF has no graph attributes; its <meta> description says what the file holds.
    periods = F.graph["periods"].replace(";", ", ") or "none"
    small = F.graph["small_counts"]
    counts = ", ".join(f"{F.graph[KEYS[w]]} {w}" for w in (REFERRALS, REFERRAL_LINKS, PEER_LINKS))
    text = (
        f"GRID Voices ecosystem network. Periods: {periods}. Small counts: {small}. "
        f"{counts}; {F.graph['definitions']}"
    )
    SubElement(writer.xml.find("meta"), "description").text = text
    writer.add_graph(F)
    writer.write(path)
