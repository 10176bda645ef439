"""A Shopify store added in the dashboard over the GraphQL Admin API: the wizard offers GraphQL
first and checked, the store syncs through it and its products show; REST stays selectable."""

from __future__ import annotations

from playwright.sync_api import expect

from g4hub_connectors.testing import FakeShopifyStore
from tests.browser import flows
from tests.browser._browser import Ui

GRAPHQL = "GraphQL Admin API (recommended)"
REST = "REST Admin API (legacy)"


def test_a_shopify_store_added_over_graphql_syncs_and_shows_its_products(
    ui: Ui, shop: FakeShopifyStore
) -> None:
    page = ui.page
    flows.register(ui)
    flows.credentials_step(ui, "Shopify")
    choice = page.get_by_role("group", name="Shopify API")
    expect(choice.get_by_role("radio", name=GRAPHQL)).to_be_checked()
    expect(choice.get_by_role("radio", name=REST)).not_to_be_checked()
    expect(choice).to_contain_text("at most 100 variants per product")
    flows.fill_credentials(page, shop.credentials())
    flows.connection_test_button(page).click()
    expect(page.get_by_text(f"Connected to {shop.shop_name}")).to_be_visible()
    ui.snap("graphql-connected")
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_role("radio", name="Sync now")).to_be_checked()
    page.get_by_role("button", name="Save store", exact=True).click()
    expect(page).to_have_url(flows.STORE_PAGE)
    store_id = flows.store_id_of(page)
    flows.wait_for_sync(ui, "graphql-synced")

    ui.goto(f"/stores/{store_id}?per_page=100", "graphql-products")
    rows = page.get_by_role("table", name="Products").locator("tbody tr")
    expect(rows).to_have_count(len(shop.product_ids()))
    # Every listing went over GraphQL: nothing asked the REST product endpoints.
    admin = [r.path for r in shop.requests if "/admin/api/" in r.path]
    assert admin
    assert all(path.endswith("/graphql.json") for path in admin)

    ui.goto(f"/stores/{store_id}/edit", "graphql-edit")
    expect(page.get_by_role("radio", name=GRAPHQL)).to_be_checked()
