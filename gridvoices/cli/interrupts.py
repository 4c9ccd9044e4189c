"""The ``gridvoices`` entry point: Ctrl-C and SIGTERM end a run with one line and exit 130.

Installed before anything heavy is imported, so an interrupt even during start-up
prints no traceback. The signal raises :class:`Interrupted`, which is not a
``KeyboardInterrupt``: Click would turn that into "Aborted!" and exit 1 without
saying whether the data was stored. Stores roll back on any exception, and the
line printed comes from the store itself (:mod:`gridvoices.stores.outcome`).

Everything the CLI writes is created readable by its owner only (umask 077):
the store and the outputs may hold unsuppressed counts.
"""

from __future__ import annotations

import gc
import os
import signal
import sys

__all__ = ["Interrupted", "main", "EXIT_INTERRUPTED"]

EXIT_INTERRUPTED = 130


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM arrived."""


def _raise(signum, frame):
    raise Interrupted(signum)


def main() -> None:
    """Run the command line (the ``gridvoices`` console script)."""
    os.umask(0o077)
    # One command allocates mostly objects that live to the end (modules, the graph, the
    # answer); the default young-generation collection every 700 allocations walks them
    # again and again: ~0.15 s of a 2.2 s report on the shipped data. Cycles are still
    # collected, less often.
    gc.set_threshold(20_000, 20, 20)
    previous = {s: signal.signal(s, _raise) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        from gridvoices.cli.launch import app_for
        from gridvoices.cli.main import app

        app_for(app, sys.argv[1:])()
    except (Interrupted, KeyboardInterrupt):
        sys.exit(_report_interrupt())
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _report_interrupt() -> int:
    # A second Ctrl-C while the store is asked what it holds: say so and stop.
    try:
        from gridvoices.stores.outcome import interrupted_message

        line = interrupted_message()
    except BaseException:
        line = "interrupted; run `gridvoices check` to see what the store holds"
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except BaseException:
        pass
    return EXIT_INTERRUPTED


if __name__ == "__main__":
    main()
