"""Running one command builds only that command, and reads exactly as the whole app.

``gridvoices.cli.launch.app_for`` gives the console script a copy of the app holding just
the command named on the command line (issue 17, P7); help, usage lines and errors must
not change.
"""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

from gridvoices.cli.launch import app_for, command_names
from gridvoices.cli.main import app

NAMES = sorted(command_names(app))


def _both(args: list[str], tmp_path):
    runner = CliRunner()
    env = {"GRIDVOICES_WORKSPACE": str(tmp_path), "COLUMNS": "100"}
    whole = runner.invoke(app, args, env=env)
    one = runner.invoke(app_for(app, args), args, env=env)
    return whole, one


def test_every_command_of_the_app_can_be_built_alone():
    groups = {g.name for g in app.registered_groups}
    built = typer.main.get_command(app).commands
    assert set(NAMES) == set(built) - groups
    for name in NAMES:
        alone = typer.main.get_command(app_for(app, [name]))
        assert list(alone.commands) == [name]


@pytest.mark.parametrize("name", NAMES)
def test_a_command_s_help_is_the_same_built_alone(name, tmp_path):
    whole, one = _both([name, "--help"], tmp_path)
    assert whole.exit_code == one.exit_code == 0
    assert one.output == whole.output


@pytest.mark.parametrize(
    "args",
    [
        ["paths", "A"],  # missing argument
        ["summary", "--bogus"],  # unknown option
        ["isolated", "-k", "two"],  # not a number
        ["summary"],  # an empty workspace: the library's own error
        ["summary", "--json", "--csv", "x"],
    ],
)
def test_errors_read_the_same_built_alone(args, tmp_path):
    whole, one = _both(args, tmp_path)
    assert whole.exit_code == one.exit_code != 0
    assert one.output == whole.output


@pytest.mark.parametrize(
    "args", [[], ["--help"], ["sumary"], ["neo4j", "status"], ["-w", "x", "summary"]]
)
def test_anything_but_a_command_runs_the_whole_app(args):
    assert app_for(app, args) is app
