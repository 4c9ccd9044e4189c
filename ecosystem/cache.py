"""Where gridvoices keeps what it may remember between runs (one root, one switch)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root"]


def cache_root(kind: str) -> Path | None:
    """``$GRIDVOICES_CACHE/KIND``, else ``~/.cache/gridvoices/KIND``; None when
    ``GRIDVOICES_CACHE`` is ``off``.

    Examples
    --------
    >>> import os; os.environ["GRIDVOICES_CACHE"] = "off"
    >>> cache_root("templates") is None
    True
    >>> del os.environ["GRIDVOICES_CACHE"]
    """
    base = os.environ.get("GRIDVOICES_CACHE")
    if base == "off":
        return None
    root = Path(base) if base else Path.home() / ".cache" / "gridvoices"
    return root / kind
