"""One way to drive a browser without a person: Debian's chromium, headless, via playwright.

Pictures of views (:mod:`gridvoices.visualise.png`) and the report's PDF
(:mod:`gridvoices.visualise.report.pdf`) both open a page here. The browser is
``/usr/bin/chromium`` (or ``$GRIDVOICES_CHROMIUM``); nothing is downloaded, and the pages
are self-contained, so the browser needs no network at all: every request other than the
page itself is refused.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["CHROMIUM_ARGS", "ChromiumError", "chromium_path", "offline_page", "run_sync"]

# No sandbox (containers), no GPU, and nothing that phones home or updates itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

T = TypeVar("T")


class ChromiumError(RuntimeError):
    """No browser, no playwright, or the browser failed."""


def chromium_path() -> str:
    """The chromium executable to drive: ``$GRIDVOICES_CHROMIUM`` or Debian's."""
    return os.environ.get("GRIDVOICES_CHROMIUM") or "/usr/bin/chromium"


@contextmanager
def offline_page(
    url: str,
    *,
    error: type[Exception] = ChromiumError,
    failed: Callable[[Exception], str] = str,
    **options: Any,
) -> Iterator[Any]:
    """A page of a fresh headless chromium that may load ``url`` and nothing else.

    ``options`` go to ``browser.new_page`` (viewport, device_scale_factor). A missing
    playwright or browser, and any playwright error inside the ``with`` block, raise
    ``error`` (the caller's own exception), the latter with the message ``failed(e)``.
    The browser is closed on the way out.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise error("playwright (python) is not installed: pip install playwright") from e
    exe = chromium_path()
    if not Path(exe).is_file():
        raise error(
            f"chromium not found at {exe} (install Debian's chromium or set GRIDVOICES_CHROMIUM)"
        )
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(**options)
                # The page is self-contained; anything else it asked for would be a bug.
                page.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
                yield page
            finally:
                browser.close()
    except PlaywrightError as e:
        raise error(failed(e)) from e


def run_sync(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, in a thread of its own when an event loop runs in this one.

    Playwright's sync API refuses to run inside an asyncio loop (Jupyter, another
    playwright session).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()
