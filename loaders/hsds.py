"""Service directories (HSDS / Open Referral UK) as partner sources: detect and read.

Three readers, one per way directories are published:

``hsds``
    a tabular data package folder (HSDS 1.1, 2.0.x, 3.0, ORUK 3.0 CSV);
``hsds-json``
    HSDS 3.0 / ORUK 3.0 JSON API responses (paged lists, full records,
    ``tabular.json``), one file or a folder of them;
``oruk-json``
    Open Referral UK v1 JSON feeds (``/services`` pages with ``content``).

Each returns raw string tables (districts, organisations, services) in the
project's format and the issues met, after applying the mapping files of
:mod:`gridvoices.loaders.mapping` (a ``gridvoices-mapping.json`` beside the data, or an
explicit :class:`~gridvoices.loaders.mapping.MappingOptions`, overrides the defaults).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gridvoices.ecosystem.issues import Issue
from gridvoices.loaders.hsds_json import read_json_paths
from gridvoices.loaders.hsds_model import Directory
from gridvoices.loaders.hsds_sniff import sniff_path
from gridvoices.loaders.hsds_tables import build_tables
from gridvoices.loaders.hsds_tabular import is_package, read_package
from gridvoices.loaders.mapping import MappingOptions, Mappings, load_mappings
from gridvoices.loaders.validate import RawTable

__all__ = [
    "detect_package",
    "detect_hsds_json",
    "detect_oruk_json",
    "read_hsds_package",
    "read_hsds_json",
    "read_oruk_json",
    "read_directory",
]

Result = tuple[dict[str, RawTable], list[Issue]]


def detect_package(path: Path) -> bool:
    """A folder of HSDS tables (or its ``datapackage.json``)."""
    try:
        return is_package(Path(path))
    except OSError:
        return False


def detect_hsds_json(path: Path) -> bool:
    """An HSDS 3.0 / ORUK 3.0 JSON response (or a folder of them), by its first bytes."""
    return sniff_path(Path(path)) in ("hsds3", "tabular")


def detect_oruk_json(path: Path) -> bool:
    """An Open Referral UK v1 JSON response (``content`` pages, v1-only field names)."""
    return sniff_path(Path(path)) == "oruk1"


def _fill(
    paths: list[Path], fill: Callable[[list[Path], Directory], None], options: MappingOptions | None
) -> tuple[Directory, Mappings, list[Issue]]:
    issues: list[Issue] = []
    if options is None:
        options, issues = (
            MappingOptions().with_sidecar(paths[0]) if paths else (MappingOptions(), [])
        )
    mappings, problems = load_mappings(options)
    label = ", ".join(p.name for p in paths) or "(no files)"
    d = Directory(label)
    fill(paths, d)
    return d, mappings, issues + problems


def _read(
    paths: list[Path], fill: Callable[[list[Path], Directory], None], options: MappingOptions | None
) -> Result:
    d, mappings, issues = _fill([Path(p) for p in paths], fill, options)
    tables, more = build_tables(d, mappings)
    return tables, issues + d.issues + more


def read_directory(
    paths: list[Path], options: MappingOptions | None = None
) -> tuple[Directory, Mappings, list[Issue]]:
    """A directory (any HSDS / ORUK shape) read but not yet mapped: for review sheets."""
    paths = [Path(p) for p in paths]
    if paths and detect_package(paths[0]):
        return _fill(paths, read_package, options)
    want = "oruk1" if paths and sniff_path(paths[0]) == "oruk1" else "hsds3"
    return _fill(paths, lambda ps, d: read_json_paths(ps, d, want), options)


def read_hsds_package(paths: list[Path], options: MappingOptions | None = None) -> Result:
    """Read HSDS tabular package folders into the project's raw tables.

    Parameters
    ----------
    paths
        Package folders (or their ``datapackage.json``), read together as one directory.
    options
        Mapping files and choices; default: ``data/mappings/`` overridden by a
        ``gridvoices-mapping.json`` beside the first path.

    Returns
    -------
    tables, issues
        ``districts`` / ``organisations`` / ``services`` as :class:`RawTable` of strings,
        and every problem met (file, row, column), errors and warnings.
    """
    return _read(paths, read_package, options)


def read_hsds_json(paths: list[Path], options: MappingOptions | None = None) -> Result:
    """Read HSDS 3.0 / ORUK 3.0 JSON files (or folders of them); see :func:`read_hsds_package`."""
    return _read(paths, lambda ps, d: read_json_paths(ps, d, "hsds3"), options)


def read_oruk_json(paths: list[Path], options: MappingOptions | None = None) -> Result:
    """Read Open Referral UK v1 JSON files (or folders of them); see :func:`read_hsds_package`."""
    return _read(paths, lambda ps, d: read_json_paths(ps, d, "oruk1"), options)
