"""Without JavaScript every form still works: sign up, sign out, sign in, the wizard; the store's
page refreshes itself until the first sync is over."""

from __future__ import annotations

from playwright.sync_api import expect

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import MakeUi


def test_forms_work_without_javascript(make_ui: MakeUi, woo: FakeWooCommerceStore) -> None:
    ui = make_ui(javascript=False)
    page = ui.page
    email = flows.register(ui)
    flows.sign_out(ui)
    flows.sign_in(ui, email)
    expect(page).to_have_url(flows.at("/overview"))
    ui.snap("signed-in")

    flows.add_store(ui, woo)
    ui.snap("store-page")
    flows.wait_for_sync(ui)
    rows = page.get_by_role("table", name="Products").locator("tbody tr")
    expect(rows.first).to_be_visible()
    page.get_by_label("Search products", exact=True).fill(flows.searchable(woo).sku)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(rows).to_have_count(1)
    ui.snap("search")
