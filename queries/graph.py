"""Build the NetworkX projection of an ecosystem from typed tables (either store).

Nodes are the places people move between: services, mutual-aid groups and
navigators. Organisations and districts are looked up through ``G.graph``.

Node attributes: ``type`` (Service, Group, Navigator), ``name``, ``district``
(first district or None), ``districts`` (list), ``organisation``, ``org_kind``,
``domain``, ``chime``, ``lived_experience_led``, ``active`` (services);
``fellowship``, ``cadence`` (groups); ``role``, ``lived_experience``,
``based_at`` (navigators).

Edge attributes: ``referrals`` (sum of referral counts over the chosen
periods, 0 when none), ``accepted`` (sum of known accepted counts or None),
``by_period`` (period -> count), ``peer_kind`` and ``strength`` (peer links).
A referral row with count 0 is kept in the store but adds no edge: it records
that no one was referred.

Graph attributes: ``districts`` (id -> {name, borders}), ``borders`` (set of
frozenset pairs), ``organisations`` (id -> {name, kind, commissioned}),
``periods`` (the periods chosen, sorted), ``all_periods``, ``feedback`` (the
feedback records of the chosen periods, as dicts with the feedback columns).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from gridvoices.ecosystem.periods import select_periods
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.queries.graph_records import add_nodes, add_peer_links, lookups, referral_edges

if TYPE_CHECKING:
    # Loaded where a DataFrame is handled: graph_sql reads the embedded store without pandas.
    import pandas as pd

__all__ = ["ReferralArrays", "build_graph", "referral_arrays", "referral_graph", "select_periods"]

_REFERRAL_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ARRAYS_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _records(df: pd.DataFrame) -> list[dict]:
    df = df.astype(object).where(df.notna(), None)
    return df.to_dict("records")


def _flow_rows(sel: pd.DataFrame):
    """``(source, target, period, count, accepted)`` rows of referral rows, plain Python values."""
    # Plain lists rather than per-row dicts: at a million rows the row records alone
    # took longer than everything else in the build.
    acc = sel["accepted"]
    accepted = [
        a if k else None
        for k, a in zip(acc.notna().tolist(), acc.fillna(0).astype("int64").tolist(), strict=True)
    ]
    return zip(
        sel["source"].tolist(),
        sel["target"].tolist(),
        sel["period"].tolist(),
        sel["count"].astype("int64").tolist(),
        accepted,
        strict=True,
    )


def build_graph(
    tables: dict[str, pd.DataFrame], periods: Iterable[str] | None = None
) -> nx.DiGraph:
    """Project typed tables to a directed graph of services, groups and navigators.

    Parameters
    ----------
    tables : dict of DataFrames
        Typed tables as returned by validation or ``store.read()``.
    periods : iterable of str, optional
        Referral periods to include (default: all).

    Examples
    --------
    >>> import pandas as pd
    >>> from gridvoices.ecosystem.schema import ENTITIES
    >>> t = {n: pd.DataFrame(columns=e.column_names) for n, e in ENTITIES.items()}
    >>> build_graph(t).number_of_nodes()
    0
    """
    import pandas as pd

    G = nx.DiGraph()
    empty = pd.DataFrame()
    # Node and edge order follow the keys, not the file or store order, so every
    # order-sensitive step (seeded simulations, tie-breaks) gives one answer for one
    # ecosystem however it was loaded.
    tables = {
        name: df.sort_values(list(ENTITIES[name].key), kind="stable") if len(df) else df
        for name, df in tables.items()
        if name in ENTITIES
    }
    districts, borders, orgs = lookups(
        _records(tables.get("districts", empty)), _records(tables.get("organisations", empty))
    )
    refs = tables.get("referrals", empty)
    fb = tables.get("feedback", empty)
    all_periods = sorted(
        (set(refs["period"]) if len(refs) else set()) | (set(fb["period"]) if len(fb) else set())
    )
    chosen = select_periods(all_periods, periods)
    G.graph.update(
        districts=districts,
        borders=borders,
        organisations=orgs,
        periods=chosen,
        all_periods=all_periods,
    )
    if chosen != all_periods:
        # Outputs about some periods are protected with all of them (queries.disclosure), so
        # one period's answer and the all-periods answer never give each other away.
        G.graph["disclosure_source"] = partial(build_graph, tables)
    add_nodes(
        G,
        _records(tables.get("services", empty)),
        _records(tables.get("groups", empty)),
        _records(tables.get("navigators", empty)),
        orgs,
    )
    if len(refs) and chosen:
        sel = refs[refs["period"].isin(chosen) & (refs["count"] > 0)]
        # Accepted counts per period, beside the edges (not an edge attribute, so no export
        # lists them): the disclosure layer protects each period's and their sums.
        G.add_edges_from(referral_edges(_flow_rows(sel), G.graph.setdefault("accepted_cells", {})))
    if len(fb) and periods is not None:
        fb = fb[fb["period"].isin(set(periods))]
    G.graph["feedback"] = _records(fb) if len(fb) else []
    add_peer_links(G, _records(tables.get("peer_links", empty)))
    return G


def referral_graph(G: nx.DiGraph) -> nx.DiGraph:
    """A copy of ``G`` with only services and groups and only edges that carried referrals.

    A materialised copy rather than a filtered view: analyses walk it many
    times, and a view re-runs its filters on every step.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", type="Service"); G.add_node("n", type="Navigator")
    >>> G.add_edge("n", "a", referrals=0)
    >>> list(referral_graph(G).edges), list(referral_graph(G))
    ([], ['a'])
    """
    key = (G.number_of_nodes(), G.number_of_edges())
    cached = _REFERRAL_CACHE.get(G)
    if cached is not None and cached[0] == key:
        return cached[1]
    R = nx.DiGraph()
    R.graph.update(G.graph)
    # In G's order (a set would order nodes by string hash, which changes per process).
    ordered = [n for n, t in G.nodes(data="type") if t in ("Service", "Group")]
    keep = set(ordered)
    # Filled through the adjacency dicts NetworkX keeps (the ones its own subclasses
    # customise): add_edges_from checks and re-creates every one of a million edges and
    # took three times as long. Node and edge attribute dicts are G's own, not copies:
    # R is frozen and read-only by contract, and a copy of each would cost seconds.
    succ, pred = G._succ, G._pred
    R._node.update((n, G._node[n]) for n in ordered)
    R._succ.update(
        (u, {v: d for v, d in succ[u].items() if v in keep and d.get("referrals", 0) > 0})
        for u in ordered
    )
    R._pred.update(
        (v, {u: d for u, d in pred[v].items() if u in keep and d.get("referrals", 0) > 0})
        for v in ordered
    )
    R = nx.freeze(R)
    _REFERRAL_CACHE[G] = (key, R)
    return R


@dataclass(frozen=True)
class ReferralArrays:
    """The referral projection as arrays: ``nodes`` (its order), ``src``/``dst`` (positions
    in ``nodes``) and ``referrals`` per edge, in the projection's edge order."""

    nodes: list
    src: np.ndarray
    dst: np.ndarray
    referrals: np.ndarray

    def codes(self, values: list) -> tuple[np.ndarray, np.ndarray]:
        """Integer codes of one value per node (-1 for None or NaN) and the distinct values,
        numbered in order of first appearance (as ``pandas.factorize`` numbers them).

        >>> A = ReferralArrays([], np.array([]), np.array([]), np.array([]))
        >>> codes, uniques = A.codes(["b", None, "a", "b"])
        >>> codes.tolist(), uniques.tolist()
        ([0, -1, 1, 0], ['b', 'a'])
        """
        # A dict rather than pandas.factorize: a county's question need not load pandas.
        index: dict = {}
        codes = np.fromiter(
            (-1 if v is None or v != v else index.setdefault(v, len(index)) for v in values),
            dtype=np.intp,
            count=len(values),
        )
        uniques = np.empty(len(index), dtype=object)
        for i, v in enumerate(index):  # one by one: a tuple value stays one element
            uniques[i] = v
        return codes, uniques


