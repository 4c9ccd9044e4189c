"""Trial counts of the fault-injection suite, printed at the end of the run."""

from __future__ import annotations

from collections import defaultdict

import pytest

TRIALS: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # fault -> [run, passed]


@pytest.fixture
def trials():
    """Record a trial: ``trials(name, passed)``."""

    def record(name: str, passed: bool = True) -> None:
        TRIALS[name][0] += 1
        TRIALS[name][1] += int(passed)

    return record


def pytest_terminal_summary(terminalreporter):
    if not TRIALS:
        return
    terminalreporter.section("fault injection: trials passed / run")
    for name, (run, passed) in sorted(TRIALS.items()):
        terminalreporter.write_line(f"{name:55} {passed:3} / {run}")
