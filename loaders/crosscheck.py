"""Checks across tables: references resolve, ids are unique across entities, and other rules.

A reference into a file that could not be read is not reported row by row: that
file's own error is the one to fix (``unreadable``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.loaders.tables import Distinct, RawTable, emit, spreadsheet_rows

__all__ = ["check_refs", "check_rules"]


def check_refs(
    tables: Mapping[str, RawTable],
    typed: dict[str, pd.DataFrame],
    existing: Mapping[str, set[str]],
    distinct: Mapping[str, Distinct] | None = None,
    unreadable: set[str] = frozenset(),
) -> Iterator[Issue]:
    for name in sorted(unreadable):
        yield Issue(
            ENTITIES[name].filename,
            None,
            None,
            "references-not-checked",
            f"references to {name} in other files were not checked, as the {name} file "
            "could not be read: fix it first",
            "warning",
        )
    ids: dict[str, set[str]] = {name: set(existing.get(name, ())) for name in ENTITIES}
    for name, df in typed.items():
        if "id" in df.columns:
            ids[name] |= set(df["id"].dropna())
    for name, df in typed.items():
        entity, label = ENTITIES[name], tables[name].label
        for col in entity.columns:
            if col.type not in ("ref", "ref_list") or unreadable.intersection(col.refs):
                continue
            pool = set().union(*(ids[r] for r in col.refs))
            series = df[col.name]
            known = (distinct or {}).get(name, {})
            if col.type == "ref" and col.name in known:
                # Each distinct value looked up once (a flow file names each service often).
                codes, values = known[col.name]
                miss = (values.notna() & ~values.isin(pool)).to_numpy(dtype=bool)
                bad = miss[codes]
                vals = np.asarray(values, dtype=object)[codes[bad]]
            elif col.type == "ref":
                bad = series.notna() & ~series.isin(pool)
                vals = series[bad]
            else:
                bad_lists = series.map(lambda xs, pool=pool: [x for x in xs if x not in pool])
                bad = bad_lists.map(bool)
                vals = bad_lists[bad].map(lambda xs: ", ".join(xs))
            wanted = " or ".join(r.rstrip("s") for r in col.refs)
            yield from emit(
                label,
                col.name,
                "unknown-reference",
                spreadsheet_rows(bad),
                vals,
                lambda v, wanted=wanted: f"{v!r} is not a known {wanted} id",
            )


def _same_value(known: Distinct, df: pd.DataFrame, a: str, b: str) -> pd.Series:
    """Rows where columns ``a`` and ``b`` hold the same (not missing) value."""
    if a not in known or b not in known:
        return df[a].notna() & (df[a] == df[b])
    # Match the distinct values of one column to the other's, then compare row codes.
    # Stripping can make two distinct raw values one value: number b's values afresh.
    (ca, va), (cb, vb) = known[a], known[b]
    nb, ub = pd.factorize(vb)
    as_b = pd.Index(ub).get_indexer(va)
    as_b[va.isna().to_numpy(dtype=bool)] = -1
    mapped = as_b[ca]
    return pd.Series((mapped >= 0) & (mapped == nb[cb]), index=df.index)


def check_rules(
    tables: Mapping[str, RawTable],
    typed: dict[str, pd.DataFrame],
    existing: Mapping[str, set[str]],
    distinct: Mapping[str, Distinct] | None = None,
) -> Iterator[Issue]:
    seen: dict[str, str] = {}
    for name, ids in existing.items():
        for i in ids:
            seen.setdefault(i, name)
    for name, df in typed.items():
        if "id" not in df.columns:
            continue
        label = tables[name].label
        for row, i in zip(spreadsheet_rows(df["id"].notna()), df["id"].dropna(), strict=False):
            if i in seen and seen[i] != name:
                yield Issue(
                    label,
                    int(row),
                    "id",
                    "id-clash",
                    f"id {i!r} is already used for {seen[i]}; ids must be unique across files",
                )
            seen.setdefault(i, name)
    if "referrals" in typed:
        df, label = typed["referrals"], tables["referrals"].label
        loop = _same_value((distinct or {}).get("referrals", {}), df, "source", "target")
        yield from emit(
            label,
            "target",
            "self-referral",
            spreadsheet_rows(loop),
            df.loc[loop, "source"],
            lambda v: f"{v!r} refers to itself; flows are between different services",
        )
        over = df["accepted"].notna() & df["count"].notna() & (df["accepted"] > df["count"])
        over = over.fillna(False).astype(bool)
        yield from emit(
            label,
            "accepted",
            "accepted-over-count",
            spreadsheet_rows(over),
            df.loc[over, "accepted"],
            lambda v: f"accepted ({v}) is more than count",
        )
    if "services" in typed:
        df, label = typed["services"], tables["services"].label
        nodist = df["districts"].map(len) == 0
        for row, i in zip(spreadsheet_rows(nodist), df.loc[nodist, "id"], strict=False):
            yield Issue(
                label,
                int(row),
                "districts",
                "no-district",
                f"service {i!r} has no district",
                "warning",
            )
