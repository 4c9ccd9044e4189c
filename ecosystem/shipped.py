"""The data shipped inside the package, found with :mod:`importlib.resources`.

The package is installed as plain files (a wheel, or an editable checkout), so the shipped
folder is a real directory and callers get ordinary :class:`~pathlib.Path` objects.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["shipped", "DERBYSHIRE", "MAPPINGS", "INDEX_WEIGHTS", "POPULATION"]


def shipped(*parts: str) -> Path:
    """Path of a file or folder under the shipped ``data/``.

    >>> shipped("derbyshire", "services.csv").is_file()
    True
    """
    return Path(str(files("gridvoices.data").joinpath(*parts)))


DERBYSHIRE = shipped("derbyshire")
MAPPINGS = shipped("mappings")
INDEX_WEIGHTS = shipped("index-weights.toml")
POPULATION = shipped("population", "derbyshire.csv")
