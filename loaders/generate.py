"""Seeded synthetic ecosystems in the partner CSV format (tests, benchmarks, demos of scale).

Districts sit on a ring with a few chords as borders; organisations have a
heavy-tailed number of services; referrals mostly stay inside a district or
cross a border. The same arguments always give the same files.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
from gridvoices.ecosystem import vocab

__all__ = ["generate_tables", "write_ecosystem"]


def generate_tables(
    n_services: int = 50,
    n_flows: int = 300,
    *,
    n_districts: int | None = None,
    n_periods: int = 4,
    seed: int | None = 0,
) -> dict[str, pd.DataFrame]:
    """Partner tables (strings, as a partner would write them) for a random ecosystem.

    Examples
    --------
    >>> t = generate_tables(20, 50, seed=1)
    >>> sorted(t)[:3], len(t["services"])
    (['districts', 'groups', 'navigators'], 20)
    """
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    nd = n_districts or max(3, min(300, n_services // 15))
    dist_ids = [f"E0{7000000 + i:07d}" for i in range(nd)]
    borders = {d: set() for d in dist_ids}
    for i, d in enumerate(dist_ids):
        borders[d].add(dist_ids[(i + 1) % nd])
    for _ in range(nd // 4):
        a, b = rng.sample(dist_ids, 2)
        borders[a].add(b)
    districts = pd.DataFrame(
        {
            "id": dist_ids,
            "name": [f"District {i}" for i in range(nd)],
            "borders": [";".join(sorted(borders[d] - {d})) for d in dist_ids],
        }
    )
    n_orgs = max(2, n_services // 4)
    org_ids = [f"org-{i}" for i in range(n_orgs)]
    kinds = list(vocab.ORG_KINDS)
    orgs = pd.DataFrame(
        {
            "id": org_ids,
            "name": [f"Organisation {i}" for i in range(n_orgs)],
            "kind": [rng.choice(kinds) for _ in org_ids],
            "commissioned": [rng.choice(["yes", "no"]) for _ in org_ids],
        }
    )
    # Heavy tail: a few organisations run many services.
    weights = nprng.pareto(1.5, n_orgs) + 1
    owner = nprng.choice(n_orgs, size=n_services, p=weights / weights.sum())
    home = [rng.randrange(nd) for _ in range(n_services)]
    domains, chime = list(vocab.DOMAINS), list(vocab.CHIME)
    svc_ids = [f"svc-{i}" for i in range(n_services)]
    services = pd.DataFrame(
        {
            "id": svc_ids,
            "name": [f"Service {i}" for i in range(n_services)],
            "organisation": [org_ids[o] for o in owner],
            "districts": [dist_ids[h] for h in home],
            "domain": [rng.choice(domains) for _ in svc_ids],
            "chime": [";".join(rng.sample(chime, rng.randint(0, 3))) for _ in svc_ids],
            "lived_experience_led": [rng.choice(["yes", "no", "no"]) for _ in svc_ids],
            "active": [("no" if rng.random() < 0.05 else "yes") for _ in svc_ids],
        }
    )
    n_groups = max(1, n_services // 3)
    grp_ids = [f"grp-{i}" for i in range(n_groups)]
    fell = list(vocab.FELLOWSHIPS)
    groups = pd.DataFrame(
        {
            "id": grp_ids,
            "name": [f"Group {i}" for i in range(n_groups)],
            "fellowship": [rng.choices(fell, weights=[8, 2, 1, 2, 1, 1])[0] for _ in grp_ids],
            "district": [rng.choice(dist_ids) for _ in grp_ids],
            "cadence": [rng.choice(list(vocab.CADENCES)) for _ in grp_ids],
        }
    )
    n_nav = max(1, n_services // 5)
    nav_ids = [f"nav-{i}" for i in range(n_nav)]
    navigators = pd.DataFrame(
        {
            "id": nav_ids,
            "role": [rng.choice(list(vocab.NAVIGATOR_ROLES)) for _ in nav_ids],
            "lived_experience": [rng.choice(["yes", "no"]) for _ in nav_ids],
            "based_at": [rng.choice(svc_ids) for _ in nav_ids],
        }
    )
    ends = svc_ids + grp_ids
    end_district = [dist_ids[h] for h in home] + list(groups["district"])
    by_district: dict[str, list[int]] = {}
    for i, d in enumerate(end_district):
        by_district.setdefault(d, []).append(i)
    periods = [f"{2024 + q // 4}-Q{q % 4 + 1}" for q in range(n_periods)]
    seen: set[tuple[int, int, str]] = set()
    rows = []
    attempts = 0
    while len(rows) < n_flows and attempts < n_flows * 20:
        attempts += 1
        a = rng.randrange(len(ends))
        r = rng.random()
        da = end_district[a]
        if r < 0.7:
            pool = by_district[da]
        elif r < 0.95:
            nbrs = [d for d in sorted(borders[da]) if d in by_district] or [da]
            pool = by_district[rng.choice(nbrs)]
        else:
            pool = range(len(ends))
        b = rng.choice(list(pool)) if not isinstance(pool, range) else rng.randrange(len(ends))
        p = rng.choice(periods)
        if a == b or (a, b, p) in seen:
            continue
        seen.add((a, b, p))
        count = int(nprng.geometric(0.15)) - (1 if rng.random() < 0.05 else 0)
        acc = "" if rng.random() < 0.3 else str(rng.randint(0, count))
        rows.append((ends[a], ends[b], p, str(count), acc))
    referrals = pd.DataFrame(rows, columns=["source", "target", "period", "count", "accepted"])
    peer = set()
    for _ in range(n_nav + n_groups):
        src = rng.choice(nav_ids + grp_ids)
        dst = rng.choice(ends)
        if src != dst:
            peer.add((src, dst, rng.choice(list(vocab.PEER_LINK_KINDS))))
    peer_links = pd.DataFrame(sorted(peer), columns=["source", "target", "kind"])
    peer_links["strength"] = [f"{rng.random():.2f}" if rng.random() < 0.7 else "" for _ in peer]
    return {
        "districts": districts,
        "organisations": orgs,
        "services": services,
        "groups": groups,
        "navigators": navigators,
        "referrals": referrals,
        "peer_links": peer_links,
    }


def write_ecosystem(directory: Path, *args, planted: bool = False, **kwargs) -> Path:
    """Write :func:`generate_tables` as partner CSV files in ``directory``.

    With ``planted``, the structures of :func:`gridvoices.loaders.plant.plant` are planted and
    described in ``planted.json`` beside the files.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tables = generate_tables(*args, **kwargs)
    if planted:
        from gridvoices.loaders.plant import plant

        tables, what = plant(tables)
        (directory / "planted.json").write_text(json.dumps(what, indent=2))
    for name, df in tables.items():
        df.to_csv(directory / f"{name}.csv", index=False)
    return directory
