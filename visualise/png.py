"""Static pictures of a view without a person: Debian's chromium, headless, via playwright.

The page draws its own picture (``gridVoices.exportPng()``: white background,
title, periods, source, warnings and legend drawn in) — the same image its
"Save as PNG" button downloads — and this module saves it. The browser is
``/usr/bin/chromium`` (or ``$GRIDVOICES_CHROMIUM``); nothing is downloaded, and
the page is offline, so the browser needs no network at all.
"""

from __future__ import annotations

import asyncio
import base64
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "chromium_path", "html_to_png", "PngError"]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_PREFIX = "data:image/png;base64,"


class PngError(RuntimeError):
    """The picture could not be made (no browser, or the page did not get ready)."""


def chromium_path() -> str:
    """The chromium executable to drive: ``$GRIDVOICES_CHROMIUM`` or Debian's."""
    return os.environ.get("GRIDVOICES_CHROMIUM") or "/usr/bin/chromium"


def html_to_png(
    html: str | Path,
    png: str | Path,
    *,
    width: int = 1400,
    height: int = 900,
    scale: float = 2.0,
    timeout: float = 120.0,
) -> Path:
    """Open the view ``html`` in headless chromium and write its picture to ``png``.

    Parameters
    ----------
    html : str or Path
        A view written by :func:`gridvoices.visualise.views.write_view`.
    png : str or Path
        The PNG file to write; parent folders are created.
    width, height : int
        Browser window in CSS pixels (the legend panel takes 330 of the width).
    scale : float
        Device pixel ratio: 2 gives a sharp picture for print.
    timeout : float
        Seconds to wait for the page to be drawn.

    Raises
    ------
    PngError
        When playwright or chromium is missing, or the page fails or never gets ready.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _draw(Path(html), Path(png), width, height, scale, timeout)
    # Playwright's sync API refuses to run inside an event loop (Jupyter, another playwright
    # session): draw in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_draw, Path(html), Path(png), width, height, scale, timeout).result()


def _draw(html: Path, png: Path, width: int, height: int, scale: float, timeout: float) -> Path:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise PngError("playwright (python) is not installed: pip install playwright") from e
    exe = chromium_path()
    if not Path(exe).is_file():
        raise PngError(
            f"chromium not found at {exe} (install Debian's chromium or set GRIDVOICES_CHROMIUM)"
        )
    html = html.resolve()
    errors: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(
                    viewport={"width": width, "height": height}, device_scale_factor=scale
                )
                page.on("pageerror", lambda e: errors.append(str(e)))
                # The page is self-contained; anything else it asked for would be a bug.
                page.route(
                    "**/*", lambda r: r.continue_() if r.request.url == html.as_uri() else r.abort()
                )
                page.goto(html.as_uri())
                page.wait_for_selector(
                    '#gv-network[data-ready="true"]', state="attached", timeout=timeout * 1000
                )
                url = page.evaluate("gridVoices.exportPng()")
            finally:
                browser.close()
    except PlaywrightError as e:
        raise PngError(f"could not draw {html.name}: {e}; page errors: {errors}") from e
    if errors:
        raise PngError(f"{html.name} raised errors while drawing: {errors}")
    if not isinstance(url, str) or not url.startswith(_PREFIX):
        raise PngError(f"{html.name} did not return a PNG")
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(base64.b64decode(url[len(_PREFIX) :]))
    return png
