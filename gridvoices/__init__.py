"""GRID Voices: a regional recovery ecosystem as a network.

>>> import gridvoices
>>> eco = gridvoices.open("my-workspace")            # the embedded store (SQLite) in a folder
>>> eco = gridvoices.connect()                        # or Neo4j ($NEO4J_URI, the local server)

Every question (``summary``, ``paths``, ``isolated``, ``barriers``, ``coverage``,
``contagion``, ``metrics``, ``index``, ``whatif``, ``compare``, ``feedback``, ``stats``)
returns a :class:`Result` that prints as tables and converts with ``to_frame()``;
docs/python-api.md is a worked example.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["Ecosystem", "NoData", "Result", "connect", "open", "__version__"]


def __getattr__(name: str):
    # Loaded on first use: `import gridvoices.ecosystem.vocab` (or the CLI asking one
    # question) should not pay for the whole API, nor for reading the package metadata.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("gridvoices")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    if name in __all__:
        return getattr(import_module("gridvoices.api"), name)
    raise AttributeError(f"module 'gridvoices' has no attribute {name!r}")
