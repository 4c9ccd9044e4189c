"""Static pictures of a view without a person: headless chromium draws the page's own picture.

The page draws its own picture (``gridVoices.exportPng()``: white background,
title, periods, source, warnings and legend drawn in) — the same image its
"Save as PNG" button downloads — and this module saves it. The browser is driven by
:mod:`gridvoices.visualise.chromium` (Debian's chromium, offline).
"""

from __future__ import annotations

import base64
from pathlib import Path

from gridvoices.visualise.chromium import ChromiumError, offline_page, run_sync

__all__ = ["html_to_png", "PngError"]

_PREFIX = "data:image/png;base64,"


class PngError(ChromiumError):
    """The picture could not be made (no browser, or the page did not get ready)."""


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
    return run_sync(_draw, Path(html), Path(png), width, height, scale, timeout)


def _draw(html: Path, png: Path, width: int, height: int, scale: float, timeout: float) -> Path:
    html = html.resolve()
    errors: list[str] = []
    with offline_page(
        html.as_uri(),
        error=PngError,
        failed=lambda e: f"could not draw {html.name}: {e}; page errors: {errors}",
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
    ) as page:
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.as_uri())
        page.wait_for_selector(
            '#gv-network[data-ready="true"]', state="attached", timeout=timeout * 1000
        )
        url = page.evaluate("gridVoices.exportPng()")
    if errors:
        raise PngError(f"{html.name} raised errors while drawing: {errors}")
    if not isinstance(url, str) or not url.startswith(_PREFIX):
        raise PngError(f"{html.name} did not return a PNG")
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(base64.b64decode(url[len(_PREFIX) :]))
    return png
