"""Over time: what changed between two periods (or ranges of periods), named by direction."""

from __future__ import annotations

import networkx as nx
from gridvoices.ecosystem.privacy import SUPPRESSED, is_suppressed
from gridvoices.ecosystem.vocab import COMMUNITY_DOMAINS
from gridvoices.queries.barriers.forms import barriers
from gridvoices.queries.coverage import coverage
from gridvoices.queries.isolation.flags import FLAGS, isolation

__all__ = ["compare", "CHANGES", "FLAG_STATES"]

#: every change is named by its direction; "not comparable" when both sides are hidden
CHANGES = ("better", "worse", "new", "gone", "not comparable")
#: isolation flag -> the state it names (flags in FLAGS order: most severe first)
FLAG_STATES = {
    "no_flows": "no referrals at all",
    "detached": "detached",
    "dead_end": "dead end",
    "source_only": "refers on, receives none",
    "single_bridge": "single bridge",
    "bridge_link": "only link between two parts",
    "no_peer_support": "no peer support nearby",
}
_NOT_FLAGGED = "not flagged"


def compare(before: nx.DiGraph, after: nx.DiGraph, **barrier_options) -> dict:
    """What changed from ``before`` to ``after``, each change named by its direction.

    ``before`` and ``after`` are the same ecosystem built for two periods
    (``build_graph(tables, periods)``). Every row has ``change`` (one of
    :data:`CHANGES`), ``before`` and ``after`` (``{"state": ...}`` plus the
    numbers behind it) and ``why`` ("state before -> state after"):

    * ``borders``: a border that stopped being a barrier is better, one that
      became a barrier worse; when the referrals across it are hidden (1-4)
      both before and after, the change is "not comparable" and neither state
      is given.
    * ``isolation``: one row per service, group or link whose flags changed;
      worse when its most severe flag (in ``FLAGS`` order) is more severe after
      (or, equally severe, it has more flags), better otherwise; a link that
      carried no referrals before is new, one that carries none after is gone.
    * ``coverage``: a district's domain gained is better, lost worse.

    Coverage counts a closed service in the periods where it still had
    referral flows.

    Examples
    --------
    >>> G1 = nx.DiGraph(periods=["2024-Q1"], districts={}, borders=set(), organisations={})
    >>> G2 = nx.DiGraph(periods=["2024-Q2"], districts={}, borders=set(), organisations={})
    >>> compare(G1, G2)["isolation"]
    []
    """
    return {
        "before": list(before.graph.get("periods", [])),
        "after": list(after.graph.get("periods", [])),
        "borders": _borders(before, after, barrier_options),
        "isolation": _isolation(before, after),
        "coverage": _coverage(before, after),
    }


def _border_state(r: dict, hidden: bool) -> dict:
    state = {
        "state": "barrier" if r["barrier"] else "open",
        "observed": r["observed"],
        "permeability": r["permeability"],
    }
    # Marked for visualise.render.shown: the flow (and its permeability) shown as *.
    return {**state, "_hidden": ["observed"]} if hidden and r["observed"] else state


def _hidden_flow(G: nx.DiGraph, r: dict) -> bool:
    """Whether a border's flow is hidden: by the disclosure layer (1-4 or a complement)."""
    if not is_suppressed(1):
        return False
    from gridvoices.queries.disclosure import cell_groups, layer

    cells = cell_groups(G).get(("border", *sorted((r["a"], r["b"]))), [])
    return bool(r["observed"]) and layer(G).hidden(cells)


