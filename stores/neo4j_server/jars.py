"""The Neo4j jars (from Maven Central through Maven) and a Java 17 to run them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from gridvoices.stores.neo4j_server.base import (
    _MARKER_JAR,
    _POM,
    JAVA_MAJOR,
    NEO4J_VERSION,
    Neo4jServerError,
    _lib_dir,
    _locked,
    server_home,
)
from gridvoices.stores.neo4j_server.conf import _tail_text

# --------------------------------------------------------------------------- jars


def ensure_jars(home: str | Path | None = None, *, lib_dir: str | Path | None = None) -> Path:
    """Resolve the Neo4j jars with Maven, once.

    Skipped when the lib folder already holds ``neo4j-5.26.0.jar``. Otherwise
    copies ``pom.xml`` to ``<home>/maven`` and runs ``mvn -q -B
    dependency:copy-dependencies`` into the lib folder (~237 jars, 128 MB).

    Parameters
    ----------
    home
        Server home, see :func:`server_home`.
    lib_dir
        Where the jars go; default ``$GRIDVOICES_NEO4J_LIB`` or ``<home>/lib``.
        Pointing several homes at one lib folder shares the jars.

    Returns
    -------
    Path
        The lib folder.

    Raises
    ------
    Neo4jServerError
        If Maven is missing or fails (the message ends with its output's tail).
    """
    home = server_home(home)
    lib = _lib_dir(home, lib_dir)
    if (lib / _MARKER_JAR).is_file():
        return lib
    lib.parent.mkdir(parents=True, exist_ok=True)
    with _locked(lib.parent / f".{lib.name}.lock"):
        if (lib / _MARKER_JAR).is_file():  # another process finished meanwhile
            return lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jServerError(
                "Maven (mvn) is not on PATH; it is needed once to fetch the Neo4j jars"
            )
        if not _POM.is_file():
            raise Neo4jServerError(f"missing {_POM} (is the package installed completely?)")
        maven_dir = home / "maven"
        maven_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_POM, maven_dir / "pom.xml")
        partial = lib.parent / f".{lib.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        cmd = [
            mvn,
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(maven_dir / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={partial}",
        ]
        try:
            proc = subprocess.run(
                cmd,
                cwd=maven_dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=1800,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise Neo4jServerError(f"could not run Maven to fetch the Neo4j jars: {exc}") from exc
        if proc.returncode != 0 or not (partial / _MARKER_JAR).is_file():
            shutil.rmtree(partial, ignore_errors=True)
            raise Neo4jServerError(
                f"Maven failed to fetch the Neo4j {NEO4J_VERSION} jars "
                f"(exit {proc.returncode}, pom {maven_dir / 'pom.xml'}); last output:\n"
                + _tail_text(proc.stdout, 25)
            )
        lib.mkdir(parents=True, exist_ok=True)
        # The marker jar moves last, so a half-copied lib is never taken as complete.
        jars = sorted(partial.iterdir(), key=lambda p: p.name == _MARKER_JAR)
        for jar in jars:
            os.replace(jar, lib / jar.name)
        shutil.rmtree(partial, ignore_errors=True)
    return lib


# --------------------------------------------------------------------------- java


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run(
            [java, "-version"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _find_java() -> str:
    """Java 17: $GRIDVOICES_JAVA, else $JAVA_HOME, else PATH, else /usr/lib/jvm/*17*."""
    explicit = os.environ.get("GRIDVOICES_JAVA")
    if explicit:
        major = _java_major(explicit)
        if major != JAVA_MAJOR:
            raise Neo4jServerError(
                f"GRIDVOICES_JAVA={explicit} is "
                + (f"Java {major}" if major else "not a working java")
                + f"; the local Neo4j server needs Java {JAVA_MAJOR}"
            )
        return explicit
    candidates: list[str] = []
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidates.append(str(Path(java_home) / "bin" / "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    candidates += sorted(str(p) for p in Path("/usr/lib/jvm").glob("*17*/bin/java"))
    seen: list[str] = []
    for java in candidates:
        if java in seen:
            continue
        seen.append(java)
        if _java_major(java) == JAVA_MAJOR:
            return java
    raise Neo4jServerError(
        f"no Java {JAVA_MAJOR} found (tried {', '.join(seen) or 'nothing'}); "
        "install it or set GRIDVOICES_JAVA to its java binary"
    )
