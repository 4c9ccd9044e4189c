"""igraph for its algorithms, without the plotting it loads on import.

``import igraph`` imports ``matplotlib.pyplot`` when matplotlib is installed (its drawing
modules look for it at import time): on this project's machines that is about 0.6 s of a
1.4 s ``gridvoices metrics``, for plots this project never asks igraph to draw (the
report's charts use matplotlib directly). :func:`igraph` imports it with matplotlib hidden,
so igraph's drawing falls back to its "install matplotlib" placeholder and nothing else
changes.
"""

from __future__ import annotations

import sys
from types import ModuleType

__all__ = ["igraph"]


def igraph() -> ModuleType:
    """The ``igraph`` module, imported (once per process) without loading matplotlib.

    Examples
    --------
    >>> ig = igraph()
    >>> ig.Graph(n=3, edges=[(0, 1)]).components().membership
    [0, 0, 1]
    """
    loaded = sys.modules.get("igraph")
    if loaded is not None:
        return loaded
    # A None entry makes `import matplotlib` raise ImportError, which igraph's
    # find_matplotlib catches; matplotlib (if already loaded) is put back untouched.
    hidden = sys.modules.get("matplotlib")
    sys.modules["matplotlib"] = None  # type: ignore[assignment]
    try:
        import igraph as ig
    finally:
        if hidden is None:
            sys.modules.pop("matplotlib", None)
        else:
            sys.modules["matplotlib"] = hidden
    return ig
