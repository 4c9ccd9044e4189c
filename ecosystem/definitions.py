"""The words GRID Voices counts links and referrals with, each defined once.

Every output that shows one of these numbers (``summary``, the views' header,
the report, exports) labels it with the word below and counts it with
:func:`gridvoices.queries.counts.link_counts`, so the same store and periods
give the same number under the same word everywhere.

Examples
--------
>>> DEFINITIONS[REFERRAL_LINKS].startswith("ordered pairs")
True
"""

from __future__ import annotations

__all__ = [
    "REFERRAL_LINKS",
    "PEER_LINKS",
    "LINKS",
    "REFERRALS",
    "DEFINITIONS",
    "KEYS",
    "glossary",
]

REFERRAL_LINKS = "referral links"
PEER_LINKS = "peer links"
LINKS = "links"
REFERRALS = "referrals"

#: word -> one-line definition (the glossary printed in the report and the docs)
DEFINITIONS: dict[str, str] = {
    REFERRAL_LINKS: "ordered pairs of services or groups with at least one referral "
    "in the chosen periods",
    PEER_LINKS: "peer-support links (a navigator or group attends, mentors at or links with "
    "a service or group); they carry no counts and do not depend on the periods",
    LINKS: "ordered pairs joined by a referral link, a peer link or both "
    "(a pair with both counts once)",
    REFERRALS: "the sum of referral counts over the referral links in the chosen periods",
}

#: word -> the key the number has in results (``summary``'s totals, exports' graph attributes)
KEYS: dict[str, str] = {
    REFERRAL_LINKS: "referral_links",
    PEER_LINKS: "peer_links",
    LINKS: "links",
    REFERRALS: "referrals",
}


def glossary() -> str:
    """The definitions as one sentence per word.

    Examples
    --------
    >>> glossary().splitlines()[0].startswith("referral links: ordered pairs")
    True
    """
    return "\n".join(f"{word}: {text}." for word, text in DEFINITIONS.items())
