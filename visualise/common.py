"""Vocabulary, colours and text helpers shared by every view.

Colours are Tableau-10 style: distinguishable on white and for most
colour-blind readers. A view refers to categories by machine code; the page
gets the labels and colours once, in its palette tables, never per node.
"""

from __future__ import annotations

import math
import re

from gridvoices.ecosystem.definitions import LINKS, PEER_LINKS, REFERRAL_LINKS
from gridvoices.ecosystem.vocab import DOMAINS, ORG_KINDS

__all__ = [
    "DEFAULT_TITLES",
    "ILLUSTRATIVE_BANNER",
    "KIND_COLOURS",
    "DOMAIN_COLOURS",
    "UNKNOWN_COLOUR",
    "EXTRA_COLOURS",
    "SHAPES",
    "TYPES",
    "TYPE_LABELS",
    "INACTIVE",
    "REFERRAL_COLOUR",
    "PEER_COLOUR",
    "OTHER_EDGE_COLOUR",
    "HIGHLIGHT",
    "text",
    "label",
    "plural",
    "links_label",
    "periods_label",
    "categorical_mode",
    "round_sig",
    "NO_FLOWS_NOTICE",
    "has_flows",
    "flows_notice",
]

DEFAULT_TITLES: dict[str, str] = {
    "network": "GRID Voices — recovery ecosystem",
    "barriers": "GRID Voices — where referrals do not cross",
    "isolation": "GRID Voices — isolated services",
}
ILLUSTRATIVE_BANNER = "Illustrative data — invented flows, not real figures"
# The same advice as the report's first finding on a directory (report/sections/directory.py).
NO_FLOWS_NOTICE = (
    "This is a service directory without referral flows: services, their places and "
    "the coverage of the recovery domains are shown. Barriers between districts, "
    "isolated services, closures, referral paths, brokers and recovery contagion need "
    "referral counts. To add them, write the referrals template with "
    "`gridvoices template FOLDER` (referrals.csv: from, to, period, count), fill it from "
    "case-management or referral records, and import it beside this directory."
)

KIND_COLOURS: dict[str, str] = {
    "treatment": "#4e79a7",
    "mutual_aid": "#59a14f",
    "community": "#f28e2b",
    "council": "#76b7b2",
    "nhs": "#e15759",
    "housing": "#edc948",
    "employment": "#b07aa1",
    "education": "#ff9da7",
    "criminal_justice": "#9c755f",
    "other": "#bab0ac",
}
DOMAIN_COLOURS: dict[str, str] = {
    "twelve_step": "#59a14f",
    "peer_mutual_aid": "#8cd17d",
    "recovery_coaching": "#f28e2b",
    "activities": "#edc948",
    "volunteering": "#b07aa1",
    "linkage": "#76b7b2",
    "growth_pathways": "#ff9da7",
    "specialist_treatment": "#4e79a7",
    "wraparound": "#9c755f",
}
UNKNOWN_COLOUR = "#8d99a6"
# For codes outside the vocabularies (partner data is validated, test graphs are not).
EXTRA_COLOURS = ("#d37295", "#499894", "#86bcb6", "#f1ce63", "#a0cbe8", "#ffbe7d")

TYPES = ("Service", "Group", "Navigator")
SHAPES: dict[str, str] = {"Service": "dot", "Group": "triangle", "Navigator": "diamond"}
TYPE_LABELS: dict[str, str] = {
    "Service": "Service",
    "Group": "Mutual-aid group",
    "Navigator": "Navigator / peer mentor",
}

INACTIVE = {"background": "#eef0f2", "border": "#9aa5b1", "font": "#7b8794"}
REFERRAL_COLOUR = "#52606d"
PEER_COLOUR = "#8e44ad"
OTHER_EDGE_COLOUR = "#b8c2cc"
HIGHLIGHT = "#1f2933"

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def text(value) -> str:
    """A partner-supplied value as one line of plain text (escaping happens on output).

    Examples
    --------
    >>> text(" a\\nb "), text(None)
    ('a b', '')
    """
    if isinstance(value, str) and value.isprintable():  # the common case, without the regex
        return value.strip()
    return _CONTROL.sub(" ", "" if value is None else str(value)).strip()


