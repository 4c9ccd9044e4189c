"""Typer's option values without Pydantic when the value is plain (issue 17, P7).

Typer 0.2x coerces every option of the command being run through a Pydantic
``TypeAdapter``, built on first use even for an option left at ``None``. Importing
Pydantic and building the adapters cost ~0.1 s of every command's start, more than
answering ``summary`` on a county. Most values need no validation at all: a string for a
``str`` option, digits for an ``int``, a path for a ``Path``. :func:`install` makes Typer
coerce those directly, with the same results, and hands every other value (a malformed
number, an environment variable for a flag, a choice, a tuple) to Typer's own adapter,
built only then, so what a user sees, errors included, is unchanged.
``tests/unit/test_cli_coercion.py`` holds the two to the same answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

__all__ = ["install", "fast_coerce", "UNHANDLED"]

UNHANDLED = object()  # fast_coerce's answer when Typer's adapter must decide
# Only what int()/float() and Pydantic read alike; anything else goes to the adapter.
_INT = re.compile(r"-?[0-9]{1,18}")
_FLOAT = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")


def fast_coerce(annotation: Any, info: Any, value: Any, *, param=None, ctx=None) -> Any:
    """``value`` as Typer's adapter for ``annotation`` would return it, or :data:`UNHANDLED`.

    Only plain values are answered; a value the adapter might reject or read
    differently is left to it (so its error message is the one shown).
    """
    if getattr(info, "parser", None) is not None:
        return UNHANDLED
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        if item is not str or not isinstance(value, list | tuple):
            return UNHANDLED
        return list(value) if all(type(v) is str for v in value) else UNHANDLED
    if annotation is str:
        return value if type(value) is str else UNHANDLED
    if annotation is bool:
        return value if type(value) is bool else UNHANDLED
    numeric = annotation is int or annotation is float
    if numeric and (info.min is not None or info.max is not None or info.clamp):
        return UNHANDLED
    if annotation is int:
        if type(value) is int:
            return value
        return int(value) if type(value) is str and _INT.fullmatch(value) else UNHANDLED
    if annotation is float:
        if type(value) is float:
            return value
        return float(value) if type(value) is str and _FLOAT.fullmatch(value) else UNHANDLED
    if annotation is Path and getattr(info, "path_type", None) is None:
        return _path(value, info, param, ctx)
    return UNHANDLED


def _path(value: Any, info: Any, param, ctx) -> Any:
    from typer._click.exceptions import BadParameter
    from typer._param_types import coerce_cli_path

    if type(value) is str and value.strip():
        value = Path(value)
    if not isinstance(value, Path):
        return UNHANDLED
    try:
        return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)
    except BadParameter:
        return UNHANDLED  # the adapter raises it again, worded from the value as typed


def install() -> bool:
    """Route Typer's coercion through :func:`fast_coerce` first; False if this Typer differs.

    Typer versions without lazily built runtime parameters are left as they are.
    """
    try:
        import typer.core as core
        from typer._coercion import RuntimeParam, TypeDescriptor
        from typer._param_types import coerce_cli_path  # noqa: F401
    except ImportError:
        return False
    build = getattr(core, "build_runtime_param", None)
    if build is None or getattr(build, "_gridvoices", False):
        return build is not None

    @dataclass(frozen=True)
    class PlainFirst(RuntimeParam):
        descriptor: TypeDescriptor = None  # type: ignore[assignment]
        _full: list = field(default_factory=list, compare=False)

        def _coerce_value(self, value: Any, param, ctx) -> Any:
            d = self.descriptor
            if d.file_annotation is None:
                quick = fast_coerce(d.annotation, d.parameter_info, value, param=param, ctx=ctx)
                if quick is not UNHANDLED:
                    return quick
            if not self._full:
                self._full.append(build(d))
            return self._full[0]._coerce_value(value, param=param, ctx=ctx)

    def build_plain_first(descriptor: TypeDescriptor) -> RuntimeParam:
        return PlainFirst(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            descriptor=descriptor,
        )

    build_plain_first._gridvoices = True  # type: ignore[attr-defined]
    core.build_runtime_param = build_plain_first
    return True
