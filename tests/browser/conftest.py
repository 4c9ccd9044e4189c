"""Drive Debian's chromium through playwright (never a downloaded browser).

The executable is ``/usr/bin/chromium`` unless ``GRIDVOICES_CHROMIUM`` names
another. When it is missing the browser tests are skipped locally but FAIL
when ``CI`` is set: a CI run must never pass by skipping them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from gridvoices.visualise.chromium import CHROMIUM_ARGS, chromium_path

ARTIFACTS = Path(__file__).parent / "artifacts"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian chromium, launched once per test session."""
    exe = chromium_path()
    if not (Path(exe).is_file() and os.access(exe, os.X_OK)) and not shutil.which(exe):
        _unavailable(f"chromium not found at {exe} (set GRIDVOICES_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        _unavailable("playwright (python) is not installed")
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - report any launch failure the same way
            _unavailable(f"chromium at {exe} did not start: {exc}")
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh page with a fixed viewport; closed after the test."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, device_scale_factor=1)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class Opened:
    """A view loaded in a page, with every request, console error and dialog recorded."""

    def __init__(self, page, path: Path):
        self.page, self.path = page, path
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type in ("error", "assert") else None,
        )
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def on_dialog(dialog):
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(path.as_uri())
        page.wait_for_selector('#gv-network[data-ready="true"]', state="attached", timeout=60_000)

    def others(self) -> list[str]:
        """Requests other than the page itself (there must be none)."""
        return [u for u in self.requests if u != self.path.as_uri()]

    def assert_clean(self):
        assert self.others() == []
        assert self.errors == []
        assert self.dialogs == []
        assert self.page.evaluate("window.__pwned === undefined")

    def shown(self, what: str = "nodes") -> int:
        return int(self.page.locator("#gv-network").get_attribute(f"data-shown-{what}"))


@pytest.fixture
def open_view(page):
    """Open a written view file and wait until it is drawn."""
    return lambda path: Opened(page, Path(path))