def _borders(before, after, options) -> list[dict]:
    was = {(r["a"], r["b"]): r for r in barriers(before, **options)["borders"]}
    rows = []
    for r in barriers(after, **options)["borders"]:
        old = was.get((r["a"], r["b"]))
        if old is None or old["barrier"] == r["barrier"]:
            continue
        name = f"{r['a_name']} - {r['b_name']} border"
        hid_b, hid_a = _hidden_flow(before, old), _hidden_flow(after, r)

        def n(x, hidden):
            return SUPPRESSED if hidden else str(x)

        if hid_b and hid_a:
            # Both sides hidden: which way it moved would say something about the hidden counts.
            b = {"state": SUPPRESSED, "observed": old["observed"], "_hidden": ["observed"]}
            a = {"state": SUPPRESSED, "observed": r["observed"], "_hidden": ["observed"]}
            change = "not comparable"
            why = (
                f"{name}: {n(old['observed'], hid_b)} referrals crossed before and "
                f"{n(r['observed'], hid_a)} after; both hidden, so the change cannot be judged"
            )
        else:
            b, a = _border_state(old, hid_b), _border_state(r, hid_a)
            change = "worse" if r["barrier"] else "better"
            why = (
                f"{name}: {b['state']} -> {a['state']}: "
                f"{n(old['observed'], hid_b)} referrals crossed before "
                f"(permeability {n(old['permeability'], hid_b)}), "
                f"{n(r['observed'], hid_a)} after "
                f"(permeability {n(r['permeability'], hid_a)})"
            )
        rows.append({"a": r["a"], "b": r["b"], "change": change, "before": b, "after": a,
                     "why": why})  # fmt: skip
    return rows


def _flag_state(flags: list[str]) -> str:
    return "; ".join(FLAG_STATES.get(f, f) for f in flags) or _NOT_FLAGGED


def _severity(flags: list[str]) -> tuple:
    """Higher is worse: the most severe flag first, then how many."""
    worst = min((FLAGS.index(f) for f in flags), default=len(FLAGS))
    return (len(FLAGS) - worst, len(flags))


def _exists(G: nx.DiGraph, item) -> bool:
    if G.has_node(item):
        return True
    u, sep, v = str(item).partition("--")
    return bool(sep) and (
        (G.has_edge(u, v) and G.edges[u, v].get("referrals", 0) > 0)
        or (G.has_edge(v, u) and G.edges[v, u].get("referrals", 0) > 0)
    )


def _isolation(before, after) -> list[dict]:
    rows1, rows2 = isolation(before), isolation(after)
    f1: dict = {}
    f2: dict = {}
    names: dict = {}
    for rows, flags in ((rows1, f1), (rows2, f2)):
        for r in rows:
            flags.setdefault(r["id"], []).append(r["flag"])
            names[r["id"]] = r["name"]
    out = []
    for i in sorted(set(f1) | set(f2), key=str):
        x, y = sorted(f1.get(i, []), key=FLAGS.index), sorted(f2.get(i, []), key=FLAGS.index)
        if x == y:
            continue
        was, now = _exists(before, i), _exists(after, i)
        if not was and now:
            change = "new"
        elif was and not now:
            change = "gone"
        else:
            change = "worse" if _severity(y) > _severity(x) else "better"
        b = {"state": _flag_state(x) if was else "absent", "flags": x}
        a = {"state": _flag_state(y) if now else "absent", "flags": y}
        out.append(
            {
                "id": i,
                "name": names[i],
                "change": change,
                "before": b,
                "after": a,
                "why": f"{i}: {b['state']} -> {a['state']}",
            }
        )
    return out


def _coverage(before, after) -> list[dict]:
    c1 = {r["district"]: r for r in coverage(before, inactive_with_flows=True)["districts"]}
    c2 = {r["district"]: r for r in coverage(after, inactive_with_flows=True)["districts"]}
    cov = []
    for d in sorted(set(c1) & set(c2)):
        for dom in COMMUNITY_DOMAINS:
            x, y = c1[d][dom], c2[d][dom]
            if (x > 0) != (y > 0):
                b = {"state": "covered" if x else "not covered", "services_and_groups": x}
                a = {"state": "covered" if y else "not covered", "services_and_groups": y}
                cov.append(
                    {
                        "district": d,
                        "name": c2[d]["name"],
                        "domain": dom,
                        "change": "better" if y else "worse",
                        "before": b,
                        "after": a,
                        "why": f"{c2[d]['name']}, {COMMUNITY_DOMAINS[dom]}: {b['state']} -> "
                        f"{a['state']} ({x} -> {y} services/groups operating; a service "
                        "now inactive counts in the periods it still had referrals)",
                    }
                )
    return cov