def label(vocab: dict[str, str], code) -> str:
    """The label of ``code`` in ``vocab``; unknown codes are shown as themselves."""
    if code is None or code == "":
        return "Unknown"
    return vocab.get(code, text(code))


def plural(count, word: str) -> str:
    """``"1 service"``, ``"1,234 services"``, ``"* services"``.

    Examples
    --------
    >>> plural(1, "link"), plural(9712, "link"), plural("*", "link")
    ('1 link', '9,712 links', '* links')
    """
    shown = f"{count:,}" if isinstance(count, int) else str(count)
    return f"{shown} {word}" if count == 1 else f"{shown} {word}s"


def links_label(counts) -> str:
    """Links labelled with the words of :mod:`gridvoices.ecosystem.definitions`, from a
    :class:`~gridvoices.queries.counts.LinkCounts`.

    Examples
    --------
    >>> from gridvoices.queries.counts import LinkCounts
    >>> links_label(LinkCounts(200, 40, 235, 3659, 2807, 358))
    '235 links (200 referral links, 40 peer links)'
    """
    return (
        f"{counts.links:,} {LINKS} ({counts.referral_links:,} {REFERRAL_LINKS}, "
        f"{counts.peer_links:,} {PEER_LINKS})"
    )


def periods_label(periods: list[str]) -> str:
    """A short description of the chosen periods for the legend."""
    if not periods:
        return "no referral periods"
    if len(periods) <= 4:
        return ", ".join(periods)
    return f"{periods[0]} to {periods[-1]} ({len(periods)} periods)"


def round_sig(value: float, digits: int = 4) -> float:
    """``value`` to ``digits`` significant figures: metrics need no more, and JSON stays small.

    Examples
    --------
    >>> round_sig(0.000123456), round_sig(1234.5678)
    (0.0001235, 1235.0)
    """
    if value == 0 or not math.isfinite(value):
        return 0.0 if not math.isfinite(value) else value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def categorical_mode(key: str, heading: str, codes: list, values: list[int] | str) -> dict:
    """A colour mode for the page: labels and colours per code, then a code index per node.

    ``values`` is either a list (one code index per node, -1 for unknown) or the
    name of a node column that already holds those indices.
    """
    if key == "kind":
        fixed, vocab = KIND_COLOURS, ORG_KINDS
    elif key == "domain":
        fixed, vocab = DOMAIN_COLOURS, DOMAINS
    else:
        fixed, vocab = {}, {}
    colours, extra = [], 0
    for code in codes:
        if code in fixed:
            colours.append(fixed[code])
        else:
            colours.append(EXTRA_COLOURS[extra % len(EXTRA_COLOURS)])
            extra += 1
    return {
        "key": key,
        "heading": heading,
        "type": "category",
        "labels": [label(vocab, c) for c in codes],
        "colours": colours,
        "unknown": UNKNOWN_COLOUR,
        "values": values,
    }


def has_flows(G) -> bool:
    """Whether any link of ``G`` carries referrals (a directory alone has none)."""
    return any((d.get("referrals") or 0) > 0 for _, _, d in G.edges(data=True))


def flows_notice(G) -> str:
    """:data:`NO_FLOWS_NOTICE` for a graph with services but no referral flows, else "".

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("s", type="Service")
    >>> flows_notice(G)[:40]
    'This is a service directory without refe'
    >>> G.add_edge("s", "t", referrals=3)
    >>> flows_notice(G)
    ''
    """
    return NO_FLOWS_NOTICE if G.number_of_nodes() and not has_flows(G) else ""
