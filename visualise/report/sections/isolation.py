"""Report section: isolated services (no flows, cut off, dead ends, single bridges)."""

from __future__ import annotations

from collections import defaultdict

from gridvoices.visualise.report.context import ReportContext, Section, headline, join_words

__all__ = ["ISOLATION"]

# Plain names for the isolation flags (queries.isolation.flags.FLAGS).
_FLAGS = {
    "no_flows": "No referrals in or out",
    "detached": "Cut off from the network",
    "dead_end": "Dead end",
    "source_only": "Refers on, never receives",
    "single_bridge": "Single bridge",
    "bridge_link": "Only link between two parts",
    "no_peer_support": "No peer support nearby",
}


def _isolation(ctx: ReportContext) -> dict:
    rows, parts = [], {}  # one row per detached part, not one per member
    for x in ctx.r["isolation"]:
        name = x["name"] or x["id"]
        if x["flag"] == "detached" and x["why"] in parts:
            parts[x["why"]]["names"].append(name)
            continue
        district = ctx.district(x["district"]) if x["type"] != "link" else ""
        row = {**x, "label": _FLAGS.get(x["flag"], x["flag"]), "names": [name], "where": district}
        parts.update({x["why"]: row} if x["flag"] == "detached" else {})
        rows.append(row)
    return {"rows": rows}


def _isolation_h(ctx: ReportContext) -> list[dict]:
    rows, out, detached = ctx.r["isolation"], [], defaultdict(list)
    cut = {x["id"]: set(x.get("cut_off") or []) for x in rows if x["flag"] == "single_bridge"}
    # The far end of a bridge is a cut point too: name only the one that cuts off more.
    inner = {a for a in cut for b in cut if a != b and a in cut[b] and cut[a] <= cut[b]}
    for x in rows:
        name, n = x["name"] or x["id"], len(cut.get(x["id"], ()))
        text = {
            "no_flows": f"{name} sends and receives no referrals",
            "dead_end": f"{name} receives referrals but never refers anyone on",
            "single_bridge": f"{name} is the only referral link between {n} services and groups "
            "and the rest of the network",
        }.get(x["flag"])
        if x["flag"] == "detached":
            detached[x["why"]].append(x)
        elif text and x["id"] not in inner:
            out.append(headline(_FLAGS[x["flag"]], text, x["why"]))
    for why, members in detached.items():
        where = join_words(sorted({ctx.district(m["district"]) for m in members}))
        text = f"{len(members)} services and groups in {where} have no referral link to the rest"
        out.append(headline("Cut off", text, why))
    return out


ISOLATION = Section("isolation", "Isolated services", _isolation, _isolation_h)
