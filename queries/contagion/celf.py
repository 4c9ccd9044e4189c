"""Lazy-greedy (CELF) selection: the one loop behind link suggestions and navigator placement.

Leskovec et al. (2007): when a candidate's gain can only shrink as others are picked
(a submodular objective, such as reach on fixed random worlds), a gain computed in an
earlier round is an upper bound, so only the candidate on top of the heap needs a fresh
evaluation. The picks are exactly those of the plain greedy, at a fraction of the
evaluations.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterator, Sequence

__all__ = ["celf"]


def celf(
    candidates: Sequence[Hashable], gain: Callable[[Hashable], float], k: int
) -> Iterator[tuple[Hashable, float]]:
    """Yield up to ``k`` ``(candidate, gain)`` picks, best marginal gain first (lazy greedy).

    A generator: the caller updates its state (what has been picked so far) before
    asking for the next pick, and may stop early (say when a gain is 0). ``gain(c)`` is
    called with the state as it is then. Ties go to the earlier candidate.

    Examples
    --------
    >>> covers = {"a": {1, 2, 3}, "b": {3, 4}, "c": {4, 5, 6, 7}}
    >>> seen: set = set()
    >>> picks = []
    >>> for c, g in celf(list(covers), lambda c: len(covers[c] - seen), 3):
    ...     seen |= covers[c]
    ...     picks.append((c, g))
    >>> picks
    [('c', 4.0), ('a', 3.0), ('b', 0.0)]
    """
    heap = [(-float("inf"), i, c) for i, c in enumerate(candidates)]
    heapq.heapify(heap)
    fresh: dict = {}  # candidate -> the round its gain on the heap was computed in
    for rnd in range(k):
        chosen = None
        while heap:
            neg, i, c = heapq.heappop(heap)
            if fresh.get(c) == rnd:
                chosen = (c, -neg)
                break
            fresh[c] = rnd
            heapq.heappush(heap, (-float(gain(c)), i, c))
        if chosen is None:
            return
        yield chosen
