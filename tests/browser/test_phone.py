"""A phone-sized screen (375 x 812): the wizard, the overview and a store's page fit its width."""

from __future__ import annotations

from playwright.sync_api import Page

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import MakeUi

PHONE = (375, 812)


def assert_no_horizontal_scroll(page: Page, where: str) -> None:
    content, viewport = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert content <= viewport, f"{where}: {content}px wide on a {viewport}px screen"


def test_a_phone_sized_screen_needs_no_horizontal_scroll(
    make_ui: MakeUi, woo: FakeWooCommerceStore
) -> None:
    ui = make_ui(viewport=PHONE)
    page = ui.page
    flows.register(ui)
    assert_no_horizontal_scroll(page, "overview (empty)")
    flows.credentials_step(ui, "WooCommerce")
    assert_no_horizontal_scroll(page, "wizard")
    page.goto("/overview")

    flows.add_store(ui, woo)
    flows.wait_for_sync(ui)
    assert_no_horizontal_scroll(page, "store page")
    ui.goto("/overview", "overview")
    assert_no_horizontal_scroll(page, "overview")
    ui.goto("/stores", "stores")
    assert_no_horizontal_scroll(page, "stores")
