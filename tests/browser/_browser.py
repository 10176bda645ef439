"""Debian's Chromium under Playwright, and `Ui`: a page plus the checks every visited page gets.

`Ui.snap(step)` saves a full-page screenshot to `test-artifacts/screenshots/<test>-<NN>-<step>.png`
and checks the page as a user sees it: a `<title>` ending in "· G4 Hub", exactly one `<h1>`, no
traceback, no credential in its HTML. Tests call it after every page they reach.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, Route

__all__ = [
    "CHROMIUM",
    "SCREENSHOTS",
    "MakeUi",
    "Ui",
    "assert_clean",
    "launch",
    "open_ui",
    "saved_screenshots",
]

CHROMIUM = Path(os.environ.get("G4HUB_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Markers of an unhandled error rendered into a page (Python's traceback, Jinja's errors).
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "jinja2.exceptions")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
_saved: list[Path] = []


def saved_screenshots() -> list[Path]:
    """Screenshots saved in this session."""
    return list(_saved)


def launch(playwright: Playwright) -> Browser:
    """Chromium from Debian (never Playwright's own download). Missing: a failure when the run
    must cover the browser (CI, or G4HUB_REQUIRE_BROWSER=1), a skip with the reason otherwise."""
    if not CHROMIUM.is_file():
        reason = (
            f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` "
            "(never `playwright install`), or set G4HUB_CHROMIUM"
        )
        if os.environ.get("CI") or os.environ.get("G4HUB_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return True  # data:, blob:, about: stay inside the browser
    return (parts.hostname or "") in LOOPBACK_HOSTS or parts.netloc in LOOPBACK_HOSTS


class Ui:
    """One browser context and its page, signed in or not, with screenshots and page checks.

    `secrets` are values no page may contain (keys, tokens, passwords typed into forms).
    Requests beyond loopback are blocked: product images (thumbnails from the stores' CDNs, as
    in production) are counted in `outside_images`; anything else lands in `outside`, and a
    test fails on any (no third-party script, style or font, no call home).
    """

    def __init__(self, context: BrowserContext, test_name: str, label: str = "") -> None:
        self.context = context
        self.page: Page = context.new_page()
        self.prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name) + (f"-{label}" if label else "")
        self.secrets: set[str] = set()
        self.outside: list[str] = []
        self.outside_images: list[str] = []
        self._step = 0
        context.route(lambda url: not _is_loopback(url), self._block)

    def _block(self, route: Route, request: Request) -> None:
        kept = self.outside_images if request.resource_type == "image" else self.outside
        kept.append(request.url)
        route.abort()

    def goto(self, path: str, step: str | None = None) -> Page:
        self.page.goto(path)
        if step:
            self.snap(step)
        return self.page

    def snap(self, step: str) -> Path:
        """Screenshot the whole page, then check it (see the module's docstring)."""
        self._step += 1
        path = self.screenshot(f"{self._step:02d}-{step}")
        self.check_page(step)
        return path

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot as `<test>-<name>.png`, unchecked."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.prefix}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        _saved.append(path)
        return path

    def check_page(self, step: str) -> None:
        html = self.page.content()
        where = f"{step} ({self.page.url})"
        assert_clean(html, self.secrets, where)
        title = self.page.title()
        assert title.endswith("· G4 Hub"), f"{where}: title {title!r} does not end in '· G4 Hub'"
        assert self.page.locator("h1").count() == 1, f"{where}: not exactly one <h1>"

    def clear_old_screenshots(self) -> None:
        for old in SCREENSHOTS.glob(f"{self.prefix}-*.png"):
            old.unlink()


def assert_clean(text: str, secrets: Iterable[str], where: str) -> None:
    """No traceback and no secret in `text`; the message names the place, never the secret."""
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, f"{where}: a traceback ({marker!r}) is shown"
    for index, secret in enumerate(sorted(secrets)):
        assert secret not in text, f"{where}: secret #{index} appears in the page"


def open_ui(
    browser: Browser,
    base_url: str,
    test_name: str,
    *,
    label: str = "",
    viewport: tuple[int, int] = (1280, 900),
    javascript: bool = True,
) -> Ui:
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": viewport[0], "height": viewport[1]},
        java_script_enabled=javascript,
        locale="en-US",
        timezone_id="UTC",
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(15_000)
    return Ui(context, test_name, label)


MakeUi = Callable[..., Ui]
"""The `make_ui` fixture: `make_ui(label="", viewport=(1280, 900), javascript=True) -> Ui`."""
