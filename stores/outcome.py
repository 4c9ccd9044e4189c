"""What a run has stored so far: the answer an interrupted command gives its user.

Ctrl-C or SIGTERM can arrive at any moment, including between a store's commit
and the line that reports it. Each write therefore registers, before it starts,
a probe that asks the store itself whether that write's commit happened; the
CLI's interrupt handler calls it, so the one line a user sees ("nothing was
stored" or "after the data was stored") matches what is on disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["writing", "interrupted_message", "reset", "STORED", "NOTHING"]

STORED = "interrupted after the data was stored"
NOTHING = "interrupted; nothing was stored"

# A probe answers "stored", "nothing" or a sentence for anything in between.
Probe = Callable[[], str]

_state: dict = {"stored": 0, "pending": None}


def reset() -> None:
    """Forget earlier writes (a fresh command in the same process, e.g. in tests)."""
    _state.update(stored=0, pending=None)


@contextmanager
def writing(probe: Probe) -> Iterator[None]:
    """Mark a write under way; ``probe()`` tells, after an interrupt, whether it committed."""
    _state["pending"] = probe
    try:
        yield
    except Exception:
        _state["pending"] = None  # a refused or failed write rolled back
        raise
    # An interrupt (a BaseException) leaves the probe: only the store can say what it left.
    _state["pending"] = None
    _state["stored"] += 1


def interrupted_message() -> str:
    """The one line for a user whose command was interrupted."""
    probe, _state["pending"] = _state["pending"], None
    if probe is not None:
        try:
            answer = probe()
        except Exception:  # the store is unreachable: say what we know for sure
            answer = "unknown"
        if answer == "stored":
            return STORED
        if answer == "unknown":
            return (
                "interrupted during a write; the store could not be asked whether it "
                "committed: run `gridvoices check` and `gridvoices sources`"
            )
        if answer != "nothing":
            return f"interrupted; {answer}"
    return STORED if _state["stored"] else NOTHING
