"""The mapping as a sheet a partner can check and correct (``gridvoices mapping review``).

One row per directory service: its domain, score and the rule that decided,
the districts it was placed in, and two empty columns, ``domain_override`` and
``districts_override``. The partner fills those where the rules are wrong and
saves the sheet as ``gridvoices-overrides.csv`` beside the data (or names it
as ``overrides`` in ``gridvoices-mapping.json``); the next import applies it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from gridvoices.loaders.hsds import read_directory
from gridvoices.loaders.hsds_tables import Placer
from gridvoices.loaders.mapping_domains import clean_text

__all__ = ["review_rows", "write_review", "COLUMNS"]

COLUMNS = (
    "service_id",
    "name",
    "organisation",
    "domain",
    "score",
    "rule",
    "districts",
    "domain_override",
    "districts_override",
    "description",
)


def review_rows(paths: list[Path]) -> list[dict[str, str]]:
    """Every service of the directory at ``paths`` with its domain, place and why."""
    d, m, _ = read_directory(paths)
    placer = Placer(d, m)
    rows = []
    for svc in d.services.values():
        dec = m.domains.decide(svc.terms, svc.name, svc.description)
        dom, dis = m.overrides.get(svc.id, ("", ()))
        org = d.orgs.get(svc.org_id)
        rows.append(
            {
                "service_id": svc.id,
                "name": svc.name,
                "organisation": org.name if org else svc.org_id,
                "domain": dec.domain if dec else "wraparound",
                "score": str(dec.score) if dec else "0",
                "rule": dec.rule if dec else "no rule matched: kept as wraparound",
                "districts": ";".join(placer.service(svc, [])),
                "domain_override": dom,
                "districts_override": ";".join(dis),
                "description": clean_text(svc.description)[:300],
            }
        )
    return rows


def write_review(paths: list[Path], out: Path) -> int:
    """Write the review sheet (CSV, or .xlsx by suffix); the number of services."""
    rows = review_rows(paths)
    out = Path(out)
    if out.suffix.lower() == ".xlsx":
        import pandas as pd

        pd.DataFrame(rows, columns=list(COLUMNS)).to_excel(out, index=False)
        return len(rows)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(COLUMNS))
        w.writeheader()
        w.writerows(rows)
    return len(rows)
