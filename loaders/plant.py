"""Plant known structures into a generated ecosystem, so a run at any size checks its answers.

:func:`plant` edits the partner tables of :func:`gridvoices.loaders.generate.generate_tables`:

* a **closed border**: the first district exchanges no referral with any other district;
* an **isolated service**: the last active service has no referral and no peer link;
* a **single bridge**: a cluster of four new services reaches the rest only through
  ``svc-bridge``, which exchanges referrals with one existing service;
* a **missing domain**: the second district has no volunteering service.

It returns the tables and what was planted, which ``gridvoices generate`` writes to
``planted.json`` and the benchmarks and tests check the analyses against.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["plant", "check_planted"]


def plant(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], dict]:
    """Plant the four structures; return new tables and a description of each.

    Examples
    --------
    >>> from gridvoices.loaders.generate import generate_tables
    >>> t, planted = plant(generate_tables(60, 400, seed=1))
    >>> sorted(planted)
    ['bridge', 'closed_district', 'isolated', 'missing_domain']
    """
    t = {k: v.copy() for k, v in tables.items()}
    svc, grp, ref = t["services"], t["groups"], t["referrals"]
    where = dict(zip(svc["id"], svc["districts"], strict=True))
    where.update(zip(grp["id"], grp["district"], strict=True))
    districts = list(t["districts"]["id"])
    closed, lacking = districts[0], districts[1 % len(districts)]

    # Closed border: drop every flow row with exactly one end in the closed district.
    src_in = ref["source"].map(where) == closed
    dst_in = ref["target"].map(where) == closed
    ref = ref[src_in == dst_in]

    # Isolated service: the last active one outside the planted districts.
    active = svc[(svc["active"] == "yes") & ~svc["districts"].isin([closed, lacking])]
    isolated = active["id"].iloc[-1]
    ref = ref[(ref["source"] != isolated) & (ref["target"] != isolated)]
    peer = t["peer_links"]
    t["peer_links"] = peer[(peer["source"] != isolated) & (peer["target"] != isolated)]

    # Missing domain: no volunteering in the lacking district.
    vol = (svc["districts"] == lacking) & (svc["domain"] == "volunteering")
    svc.loc[vol, "domain"] = "wraparound"

    # Single bridge: four new services behind svc-bridge, hung off one existing service.
    anchor = active["id"].iloc[0]
    home = where[anchor]
    org = svc.loc[svc["id"] == anchor, "organisation"].iloc[0]
    cluster = [f"svc-cluster-{i}" for i in range(4)]
    new = pd.DataFrame(
        {
            "id": ["svc-bridge", *cluster],
            "name": ["Bridge service", *[f"Cluster service {i}" for i in range(4)]],
            "organisation": org,
            "districts": home,
            "domain": "recovery_coaching",
            "chime": "",
            "lived_experience_led": "no",
            "active": "yes",
        }
    )
    t["services"] = pd.concat([svc, new], ignore_index=True)
    period = ref["period"].iloc[0] if len(ref) else "2024-Q1"
    links = [(anchor, "svc-bridge"), ("svc-bridge", anchor)]
    links += [("svc-bridge", c) for c in cluster] + list(zip(cluster, cluster[1:], strict=False))
    extra = pd.DataFrame(
        [(a, b, period, "8", "") for a, b in links],
        columns=["source", "target", "period", "count", "accepted"],
    )
    t["referrals"] = pd.concat([ref, extra], ignore_index=True)
    planted = {
        "closed_district": closed,
        "isolated": isolated,
        "bridge": {"node": "svc-bridge", "cut_off": cluster},
        "missing_domain": {"district": lacking, "domain": "volunteering"},
    }
    return t, planted


def check_planted(results: dict, planted: dict) -> list[str]:
    """Which planted structures the analyses (``queries.analyses.run_all``) did not find."""
    missed = []
    closed = planted["closed_district"]
    shut = [
        b
        for b in results["barriers"]["borders"]
        if closed in (b["a"], b["b"]) and b["expected"] >= 1
    ]
    if not shut or any(b["observed"] != 0 or not b["barrier"] for b in shut):
        missed.append(f"closed border of {closed}")
    flags = {(r["id"], r["flag"]) for r in results["isolation"]}
    if (planted["isolated"], "no_flows") not in flags:
        missed.append(f"isolated service {planted['isolated']}")
    if (planted["bridge"]["node"], "single_bridge") not in flags:
        missed.append("single bridge svc-bridge")
    d, dom = planted["missing_domain"]["district"], planted["missing_domain"]["domain"]
    row = next((r for r in results["coverage"]["districts"] if r["district"] == d), None)
    if row is None or dom not in row["missing"]:
        missed.append(f"missing {dom} in {d}")
    return missed