def referral_arrays(G: nx.DiGraph) -> ReferralArrays:
    """:func:`referral_graph` of ``G`` as arrays, cached like it (for whole-graph sums).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, type="Service")
    >>> G.add_edge("a", "b", referrals=3); G.add_edge("b", "c", referrals=0)
    >>> A = referral_arrays(G)
    >>> A.nodes, A.src.tolist(), A.dst.tolist(), A.referrals.tolist()
    (['a', 'b', 'c'], [0], [1], [3])
    """
    R = referral_graph(G)
    cached = _ARRAYS_CACHE.get(R)
    if cached is not None:
        return cached
    nodes = list(R)
    index = {n: i for i, n in enumerate(nodes)}
    succ = R._succ
    degree = np.fromiter((len(succ[u]) for u in nodes), dtype=np.int64, count=len(nodes))
    m = int(degree.sum())
    src = np.repeat(np.arange(len(nodes), dtype=np.int64), degree)
    dst = np.fromiter((index[v] for u in nodes for v in succ[u]), dtype=np.int64, count=m)
    flows = np.fromiter(
        (d["referrals"] for u in nodes for d in succ[u].values()), dtype=np.int64, count=m
    )
    out = ReferralArrays(nodes, src, dst, flows)
    _ARRAYS_CACHE[R] = out
    return out
