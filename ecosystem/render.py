"""Turn query results into what people see: referral counts of 1-4 become ``*``."""

from __future__ import annotations

from ecosystem.privacy import suppress as _s

__all__ = ["summary", "paths", "path_line", "span"]

_FLOW_KEYS = ("referrals", "referrals_in", "referrals_out", "accepted")


def _row(row: dict, on: bool) -> dict:
    return {k: (_s(v, enabled=on) if k in _FLOW_KEYS else v) for k, v in row.items()}


def summary(result: dict, *, suppress: bool = True) -> dict:
    """The summary with flow counts suppressed.

    Totals stay exact when large: a county total of 1-4 would itself be starred.
    """
    return {
        "periods": result["periods"],
        "totals": _row(result["totals"], suppress),
        "districts": [_row(r, suppress) for r in result["districts"]],
    }


def paths(result: list[dict], *, suppress: bool = True) -> list[dict]:
    return [{"nodes": p["nodes"], "hops": [_row(h, suppress) for h in p["hops"]]} for p in result]


def path_line(p: dict) -> str:
    """``a -(12)-> b -(*)-> c``"""
    parts = [p["nodes"][0]]
    for h in p["hops"]:
        parts.append(f"-({h['referrals']})-> {h['target']}")
    return " ".join(parts)


def span(G) -> str:
    ps = G.graph.get("periods", [])
    if not ps:
        return "no periods"
    return ps[0] if len(ps) == 1 else f"{ps[0]} to {ps[-1]}"
