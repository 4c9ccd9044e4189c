"""The CLI's plain-value coercion gives what Typer's Pydantic adapter gives (issue 17, P7).

``gridvoices.cli.coercion`` answers plain option values without Pydantic and leaves every
other value to Typer's adapter; these tests hold the two to the same results and the CLI
to Typer's own error messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.core
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param, resolve_type_descriptor
from typer.models import ArgumentInfo, OptionInfo
from typer.testing import CliRunner

from gridvoices.cli import coercion
from gridvoices.cli.main import app

VALUES = {
    str: ["a", "", " x ", "Lantern Recovery Hub", "-", "2024-Q1..Q4", "é"],
    int: ["3", "0", "007", "-3", " 3", "3.0", "+3", "3_0", "abc", "", "9" * 30, 5],
    float: ["0.5", "1", "-2.25", "1e3", "inf", ".5", "5.", "x", 2.5],
    bool: [True, False],
    Path: ["a", "a//b/", "", " ", "~", "-", "/", "/nonexistent/x", ".", Path("out")],
    list[str]: [("a", "b"), ["x"], (), ("a", "")],
}


def _adapter(annotation, info):
    return build_runtime_param(resolve_type_descriptor(annotation, info))


def _full(annotation, info, value):
    try:
        return "ok", _adapter(annotation, info)._coerce_value(value, param=None, ctx=None)
    except BadParameter as e:
        return "error", e.message


@pytest.mark.parametrize("info", [OptionInfo(), ArgumentInfo()], ids=["option", "argument"])
@pytest.mark.parametrize(
    ("annotation", "value"), [(a, v) for a, vs in VALUES.items() for v in vs], ids=repr
)
def test_a_plain_value_coerces_as_typer_s_adapter_does(annotation, info, value):
    quick = coercion.fast_coerce(annotation, info, value)
    if quick is coercion.UNHANDLED:
        return  # left to the adapter itself
    kind, expected = _full(annotation, info, value)
    assert kind == "ok"
    assert quick == expected and type(quick) is type(expected)


def test_every_plain_kind_is_answered_without_the_adapter():
    # The fast path must not silently fall back for what the commands pass every run.
    info = OptionInfo()
    for annotation, value in [
        (str, "a"),
        (int, "3"),
        (float, "0.5"),
        (Path, "out.html"),
        (list[str], ("2024-Q1",)),
        (bool, True),
    ]:
        assert coercion.fast_coerce(annotation, info, value) is not coercion.UNHANDLED


def test_ranges_parsers_and_other_types_go_to_the_adapter():
    assert coercion.fast_coerce(int, OptionInfo(min=1), "3") is coercion.UNHANDLED
    assert coercion.fast_coerce(str, OptionInfo(parser=str.upper), "a") is coercion.UNHANDLED
    assert coercion.fast_coerce(tuple[str, str], OptionInfo(), ("a", "b")) is coercion.UNHANDLED
    assert coercion.fast_coerce(list[Path], ArgumentInfo(), ("a",)) is coercion.UNHANDLED
    # A path Typer refuses is refused by the adapter, in its words.
    must_exist = ArgumentInfo(exists=True)
    assert coercion.fast_coerce(Path, must_exist, "/nonexistent/x") is coercion.UNHANDLED


def test_the_cli_is_routed_through_it():
    assert coercion.install() is True
    assert getattr(typer.core.build_runtime_param, "_gridvoices", False)


def test_a_bad_number_gets_typer_s_own_message(tmp_path):
    _, message = _full(int, OptionInfo(), "three")
    res = CliRunner().invoke(app, ["paths", "A", "B", "-k", "three", "-w", str(tmp_path)])
    assert res.exit_code == 2
    assert message in " ".join(res.output.replace("│", " ").split())  # rich's error box
