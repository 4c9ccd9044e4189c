"""Where a directory's files really are: zip archives, descriptors, CSVs in a sub-folder.

Partners hand over directories in the shape their system exported them:

* a ``.zip`` of a data package (211 exports: ``datapackage.json`` at the top,
  the CSVs under ``data/``);
* a folder, or its ``datapackage.json``, whose resources name their files by
  ``path`` (``data/services.csv``, or a bare ``services.csv`` that in fact
  sits in ``data/``);
* a folder whose CSVs (or JSON pages) are one sub-folder down.

:func:`package_files` resolves table name -> file for a package folder;
:func:`unpack_zip` extracts an archive safely and returns the folder to read.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from gridvoices.ecosystem.issues import Issue

__all__ = ["package_files", "load_descriptor", "unpack_zip", "zip_root", "MAX_UNZIPPED"]

# A directory of a few thousand services unpacks to tens of MB; refuse archive bombs.
MAX_UNZIPPED = 2_000_000_000
_SUBFOLDERS = ("data", "csv", "tables", "datapackage")


def load_descriptor(folder: Path) -> tuple[dict | None, list[Issue]]:
    """The folder's ``datapackage.json`` as a dict (None when absent or unreadable)."""
    f = folder / "datapackage.json"
    if not f.is_file():
        return None, []
    try:
        data = json.loads(f.read_text(encoding="utf-8-sig"))
        if isinstance(data, dict):
            return data, []
        raise ValueError("not a JSON object")
    except (ValueError, OSError, UnicodeDecodeError) as e:
        msg = f"not a readable data package descriptor ({e}); the CSV file names are used instead"
        return None, [
            Issue(f"{folder.name}/datapackage.json", None, None, "bad-descriptor", msg, "warning")
        ]


def _csvs(folder: Path) -> dict[str, Path]:
    return {p.name.lower(): p for p in sorted(folder.glob("*.csv"))} if folder.is_dir() else {}


def _sub_folder(folder: Path) -> Path | None:
    """The one sub-folder holding ``services.csv`` (``data/`` first), or None."""
    for name in _SUBFOLDERS:
        if (folder / name / "services.csv").is_file():
            return folder / name
    subs = [p for p in sorted(folder.iterdir()) if p.is_dir() and (p / "services.csv").is_file()]
    return subs[0] if len(subs) == 1 else None


def package_files(folder: Path) -> tuple[dict[str, Path], dict | None, list[Issue]]:
    """Table file name (lower case) -> path, the descriptor, and problems met.

    The descriptor's resource paths are followed first (relative to the
    descriptor); a bare name not found beside it is looked for in the
    sub-folder that holds the CSVs. Without resource paths, the CSVs of the
    folder itself, else of its one data sub-folder, are used.

    >>> package_files(Path("/no/such/folder"))[0]
    {}
    """
    folder = Path(folder)
    if not folder.is_dir():
        return {}, None, []
    descriptor, issues = load_descriptor(folder)
    here = _csvs(folder)
    # A folder of JSON API files with a csv/ copy beside them is read as JSON: the
    # sub-folder counts only for a package (descriptor) or a folder with no JSON.
    own_json = any(p.name != "datapackage.json" for p in folder.glob("*.json"))
    sub = None
    if "services.csv" not in here and (descriptor is not None or not own_json):
        sub = _sub_folder(folder)
    found = dict(here)
    if sub is not None:
        found = {**_csvs(sub), **here}
    resources = (descriptor or {}).get("resources", [])
    for r in resources if isinstance(resources, list) else []:
        path = r.get("path") if isinstance(r, dict) else None
        if not isinstance(path, str) or "://" in path:
            continue  # remote resources are not fetched: directories are read offline
        target = (folder / path).resolve()
        if not target.is_relative_to(folder.resolve()):
            continue  # a descriptor may not point outside its package
        name = Path(path).name.lower()
        if target.is_file():
            found[name] = target
        elif name not in found:
            where = f" (nor in {sub.name}/)" if sub is not None else ""
            msg = f"datapackage.json lists {path} but the package has no such file{where}"
            issues.append(
                Issue(f"{folder.name}/datapackage.json", None, None, "missing-file", msg, "warning")
            )
    return found, descriptor, issues


def zip_root(folder: Path) -> Path:
    """The folder to read inside an unpacked archive: its one top folder when it has one."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder


def unpack_zip(path: Path, into: Path) -> tuple[Path | None, list[Issue]]:
    """Extract ``path`` under ``into/<stem>/``; the folder to read, or None and why.

    Members that would land outside the folder, or an archive that unpacks to
    more than :data:`MAX_UNZIPPED` bytes, are refused rather than extracted.
    """
    label = Path(path).name
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if sum(i.file_size for i in infos) > MAX_UNZIPPED:
                msg = f"the archive unpacks to more than {MAX_UNZIPPED // 10**9} GB; not read"
                return None, [Issue(label, None, None, "bad-archive", msg)]
            dest = Path(into) / Path(path).stem
            dest.mkdir(parents=True, exist_ok=True)
            root = dest.resolve()
            for info in infos:
                target = (dest / info.filename).resolve()
                if not target.is_relative_to(root):
                    msg = f"member {info.filename!r} points outside the archive; not extracted"
                    return None, [Issue(label, None, None, "bad-archive", msg)]
            z.extractall(dest)
    except (zipfile.BadZipFile, OSError) as e:
        return None, [Issue(label, None, None, "bad-archive", f"not a readable zip archive: {e}")]
    return zip_root(dest), []
