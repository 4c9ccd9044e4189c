"""Helpers for self-contained HTML pages that must open offline and safely.

Everything a page needs is inlined: the vis-network script and stylesheet come
from the copy that pyvis ships (``pyvis/templates/lib/vis-9.1.2``), never from
a CDN. Data goes into a ``<script type="application/json">`` block through
:func:`json_for_script`, which makes it impossible for a partner-supplied
string to close the tag. :func:`content_security_policy` pins the page's own
inline scripts by hash and forbids every fetch, so even a mistake elsewhere
cannot phone home or run an injected event handler.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

__all__ = [
    "VIS_VERSION",
    "vis_assets",
    "json_for_script",
    "script_hash",
    "content_security_policy",
    "external_references",
]

VIS_VERSION = "9.1.2"

# Characters that could end a <script> element, open a comment, or break a JS string.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


@cache
def vis_assets() -> tuple[str, str]:
    """The vis-network ``(javascript, css)`` bundled with pyvis, read from its package."""
    # Located without importing pyvis, whose import pulls in IPython (most of a second).
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        raise RuntimeError("pyvis is not installed: the views inline its copy of vis-network")
    lib = (
        Path(list(spec.submodule_search_locations)[0]) / "templates" / "lib" / f"vis-{VIS_VERSION}"
    )
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():  # pragma: no cover - vendor check
        raise RuntimeError("vis-network assets cannot be inlined safely")
    return js, css


def json_for_script(value) -> str:
    """JSON text that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where their
    ``\\uXXXX`` forms mean the same, so the result parses to the same value.

    Examples
    --------
    >>> json_for_script({"name": "</script><script>alert(2)</script>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(2)\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def script_hash(source: str) -> str:
    """The CSP source expression (``'sha256-…'``) for an inline script's exact text."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(*scripts: str) -> str:
    """A policy allowing only the given inline scripts, inline styles and data: images.

    Nothing may be fetched (``default-src 'none'``) and inline event handlers
    such as ``onerror=`` are refused because scripts are allowed by hash only.
    """
    hashes = " ".join(script_hash(s) for s in scripts)
    return (
        "default-src 'none'; "
        f"script-src {hashes}; "
        "style-src 'unsafe-inline'; "
        "img-src data:; "
        "font-src data:; "
        "base-uri 'none'; "
        "form-action 'none'"
    )


_CSS_URL = re.compile(r"""url\(\s*['"]?\s*([^'")\s]*)|@import\s+['"]?([^'";\s]*)""", re.I)


class _RefCollector(HTMLParser):
    _ATTRS = {"src", "href", "srcset", "data", "poster", "action", "formaction", "background"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in self._ATTRS and value:
                self.refs.append((tag, name, value.strip()))
            elif name == "style" and value:
                self._css(tag, value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css("style", data)

    def _css(self, tag, text):
        for match in _CSS_URL.finditer(text):
            self.refs.append((tag, "url", (match.group(1) or match.group(2) or "").strip()))


def external_references(page: str) -> list[str]:
    """Tags in ``page`` whose ``src``/``href``-like attribute or CSS ``url()`` points off the page.

    ``data:`` URIs and in-page fragments (``#id``) are fine; anything else,
    including relative paths, would need a network or file fetch.

    Examples
    --------
    >>> external_references('<script src="https://cdn.example/x.js"></script><a href="#top">')
    ["<script src='https://cdn.example/x.js'>"]
    >>> external_references('<style>b { background: url(//x.example/a.png) }</style>')
    ["<style url='//x.example/a.png'>"]
    """
    collector = _RefCollector()
    collector.feed(page)
    collector.close()
    return [
        f"<{tag} {name}={value!r}>"
        for tag, name, value in collector.refs
        if not (value.startswith("#") or value.lower().startswith("data:"))
    ]
