"""Report section: barriers between districts (permeability, the district matrix, the
permutation tests when they were run)."""

from __future__ import annotations

from collections import defaultdict

from gridvoices.ecosystem.privacy import SUPPRESSED
from gridvoices.visualise.report import charts
from gridvoices.visualise.report.context import ReportContext, Section, headline

__all__ = ["BARRIERS"]


def _matrix(ctx: ReportContext) -> dict:
    """District x district referrals with permeability (observed / expected) per direction."""
    raw = ctx.raw["barriers"]
    codes = sorted(ctx.G.graph.get("districts", {}))
    obs = {(f["source"], f["target"]): f["referrals"] for f in raw["district_matrix"]}
    # As the disclosure layer shows them (complements too), not by the 1-4 rule alone.
    shown = {
        (f["source"], f["target"]): f["referrals"] for f in ctx.r["barriers"]["district_matrix"]
    }
    # Hidden when a margin it is computed from is (gridvoices.queries.disclosure_expected).
    secret_e = {
        (f["source"], f["target"])
        for f in ctx.r["barriers"]["district_matrix"]
        if f.get("expected") == SUPPRESSED
    }
    out_, in_ = defaultdict(int), defaultdict(int)
    for (s, t), n in obs.items():
        out_[s], in_[t] = out_[s] + n, in_[t] + n
    total = sum(obs.values())
    status = {
        frozenset((x["a"], x["b"])): (
            "felt" if x["felt"] else "barrier" if x["barrier"] else "border"
        )
        for x in raw["borders"]
    }
    rows = []
    for s in codes:
        cells = []
        for t in codes:
            n, e = obs.get((s, t), 0), out_[s] * in_[t] / total if total else 0.0
            v = shown.get((s, t), n) if ctx.suppress else n
            hide = v == SUPPRESSED or (ctx.suppress and (s, t) in secret_e)
            perm = None if e <= 0 or n == 0 else SUPPRESSED if hide else round(n / e, 2)
            kind = "self" if s == t else status.get(frozenset((s, t)), "")
            cells.append({"n": v, "perm": perm, "kind": kind, "to": ctx.district(t)})
        rows.append({"name": ctx.district(s), "cells": cells})
    return {"names": [ctx.district(c) for c in codes], "rows": rows}


def _barriers(ctx: ReportContext) -> dict:
    b = ctx.r["barriers"]
    return {
        "perm_chart": charts.permeability_chart(b["borders"]) if b["borders"] else None,
        "flows_chart": charts.flows_chart(b["inward"]) if b["inward"] else None,
        "matrix": _matrix(ctx),
        "borders": b["borders"],
        "inward": [x for x in b["inward"] if x["inward_looking"]],
        "silos": b["silos"],
        "never": b["kinds_never"][:5],
        "spanners": b["spanners"][:5],
        "tests": _barrier_tests(ctx),
    }


def _barrier_tests(ctx: ReportContext) -> dict | None:
    """The permutation p-values per bordering pair (``results["barrier_tests"]``), if run."""
    t = ctx.r.get("barrier_tests")
    if not t or not t.get("pairs"):
        return None
    label = {"bh": "Benjamini-Hochberg", "holm": "Holm"}.get(t["correction"], t["correction"])
    sig = [f"{x['a_name']} – {x['b_name']}" for x in t["pairs"] if x["significant"]]
    return {**t, "label": label, "sig": sig}


def _barriers_h(ctx: ReportContext) -> list[dict]:
    b, out = ctx.r["barriers"], []
    for x in (x for x in b["borders"] if x["barrier"]):
        verb = "No referrals cross" if x["observed"] == 0 else "Hardly any referrals cross"
        text = f"{verb} the border between {x['a_name']} and {x['b_name']}"
        if x["felt"]:
            text += ", and people in recovery feel it: they report 'too far' or 'referral refused'"
        out.append(headline("Felt barrier" if x["felt"] else "Border barrier", text, x["why"]))
    for x in (x for x in b["inward"] if x["inward_looking"]):
        text = f"{x['name']} keeps nearly all of its referrals inside the district"
        out.append(headline("Inward-looking", text, x["why"]))
    for x in b["spanners"][:1]:
        if isinstance(x["share"], float) and x["share"] >= 0.3:
            text = (
                f"{x['name']} handles {x['share']:.0%} of the referrals crossing district borders"
            )
            out.append(headline("Single point of failure", text, x["why"]))
    return out


BARRIERS = Section("barriers", "Barriers between districts", _barriers, _barriers_h)
