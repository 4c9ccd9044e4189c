"""The disclosure audit: given every number a run published, is any hidden one determined?"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from gridvoices.ecosystem.disclosure.algebra import exposed_figures
from gridvoices.ecosystem.disclosure.model import Figure, merge
from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD

__all__ = ["Audit", "audit_figures"]


@dataclass(frozen=True)
class Audit:
    """``exposed``: hidden figures of 1-4 that the published ones determine exactly."""

    published: int
    hidden: int
    sensitive: int
    exposed: tuple
    outputs: tuple = ()  # optional per-output rows (output, published, hidden, ...)

    @property
    def ok(self) -> bool:
        return not self.exposed

    def as_dict(self) -> dict:
        return {
            "published": self.published,
            "hidden": self.hidden,
            "hidden_small": self.sensitive,
            "exposed": len(self.exposed),
            "exposed_figures": [repr(k) for k in self.exposed],
            "outputs": [dict(r) for r in self.outputs],
        }


def audit_figures(figures: Iterable[Figure], hidden: Iterable[Hashable]) -> Audit:
    """Check that no hidden figure of 1-4 is a combination of the visible figures.

    ``figures`` are every number published (from one or many outputs; a key seen
    twice must name the same cells), ``hidden`` the keys shown as ``*``. A hidden
    figure with the same cells as a visible one is exposed too.

    Examples
    --------
    An edge total next to its period cells, one hidden:

    >>> F = [Figure("q1", ("q1",), 5), Figure("q2", ("q2",), 3), Figure("t", ("q1", "q2"), 8)]
    >>> audit_figures(F, {"q2"}).exposed
    ('q2',)
    >>> audit_figures(F, {"q2", "t"}).ok
    True
    """
    fs = merge(figures)
    hidden = {k for k in hidden if k in fs}
    sensitive = [k for k in hidden if 0 < fs[k].value < SUPPRESSION_THRESHOLD]
    parts = {k: f.parts for k, f in fs.items()}
    return Audit(
        published=len(fs) - len(hidden),
        hidden=len(hidden),
        sensitive=len(sensitive),
        exposed=tuple(exposed_figures(parts, hidden, sensitive)),
    )
