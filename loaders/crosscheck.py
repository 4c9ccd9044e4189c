"""Checks across tables: references resolve, ids are unique across entities, and other rules.

A reference into a file that could not be read is not reported row by row: that
file's own error is the one to fix (``unreadable``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import chain, repeat

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
            ids[name].update(df["id"].dropna().tolist())
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
                # Looked up in the set as it is: pandas' isin would hash the whole pool again.
                held = np.fromiter(map(pool.__contains__, values.tolist()), bool, len(values))
                miss = values.notna().to_numpy(dtype=bool) & ~held
                if not miss.any():
                    continue
                bad = miss[codes]
                vals = np.asarray(values, dtype=object)[codes[bad]]
            elif col.type == "ref":
                bad = series.notna() & ~series.isin(pool)
                vals = series[bad]
            else:
                bad, vals = _unknown_items(series.tolist(), pool)
            wanted = " or ".join(r.rstrip("s") for r in col.refs)
            yield from emit(
                label,
                col.name,
                "unknown-reference",
                spreadsheet_rows(bad),
                vals,
                lambda v, wanted=wanted: f"{v!r} is not a known {wanted} id",
            )


def _unknown_items(lists: list[list[str]], pool: set[str]) -> tuple[np.ndarray, list[str]]:
    """Rows holding an item not in ``pool``, and those items of each such row, joined.

    All items are looked up in one pass over the flattened lists (50,000 services list
    their districts), then only the rows found wanting are visited.

    >>> bad, vals = _unknown_items([["a"], [], ["b", "x", "y"]], {"a", "b"})
    >>> bad.tolist(), vals
    ([False, False, True], ['x, y'])
    """
    sizes = np.fromiter(map(len, lists), dtype=np.intp, count=len(lists))
    flat = list(chain.from_iterable(lists))
    known = np.fromiter(map(pool.__contains__, flat), dtype=bool, count=len(flat))
    owner = np.repeat(np.arange(len(lists)), sizes)
    bad = np.bincount(owner[~known], minlength=len(lists)) > 0
    vals = [", ".join(x for x in lists[i] if x not in pool) for i in np.flatnonzero(bad)]
    return bad, vals


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
        given = df["id"].notna()
        values = df["id"][given].tolist()
        if seen.keys().isdisjoint(values):
            # The usual case: no id is another entity's, and none is reported.
            seen.update(zip(values, repeat(name)))
            continue
        for row, i in zip(spreadsheet_rows(given), values, strict=True):
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
