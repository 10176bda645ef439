"""The wizard when the connection test fails or is slow: the connector's own message in an alert
with the credentials form again, nothing saved; a loading state while the test runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import Ui

WOO_BAD_KEYS = (
    "Unable to connect to your WooCommerce store. Please check your Consumer Key and Secret."
)
SHOPIFY_NO_READ_PRODUCTS = (
    "Your Shopify access token doesn't have required permissions. "
    "Please regenerate with 'read_products' scope."
)


@pytest.fixture
def shop_without_read_products(secrets: set[str]) -> Iterator[FakeShopifyStore]:
    store = FakeShopifyStore(products=8, scopes={"read_inventory", "read_locations"})
    secrets.add(store.access_token)
    with store.serve():
        yield store


@pytest.fixture
def slow_woo(secrets: set[str]) -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=10, latency=0.75, store_name="Slow Woo")
    secrets.update({store.consumer_key, store.consumer_secret})
    with store.serve():
        yield store


def assert_nothing_saved(ui: Ui) -> None:
    ui.goto("/stores", "stores-after")
    expect(ui.page.get_by_test_id("store-card")).to_have_count(0)
    ui.goto("/overview", "overview-after")
    expect(flows.stat(ui.page, "total-stores")).to_have_text(flows.ZERO)


def test_wrong_woocommerce_keys_show_the_connectors_message(
    ui: Ui, woo: FakeWooCommerceStore
) -> None:
    page = ui.page
    wrong = woo.wrong_credentials()
    ui.secrets.update({wrong["consumer_key"], wrong["consumer_secret"]})
    flows.register(ui)
    flows.credentials_step(ui, "WooCommerce")
    flows.fill_credentials(page, wrong)
    flows.connection_test_button(page).click()

    expect(page.get_by_role("alert")).to_contain_text(WOO_BAD_KEYS)
    ui.snap("wrong-keys")
    expect(flows.connection_test_button(page)).to_be_visible()
    expect(page.get_by_label("Consumer secret", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Continue", exact=True)).to_have_count(0)

    # The right keys in the same form go through.
    flows.fill_credentials(page, woo.credentials())
    flows.connection_test_button(page).click()
    expect(page.get_by_text("Connected to Woo Outlet")).to_be_visible()
    ui.snap("right-keys")
    assert_nothing_saved(ui)


def test_a_shopify_token_without_read_products_shows_the_scope_message(
    ui: Ui, shop_without_read_products: FakeShopifyStore
) -> None:
    page = ui.page
    flows.register(ui)
    flows.credentials_step(ui, "Shopify")
    flows.fill_credentials(page, shop_without_read_products.credentials())
    flows.connection_test_button(page).click()

    expect(page.get_by_role("alert")).to_contain_text(SHOPIFY_NO_READ_PRODUCTS)
    ui.snap("missing-scope")
    expect(page.get_by_label("Admin API access token", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Continue", exact=True)).to_have_count(0)
    assert_nothing_saved(ui)


def test_a_slow_connection_test_shows_a_loading_state(
    ui: Ui, slow_woo: FakeWooCommerceStore
) -> None:
    page = ui.page
    flows.register(ui)
    flows.credentials_step(ui, "WooCommerce")
    flows.fill_credentials(page, slow_woo.credentials())
    button = flows.connection_test_button(page)
    flows.record_button_states(button)
    button.click()

    expect(page.get_by_text("Connected to Slow Woo")).to_be_visible()
    ui.snap("connected")
    # While the request ran, the button said so and could not be pressed twice.
    assert flows.recorded_button_states(page)[-1] == {
        "text": "Testing connection…",
        "disabled": True,
        "busy": "true",
    }


def test_a_failed_test_keeps_what_was_typed(ui: Ui, woo: FakeWooCommerceStore) -> None:
    page = ui.page
    good = woo.credentials()
    wrong_secret = woo.wrong_credentials()["consumer_secret"]
    ui.secrets.add(wrong_secret)
    flows.register(ui)
    flows.credentials_step(ui, "WooCommerce")
    flows.fill_credentials(page, {**good, "consumer_secret": wrong_secret})
    flows.connection_test_button(page).click()
    expect(page.get_by_role("alert")).to_contain_text(WOO_BAD_KEYS)
    ui.snap("kept-after-failure")

    # The address is shown again; the key is kept sealed (its hint only), never in the page.
    expect(page.get_by_label("Store URL", exact=True)).to_have_value(good["store_url"])
    expect(page.get_by_label("Consumer key", exact=True)).to_have_value("")
    expect(page.get_by_text("Leave it empty to keep what you typed").first).to_be_visible()
    assert good["consumer_key"] not in page.content()

    # Only the corrected secret is typed again.
    page.get_by_label("Consumer secret", exact=True).fill(good["consumer_secret"])
    flows.connection_test_button(page).click()
    expect(page.get_by_text("Connected to Woo Outlet")).to_be_visible()
    ui.snap("connected-after-fix")


def test_a_shopify_address_entered_as_woocommerce_says_so(ui: Ui) -> None:
    page = ui.page
    flows.register(ui)
    flows.credentials_step(ui, "WooCommerce")
    flows.fill_credentials(
        page,
        {
            "platform": "woocommerce",
            "store_url": "https://plum-orchard.myshopify.com",
            "consumer_key": "ck_" + "1" * 40,
            "consumer_secret": "cs_" + "2" * 40,
        },
    )
    flows.connection_test_button(page).click()
    expect(
        page.get_by_text("This is a Shopify store's address, not a WooCommerce one")
    ).to_be_visible()
    ui.snap("shopify-address-as-woocommerce")
    assert_nothing_saved(ui)


def test_a_refused_connection_says_check_the_address(ui: Ui, woo: FakeWooCommerceStore) -> None:
    page = ui.page
    flows.register(ui)
    flows.credentials_step(ui, "WooCommerce")
    # Nothing listens on port 1 of the loopback: the connection is refused at once.
    flows.fill_credentials(page, {**woo.credentials(), "store_url": "http://127.0.0.1:1"})
    flows.connection_test_button(page).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Check the address and port")
    expect(alert).not_to_contain_text("having trouble")
    ui.snap("refused-connection")
