"""Memory settings for ``gridvoices import``: a process that loads one large import, then exits.

A national import (1,000,000 flows) makes and frees hundreds of megabytes of numpy arrays
of a few MB each. With the defaults, every such array is fresh memory from the kernel,
and its first touch costs page faults and zeroing: numpy asks for transparent huge pages
on arrays above 4 MB (each fault zeroes 2 MB, used or not), and glibc hands large blocks
back to the kernel (``munmap``, heap trimming) as soon as they are freed, so the next
array faults its pages in again. Measured on the national set (``benchmarks p2``; 2
cores, quiet): system time 0.54 -> 0.26 s, wall 2.79 -> 2.53 s with both settings below;
user time unchanged.

1. numpy's huge-page advice is turned off for this process (what the environment
   variable ``NUMPY_MADVISE_HUGEPAGE=0`` does at start-up).
2. On glibc, freed blocks up to 256 MB stay in the process's heap for the next array
   (``mallopt``: mmap threshold 256 MB, trim threshold 1 GB, 64 MB top pad).
3. At exit, before the interpreter's shutdown, every object left is frozen (``gc.freeze``):
   shutdown runs two full cyclic collections that walked the ~100,000 objects of the
   loaded modules (pandas, numpy, typer, rich) for nothing, ~0.09 s of a 0.15 s exit.
   Teardown itself is unchanged: the atexit handlers registered before this one (logging's
   flush among them) still run after it, modules are still cleared, the store was closed
   by the command; only cycles among frozen objects are left to the operating system.

The first two only trade memory the process keeps until it exits for fewer page faults, so they
are made by the command line's import alone, never by the library (a long-lived Python
process using :mod:`gridvoices` keeps the allocator as it was). Elsewhere (another C
library, another numpy) a setting that is not available is skipped.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
import os

__all__ = ["for_bulk_import"]

# mallopt parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_SETTINGS = ((_M_MMAP_THRESHOLD, 256 << 20), (_M_TRIM_THRESHOLD, 1 << 30), (_M_TOP_PAD, 64 << 20))


def for_bulk_import() -> dict[str, bool]:
    """Apply the settings above to this process; which of them took effect.

    Returns
    -------
    dict
        ``{"numpy_hugepages_off": bool, "glibc_malloc": bool, "frozen_at_exit": bool}``.
    """
    return {
        "numpy_hugepages_off": _numpy_hugepages_off(),
        "glibc_malloc": _glibc_malloc(),
        "frozen_at_exit": _freeze_at_exit(),
    }


_FREEZE = {"registered": False}


def _freeze_at_exit() -> bool:
    # Once per process (the command can run several times in one, as in the tests).
    if not _FREEZE["registered"]:
        atexit.register(gc.freeze)
        _FREEZE["registered"] = True
    return True


def _numpy_hugepages_off() -> bool:
    import numpy as np

    # numpy 2 keeps it in numpy._core, numpy 1.26 in numpy.core.
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    toggle = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if toggle is None:
        return False
    toggle(False)
    return True


def _glibc_malloc() -> bool:
    try:  # "glibc 2.36" on glibc; absent or an error elsewhere (musl, macOS, Windows)
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        libc = ""
    if not libc.startswith("glibc"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success, 0 when glibc refuses a value.
    return all([mallopt(param, value) == 1 for param, value in _SETTINGS])
