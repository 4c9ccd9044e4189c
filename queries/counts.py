"""Count referral links, peer links, links and referrals on the projection, one way for all.

The words are defined in :mod:`gridvoices.ecosystem.definitions`; ``summary``,
the views, the report and exports all take their numbers from
:func:`link_counts`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD

if TYPE_CHECKING:
    import networkx as nx  # annotations only: a question that prints needs no NetworkX

__all__ = ["LinkCounts", "link_counts", "REMAINDER"]

# The cell of referrals no period accounts for (hand-made graphs without by_period).
REMAINDER = "other periods"


@dataclass(frozen=True)
class LinkCounts:
    """Exact counts for one projection (its chosen periods); keys as in
    :data:`gridvoices.ecosystem.definitions.KEYS`.

    ``referrals_visible`` and ``referral_small_cells`` say how the total is shown
    when counts of 1-4 are hidden: the sum of the period cells of 5 or more, and
    how many cells (one link in one period) hold 1-4 (the ``+ *``).
    """

    referral_links: int
    peer_links: int
    links: int
    referrals: int
    referrals_visible: int
    referral_small_cells: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def link_counts(G: nx.DiGraph, hidden: Collection | None = None) -> LinkCounts:
    """Referral links, peer links, links (either or both) and referrals in ``G``.

    ``G`` is :func:`gridvoices.queries.graph.build_graph` for the chosen periods:
    an edge is a referral link when its ``referrals`` (summed over those
    periods) is above 0, a peer link when it has a ``peer_kind``; a pair that is
    both counts once among the links. ``hidden``: the cells ``(u, v, period)`` the
    disclosure layer hides (:func:`gridvoices.queries.disclosure.shown_counts`);
    without it, the primary rule's (cells of 1-4).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_edge("a", "b", referrals=7)
    >>> G.add_edge("b", "c", referrals=2, peer_kind="attends")
    >>> G.add_edge("n", "a", referrals=0, peer_kind="mentors_at")
    >>> c = link_counts(G)
    >>> c.referral_links, c.peer_links, c.links, c.referrals
    (2, 2, 3, 9)
    >>> c.referrals_visible, c.referral_small_cells   # no by_period: each link is one cell
    (7, 1)
    """
    referral_links = peer_links = links = referrals = visible = small = 0
    # The cells summed in place: at national size (1M links) building a list of cells per
    # link cost about half of the summary step. (``G`` may be a ReferralCells: edges only.)
    for u, v, e in G.edges(data=True):
        r = int(e.get("referrals") or 0)
        peer = e.get("peer_kind") is not None
        if r > 0:
            referral_links += 1
            referrals += r
            rest = r  # referrals no period accounts for (hand-made graphs): one more cell
            for p, c in (e.get("by_period") or {}).items():
                c = int(c or 0)
                rest -= c
                if c > 0:
                    if (c < SUPPRESSION_THRESHOLD) if hidden is None else (u, v, p) in hidden:
                        small += 1
                    else:
                        visible += c
            if rest > 0:
                if (
                    (rest < SUPPRESSION_THRESHOLD)
                    if hidden is None
                    else (u, v, REMAINDER) in hidden
                ):
                    small += 1
                else:
                    visible += rest
        peer_links += peer
        links += r > 0 or peer
    return LinkCounts(referral_links, peer_links, links, referrals, visible, small)
