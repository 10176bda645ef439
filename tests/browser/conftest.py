"""Browser-test fixtures: one Chromium for the package's tests, a live hub per test, fake stores on
loopback ports, and `Ui`s (a browser context each) that screenshot and check every page.

    def test_something(ui: Ui, woo: FakeWooCommerceStore) -> None:
        flows.register(ui)
        ...

`make_ui(label=..., viewport=(375, 812), javascript=False)` opens further contexts. After each
test: a screenshot of every open page if the test failed, no request beyond loopback, and no
response of the hub (pages, redirects, JSON views) with a 5xx, a traceback or a secret.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import HubSettings
from g4hub_core.vault import generate_key
from hub_api.settings import ApiSettings
from tests.browser._browser import (
    SCREENSHOTS,
    MakeUi,
    Ui,
    assert_clean,
    launch,
    open_ui,
    saved_screenshots,
)
from tests.browser._live import LiveHub
from tests.browser.flows import PASSWORD
from tests.conftest import place_migrated_sqlite

_CALL_REPORT = pytest.StashKey[pytest.TestReport]()

# Waits for the page, not assertions on speed: generous so a loaded CI machine passes.
expect.set_options(timeout=10_000)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep the test's outcome, so `make_ui` screenshots every page of a failed test."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    shots = saved_screenshots()
    if shots:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(shots)} screenshots in {SCREENSHOTS}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist (`nox -s tests` runs `--dist loadgroup`), every browser test goes to one
    worker, in a row: one Chromium for them all, and the browser tests' CPU-hungry pages never
    compete with each other on a small machine."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all browser tests. Package-scoped, not session-scoped: while the sync
    API is open its event loop counts as running in the main thread, and pytest-asyncio's tests
    after this package could not run their own loop."""
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _quick_hashing(quick_password_hashing: None) -> None:
    """Light argon2 parameters for the live hub, which runs in this process (tests/conftest.py
    says why)."""


@pytest.fixture
def secrets() -> set[str]:
    """Values no page and no response may contain; the store fixtures add their credentials."""
    return {PASSWORD}


@pytest.fixture
def hub_overrides() -> dict[str, Any]:
    """Extra `HubSettings` for the live hub; a test module overrides this fixture to change them."""
    return {}


@pytest.fixture
def live_hub(
    tmp_path: Path, secrets: set[str], hub_overrides: dict[str, Any], sqlite_template: Path
) -> Iterator[LiveHub]:
    settings = HubSettings(
        data_dir=tmp_path / "hub",
        database_url=f"sqlite:///{tmp_path / 'hub.db'}",
        secret_keys=generate_key("test").encoded(),
        allow_private_store_hosts=True,
        **hub_overrides,
    )
    api = ApiSettings(jwt_secret="browser-test-jwt-secret-" + "x" * 32, log_json=False)
    # A copy of the session's migrated database, unless a test module chose another database.
    migrated = place_migrated_sqlite(settings.resolved_database_url, sqlite_template)
    hub = LiveHub(settings, api, migrate=not migrated)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()
    for response in hub.responses:
        where = f"{response.method} {response.path} ({response.status})"
        assert response.status < 500, f"{where}: a server error"
        assert_clean(response.body, secrets, where)


@pytest.fixture
def make_ui(
    browser: Browser, live_hub: LiveHub, secrets: set[str], request: pytest.FixtureRequest
) -> Iterator[MakeUi]:
    made: list[Ui] = []

    def make(
        label: str = "", viewport: tuple[int, int] = (1280, 900), javascript: bool = True
    ) -> Ui:
        ui = open_ui(
            browser,
            live_hub.url,
            request.node.name,
            label=label,
            viewport=viewport,
            javascript=javascript,
        )
        ui.secrets = secrets
        if not made:
            ui.clear_old_screenshots()
        made.append(ui)
        return ui

    yield make
    report = request.node.stash.get(_CALL_REPORT, None)
    try:
        for ui in made:
            if report is not None and report.failed and not ui.page.is_closed():
                ui.screenshot("failure")
            assert not ui.outside, f"the page reached beyond loopback: {ui.outside}"
    finally:
        for ui in made:
            ui.context.close()


@pytest.fixture
def ui(make_ui: MakeUi) -> Ui:
    """A desktop-sized browser context with JavaScript, signed out."""
    return make_ui()


@pytest.fixture
def woo(secrets: set[str]) -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=60, store_name="Woo Outlet")
    secrets.update({store.consumer_key, store.consumer_secret})
    with store.serve():
        yield store


@pytest.fixture
def shop(secrets: set[str]) -> Iterator[FakeShopifyStore]:
    store = FakeShopifyStore(products=40, shop_name="Shopify Boutique")
    secrets.add(store.access_token)
    with store.serve():
        yield store
