"""Protections remembered by content: the same figures always get the same protection.

Protecting every figure of a county takes tens of seconds of exact elimination; a question
asked again of unchanged data should not pay it again. The key is a hash of the figures
(keys, cells and true values) and of this package's own source, so a changed store or a
changed algorithm is a new key: an entry can never go stale, only unused. Entries are
written owner-only, since they name the hidden figures.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from gridvoices.ecosystem.cache import cache_root
from gridvoices.ecosystem.disclosure.model import Figure

__all__ = ["remembered", "cache_dir"]


def cache_dir() -> Path | None:
    """The remembered protections' folder (:func:`gridvoices.ecosystem.cache.cache_root`)."""
    return cache_root("disclosure")


def _key(figures: Sequence[Figure]) -> str:
    h = hashlib.sha256()
    for src in sorted(Path(__file__).parent.glob("*.py")):
        h.update(src.read_bytes())
    for line in sorted(repr((f.key, f.parts, f.value, f.weight)) for f in figures):
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def remembered(figures: Sequence[Figure], compute: Callable[[Sequence[Figure]], object]):
    """``compute(figures)``, read back from the cache when these exact figures were protected
    before by this exact code.

    >>> import os, tempfile
    >>> os.environ["GRIDVOICES_CACHE"] = tempfile.mkdtemp()
    >>> calls = []
    >>> fs = [Figure(("n",), (("a", "b", "Q1"),), 3)]
    >>> remembered(fs, lambda f: calls.append(1) or "p"), remembered(fs, lambda f: "q"), calls
    ('p', 'p', [1])
    >>> del os.environ["GRIDVOICES_CACHE"]
    """
    folder = cache_dir()
    if folder is None:
        return compute(figures)
    path = folder / f"{_key(figures)}.pickle"
    try:
        with path.open("rb") as f:
            return pickle.load(f)  # written by this function, in the user's own folder
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    result = compute(figures)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")  # mode 0600
        with os.fdopen(fd, "wb") as f:
            pickle.dump(result, f)
        os.replace(tmp, path)  # readers never see a half-written entry
    except OSError:
        pass  # a read-only home only loses the speed-up
    return result
