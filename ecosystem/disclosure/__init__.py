"""Disclosure control: primary and secondary suppression of published figures, and the audit.

The domain rule (counts of 1-4 are never given away) as a small model: published
:class:`Figure` s (each a sum of cells), :func:`protect` (primary rule, then
complements), and :func:`audit_figures` (which hidden figures the visible ones
determine exactly). It knows nothing of graphs or outputs; the layers above
describe what they publish as figures.
"""

from gridvoices.ecosystem.disclosure.algebra import Basis, exposed_figures
from gridvoices.ecosystem.disclosure.audit import Audit, audit_figures
from gridvoices.ecosystem.disclosure.model import Figure, merge, primary
from gridvoices.ecosystem.disclosure.secondary import Protection, cost, protect

__all__ = [
    "Audit",
    "Basis",
    "Figure",
    "Protection",
    "audit_figures",
    "cost",
    "exposed_figures",
    "merge",
    "primary",
    "protect",
]
