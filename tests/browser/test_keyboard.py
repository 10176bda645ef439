"""Keyboard only: the login form and the whole add-store wizard with Tab, Enter and Space, with
a visible focus indicator on every control reached."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import MakeUi, Ui

# Focus is visible when the focused element matches :focus-visible and draws an outline or a
# shadow (Chromium's own focus ring counts: its outline-style is "auto").
FOCUS_VISIBLE = """el => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== "none" && style.boxShadow !== "";
    return el.matches(":focus-visible") && (outline || shadow);
}"""
ACTIVE = "() => document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ''"


def tab_to(page: Page, target: Locator, limit: int = 40) -> None:
    """Press Tab until `target` (one element, or the first focused of several) has the focus;
    then its focus must be visible."""
    focused = target.and_(page.locator(":focus"))
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused.count():
            assert focused.evaluate(FOCUS_VISIBLE), f"no visible focus on {page.evaluate(ACTIVE)}"
            return
    raise AssertionError(f"Tab never reached {target}")


def type_into(page: Page, field: Locator, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)


def test_the_skip_link_comes_first_and_login_works_by_keyboard(
    make_ui: MakeUi,
) -> None:
    signup = make_ui(label="signup")
    email = flows.register(signup)
    ui = make_ui()
    page = ui.page
    ui.goto("/login")

    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_attribute("href", re.compile(r"^#"))
    expect(skip).to_be_in_viewport()
    assert skip.evaluate(FOCUS_VISIBLE)
    ui.snap("skip-link")

    type_into(page, page.get_by_label("Email", exact=True), email)
    type_into(page, page.get_by_label("Password", exact=True), flows.PASSWORD)
    ui.snap("login-filled")
    page.keyboard.press("Enter")
    expect(page).to_have_url(flows.at("/overview"))


def test_the_wizard_by_keyboard(ui: Ui, woo: FakeWooCommerceStore) -> None:
    page = ui.page
    flows.register(ui)

    tab_to(page, page.get_by_role("link", name="Add store", exact=True).first)
    page.keyboard.press("Enter")
    expect(page).to_have_url(flows.at("/stores/new"))

    woocommerce = page.get_by_role("radio", name="WooCommerce")
    tab_to(page, page.get_by_role("radio"))  # Tab enters a radio group once
    for _ in range(3):  # arrows move between the radios of a group
        if woocommerce.is_checked():
            break
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    expect(woocommerce).to_be_checked()
    ui.snap("platform")
    tab_to(page, page.get_by_role("button", name="Continue", exact=True))
    page.keyboard.press("Enter")

    credentials = woo.credentials()
    type_into(page, page.get_by_label("Store URL", exact=True), credentials["store_url"])
    type_into(page, page.get_by_label("Consumer key", exact=True), credentials["consumer_key"])
    type_into(
        page, page.get_by_label("Consumer secret", exact=True), credentials["consumer_secret"]
    )
    ui.snap("credentials")
    tab_to(page, flows.connection_test_button(page))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Connected to Woo Outlet")).to_be_visible()

    tab_to(page, page.get_by_role("button", name="Continue", exact=True))
    page.keyboard.press("Space")
    expect(page.get_by_label("Store name", exact=True)).to_have_value("Woo Outlet")
    tab_to(page, page.get_by_role("button", name="Save store", exact=True))
    ui.snap("configuration")
    page.keyboard.press("Enter")
    expect(page).to_have_url(flows.STORE_PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Woo Outlet")
    ui.snap("store-page")
