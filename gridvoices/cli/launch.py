"""Build only the command being run (issue 17, P7).

Typer turns every registered command into a Click command on each run, reading the
signature and type hints of all ~35 of them, to run one: ~0.03 s of every start,
a tenth of a question's budget. :func:`app_for` gives the app to run for a command line:
when its first word names a command, a copy of the app that holds that command alone,
still a group, so usage lines, help and errors read exactly as from the whole app
(``tests/unit/test_cli_launch.py`` compares the two); anything else (no arguments,
``--help``, a misspelt command, the ``neo4j`` group) gets the whole app.
"""

from __future__ import annotations

import copy

import typer
from typer.main import get_command_name
from typer.models import TyperInfo

__all__ = ["app_for", "command_names"]


def command_names(app: typer.Typer) -> dict[str, object]:
    """The app's own commands (not its groups) by the name a user types."""
    return {
        (info.name or get_command_name(info.callback.__name__)): info
        for info in app.registered_commands
        if info.callback is not None
    }


def app_for(app: typer.Typer, args: list[str]) -> typer.Typer:
    """The app to run for ``args`` (the command line without the program name)."""
    info = command_names(app).get(args[0]) if args else None
    if info is None:
        return app
    one = copy.copy(app)
    one.registered_commands = [info]
    one.registered_groups = []
    # An empty callback registration keeps the copy a group (one command alone would
    # become the program itself) and sets nothing: the app's own settings still apply.
    one.registered_callback = TyperInfo()
    return one
