"""Node columns for the page: one list per attribute, categories as indices.

:func:`node_columns` turns the nodes of :func:`gridvoices.queries.graph.build_graph` into
parallel lists (ids, names, type code, home district index, organisation index,
kind, domain, flags, CHIME bitmask, fellowship or role, cadence, navigator base)
and the lookup tables that give the indices their labels. Unknown codes (hand-made
graphs) get labels of their own rather than failing.
"""

from __future__ import annotations

import networkx as nx
from gridvoices.ecosystem.vocab import (
    CADENCES,
    CHIME,
    DOMAINS,
    FELLOWSHIPS,
    NAVIGATOR_ROLES,
    ORG_KINDS,
)
from gridvoices.visualise.common import TYPES, label, text
from gridvoices.visualise.render import FLOW_KEYS

__all__ = ["Codes", "NO_DISTRICT", "numeric_attributes", "districts", "home", "node_columns"]

NO_DISTRICT = "No district"
# Node attributes that are referral counts (shown by the page's own suppressed volumes) or
# categories, never offered as "size by".
_NOT_METRICS = FLOW_KEYS | {"in_volume", "out_volume", "weighted_degree", "community", "x", "y"}


class Codes:
    """Codes in a fixed vocabulary order first, then unknown ones as they appear."""

    def __init__(self, vocab: dict[str, str]):
        self.vocab = vocab
        self.codes: list = []
        self.index: dict = {}
        for code in vocab:
            self.index[code] = len(self.codes)
            self.codes.append(code)
        self.used: set[int] = set()

    def __call__(self, code) -> int:
        if code is None or code == "":
            return -1
        if code not in self.index:
            self.index[code] = len(self.codes)
            self.codes.append(code)
        i = self.index[code]
        self.used.add(i)
        return i

    def labels(self) -> list[str]:
        return [label(self.vocab, c) for c in self.codes]


def numeric_attributes(G: nx.DiGraph) -> list[str]:
    """Node attributes with numbers (betweenness, pagerank, ...) that can size nodes.

    Referral counts are left out on purpose: the page sizes by its own suppressed volumes.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", pagerank=0.4, active=True, in_volume=3, name="A")
    >>> numeric_attributes(G)
    ['pagerank']
    """
    seen: dict[str, bool] = {}
    for _, d in G.nodes(data=True):
        for key, value in d.items():
            if key in _NOT_METRICS or value is None:
                continue
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            seen[key] = seen.get(key, True) and ok
    return sorted(k for k, ok in seen.items() if ok)


def districts(G: nx.DiGraph, nodes: list) -> tuple[list[str], list[str], dict]:
    """District codes in name order, their names, and code -> index ("" = no district)."""
    graph = G.graph.get("districts") or {}
    codes = set(graph)
    for n in nodes:
        d = G.nodes[n]
        codes.update(text(x) for x in (d.get("districts") or []) if x is not None)
        if d.get("district") is not None:
            codes.add(text(d["district"]))
    names = {c: text((graph.get(c) or {}).get("name")) or c for c in codes}
    ordered = sorted(codes, key=lambda c: (names[c].lower(), c))
    if any(not home(G.nodes[n]) for n in nodes):
        ordered.append("")
        names[""] = NO_DISTRICT
    return ordered, [names[c] for c in ordered], {c: i for i, c in enumerate(ordered)}


def home(d: dict) -> str:
    """A node's home district code: its ``district``, else its first listed one, else ""."""
    if d.get("district") is not None:
        return text(d["district"])
    listed = [text(x) for x in d.get("districts") or [] if x is not None]
    return listed[0] if listed else ""


def node_columns(G: nx.DiGraph, nodes: list, index: dict, didx: dict) -> tuple[dict, dict]:
    """The node columns and lookup tables (see the module docstring)."""
    orgs_graph = G.graph.get("organisations") or {}
    org_codes: dict = {}
    kinds, domains = Codes(ORG_KINDS), Codes(DOMAINS)
    fellowships, roles, cadences = Codes(FELLOWSHIPS), Codes(NAVIGATOR_ROLES), Codes(CADENCES)
    chime_bit = {c: 1 << k for k, c in enumerate(CHIME)}
    names = ("id", "name", "type", "district", "org", "kind", "domain", "flags", "chime", "sub")
    cols: dict = {k: [] for k in (*names, "cadence", "base")}
    more: dict[int, list[int]] = {}
    for i, n in enumerate(nodes):
        d = G.nodes[n]
        kind = d.get("type") if d.get("type") in TYPES else "Service"
        cols["id"].append(text(n))
        cols["name"].append(text(d.get("name")) or text(n))
        cols["type"].append(TYPES.index(kind))
        where = home(d)
        cols["district"].append(didx[where])
        extra = [didx[text(x)] for x in d.get("districts") or [] if x is not None]
        extra = sorted(set(extra) - {didx[where]})
        if extra:
            more[i] = extra
        org = d.get("organisation")
        cols["org"].append(-1 if org is None else org_codes.setdefault(org, len(org_codes)))
        cols["kind"].append(kinds(d.get("org_kind")))
        cols["domain"].append(domains(d.get("domain")))
        cols["flags"].append(
            (1 if d.get("active", True) is not False else 0)
            | (2 if d.get("lived_experience_led") else 0)
        )
        cols["chime"].append(sum(chime_bit.get(c, 0) for c in set(d.get("chime") or [])))
        sub, cadence, base = -1, -1, -1
        if kind == "Group":
            sub, cadence = fellowships(d.get("fellowship")), cadences(d.get("cadence"))
        elif kind == "Navigator":
            sub = roles(d.get("role"))
            base = index.get(d.get("based_at"), -1) if d.get("based_at") is not None else -1
        cols["sub"].append(sub)
        cols["cadence"].append(cadence)
        cols["base"].append(base)
    cols["more"] = more
    org_names = [text((orgs_graph.get(o) or {}).get("name")) or text(o) for o in org_codes]
    lookup = {
        "kinds": kinds.labels(),
        "kind_codes": [text(c) for c in kinds.codes],
        "kinds_used": sorted(kinds.used),
        "domains": domains.labels(),
        "domain_codes": [text(c) for c in domains.codes],
        "domains_used": sorted(domains.used),
        "orgs": org_names,
        "fellowships": fellowships.labels(),
        "roles": roles.labels(),
        "cadences": cadences.labels(),
        "chime": [CHIME[c] for c in CHIME],
    }
    return cols, lookup
