"""The seed's success list in the browser: add a WooCommerce store through the wizard, watch its
first sync finish, browse, search and page its products; add a Shopify store and see the
overview's numbers follow."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import Ui

COLUMNS = [
    "Image",
    "Name",
    "SKU",
    "Price",
    "Stock",
    "Availability",
    "Status",
    "Change",
    "Select for a bulk change",
]


def number(value: int) -> re.Pattern[str]:
    """The number alone, not inside a longer one."""
    return re.compile(rf"(^|\D){value}(\D|$)")


def products_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Products")


def column(page: Page, name: str) -> list[str]:
    """The texts of one column of the products table, top to bottom."""
    index = COLUMNS.index(name)
    rows = products_table(page).locator("tbody tr")
    cells = [rows.nth(i).locator("th, td").nth(index) for i in range(rows.count())]
    return [cell.inner_text().strip() for cell in cells]


def search(ui: Ui, query: str, step: str) -> None:
    page = ui.page
    page.get_by_label("Search products", exact=True).fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(products_table(page).locator("tbody tr").first).to_be_visible()
    ui.snap(step)


def test_a_woocommerce_store_added_in_the_wizard_syncs_and_shows_its_products(
    ui: Ui, woo: FakeWooCommerceStore
) -> None:
    page = ui.page
    flows.register(ui)
    store_id = flows.add_store(ui, woo)
    ui.snap("store-page")
    flows.wait_for_sync(ui)
    expect(page.get_by_test_id("connection-status")).to_contain_text("Connected")

    # Every product, once, across the pages.
    table = products_table(page)
    expect(table.get_by_role("columnheader")).to_have_text(COLUMNS)
    names = column(page, "Name")
    pages = 1
    while page.get_by_role("link", name="Next", exact=True).count():
        page.get_by_role("link", name="Next", exact=True).click()
        pages += 1
        expect(table.locator("tbody tr").first).to_be_visible()
        ui.snap(f"products-page-{pages}")
        names += column(page, "Name")
    assert pages > 1, "60 products fit on one page: nothing to page through"
    assert len(names) == len(set(names)) == 60
    page.get_by_role("link", name="Previous", exact=True).click()
    expect(table.locator("tbody tr").first).to_be_visible()

    wanted = flows.searchable(woo)
    search(ui, wanted.name, "search-by-name")
    found = column(page, "Name")
    assert wanted.name in found
    assert all(wanted.name.lower() in name.lower() for name in found)
    search(ui, wanted.sku, "search-by-sku")
    assert column(page, "SKU") == [wanted.sku]
    assert column(page, "Name") == [wanted.name]

    # The sync is in the history, and testing the connection again says it works.
    expect(page.get_by_role("table", name="Sync history").locator("tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Test connection", exact=True).click()
    expect(page.get_by_test_id("connection-status")).to_contain_text("Connected")
    ui.snap("connection-tested")

    ui.goto("/stores", "stores")
    card = page.get_by_test_id("store-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("WooCommerce")
    expect(card).to_contain_text(woo.url)
    expect(card).to_contain_text("60")
    card.get_by_role("link", name="Woo Outlet").click()
    expect(page).to_have_url(flows.at(f"/stores/{store_id}"))


def test_adding_a_shopify_store_changes_the_overview(
    ui: Ui, woo: FakeWooCommerceStore, shop: FakeShopifyStore
) -> None:
    page = ui.page
    flows.register(ui)
    woo_id = flows.add_store(ui, woo)
    flows.wait_for_sync(ui, "woo-synced")
    ui.goto("/overview", "overview-one-store")
    expect(flows.stat(page, "connected-stores")).to_have_text(number(1))
    expect(flows.stat(page, "products-synced")).to_have_text(number(60))

    shop_id = flows.add_store(ui, shop)
    flows.wait_for_sync(ui, "shopify-synced")
    ui.goto("/overview", "overview-two-stores")
    expect(flows.stat(page, "connected-stores")).to_have_text(number(2))
    expect(flows.stat(page, "total-stores")).to_have_text(number(2))
    expect(flows.stat(page, "products-synced")).to_have_text(number(60 + 40))
    expect(flows.stat(page, "last-sync")).not_to_have_text(re.compile(r"^\s*(Never|—|-)?\s*$"))
    for store_id in (woo_id, shop_id):
        expect(page.get_by_test_id(f"store-status-{store_id}")).to_contain_text("Connected")
    activity = page.get_by_role("region", name="Recent activity")
    expect(activity).to_contain_text("Woo Outlet")
    expect(activity).to_contain_text("Shopify Boutique")
    sync_buttons = page.get_by_role("button", name="Sync now")
    expect(sync_buttons).to_have_count(2)

    # The overview's quick action starts a sync and says so.
    sync_buttons.first.click()
    expect(page).to_have_url(flows.at("/overview"))
    expect(page.get_by_role("status").filter(has_text="A sync has started.")).to_be_visible()
    ui.snap("sync-started")

    ui.goto("/stores", "stores")
    cards = page.get_by_test_id("store-card")
    expect(cards).to_have_count(2)
    shopify_card = cards.filter(has_text="Shopify Boutique")
    expect(shopify_card).to_contain_text("Shopify")
    expect(shopify_card).to_contain_text("40")


def test_a_shopify_store_connects_with_a_dev_dashboard_app(ui: Ui, shop: FakeShopifyStore) -> None:
    page = ui.page
    app = shop.client_credentials()
    ui.secrets.add(app["client_secret"])
    flows.register(ui)
    flows.credentials_step(ui, "Shopify")
    # The Dev Dashboard app's client ID and secret are offered first, the legacy token beside.
    expect(
        page.get_by_role("group", name="Dev Dashboard app (client ID and secret)")
    ).to_be_visible()
    expect(page.get_by_text("Shopify now creates apps in the Dev Dashboard").first).to_be_visible()
    expect(page.get_by_label("Admin API access token", exact=True)).to_be_visible()
    flows.fill_credentials(page, app)
    flows.connection_test_button(page).click()
    expect(page.get_by_text("Connected to Shopify Boutique")).to_be_visible()
    ui.snap("connected-with-app")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="Save store", exact=True).click()
    # The store page names the app (its client ID is no secret), never the secret.
    expect(page.get_by_text(f"client {app['client_id']}")).to_be_visible()
    ui.snap("saved-with-app")
