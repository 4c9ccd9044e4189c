"""Compiled page templates remembered on disk by content (issue 17, P7).

jinja2 turns the report's template into Python on every run: ~0.1 s of a cold
``gridvoices report``, more than its whole analysis on a county. jinja2 can keep the
compiled code between runs (a bytecode cache); it already checks the template's text
and its own bytecode format on every load, so a changed template is compiled afresh.
What it does not check, this key adds: jinja2's release and the environment options
that change the code generated (delimiters, whitespace handling, autoescaping,
extensions). An entry can therefore never go stale, only unused.

Entries live beside the disclosure layer's (``$GRIDVOICES_CACHE``, default
``~/.cache/gridvoices``), owner-only; ``GRIDVOICES_CACHE=off`` turns both off. A folder
that cannot be written only loses the speed-up.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
from gridvoices.ecosystem.cache import cache_root
from jinja2.bccache import Bucket, FileSystemBytecodeCache

__all__ = ["remember_compiled", "cache_folder", "fingerprint"]

# Environment settings the generated code depends on (the text itself is checked by jinja2).
_OPTIONS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "autoescape",
    "finalize",
)


def cache_folder() -> Path | None:
    """The compiled templates' folder (:func:`gridvoices.ecosystem.cache.cache_root`)."""
    return cache_root("templates")


def _stable(value) -> str:
    # A function's repr holds its address, new in every process: name it instead.
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value)}"
    return repr(value)


def fingerprint(env: jinja2.Environment) -> str:
    """What, besides a template's text, decides the code ``env`` compiles it to.

    >>> a = jinja2.Environment(trim_blocks=True)
    >>> fingerprint(a) == fingerprint(jinja2.Environment(trim_blocks=True))
    True
    >>> fingerprint(a) == fingerprint(jinja2.Environment())
    False
    """
    parts = [jinja2.__version__, *(f"{k}={_stable(getattr(env, k))}" for k in _OPTIONS)]
    parts.append("extensions=" + ",".join(sorted(env.extensions)))
    return "\n".join(parts)


class _ContentKeyed(FileSystemBytecodeCache):
    def __init__(self, folder: Path, env_fingerprint: str):
        super().__init__(str(folder), "%s.jinja")
        self._fingerprint = env_fingerprint

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key = f"{self._fingerprint}\0{name}\0{filename}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass  # unreadable: compiled afresh

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True, mode=0o700)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a read-only or full disk only loses the speed-up


def remember_compiled(env: jinja2.Environment) -> jinja2.Environment:
    """``env``, keeping the code its templates compile to on disk (see the module docstring).

    Call it once the environment's options are set; returns ``env`` itself.
    """
    folder = cache_folder()  # created on the first write
    if folder is None:
        return env
    env.bytecode_cache = _ContentKeyed(folder, fingerprint(env))
    return env
