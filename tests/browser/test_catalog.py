"""The catalog as a merchant reads it: product images load (from the store, on loopback), prices
carry their currency, stock count and availability stand apart, times are in the reader's time
zone with UTC on hover, the selects sort and filter at once, a product has its own page with a
link to the store's admin; on a phone no column is cut off."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import MakeUi, Ui

PHONE = (375, 812)


def test_images_prices_stock_and_times(make_ui: MakeUi, woo: FakeWooCommerceStore) -> None:
    ui = make_ui()
    page = ui.page
    flows.register(ui)
    flows.add_store(ui, woo)
    flows.wait_for_sync(ui)
    table = page.get_by_role("table", name="Products")
    images = table.locator("tbody img")
    expect(images.first).to_be_visible()
    # Thumbnails load lazily: scrolled into view, every one arrives as a picture (one that
    # failed would have been replaced by the "No image" placeholder).
    shown = images.count()
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(
        "() => [...document.querySelectorAll('table.products img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert images.count() == shown > 0
    assert not ui.outside_images
    prices = table.locator('td[data-label="Price"]').all_inner_texts()
    assert any(re.fullmatch(r"[\d,]+\.\d\d EUR", p) for p in prices), prices
    for stock in table.locator('td[data-label="Stock"]').all_inner_texts():
        assert re.fullmatch(r"[\d,]+|Not tracked", stock.strip()), stock
    availability = set(table.locator('td[data-label="Availability"]').all_inner_texts())
    assert availability <= {"In stock", "Out of stock", "On backorder"}, availability
    # Times: shown in the reader's zone by the script, UTC kept in the tooltip.
    added = page.locator("dd time").first
    expect(added).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$"))
    assert added.inner_text() != added.get_attribute("title")
    ui.snap("catalog")


def test_sort_filter_and_a_products_own_page(ui: Ui, shop: FakeShopifyStore) -> None:
    page = ui.page
    flows.register(ui)
    store_id = flows.add_store(ui, shop)
    flows.wait_for_sync(ui)
    page.get_by_label("Sort by", exact=True).select_option(label="Price (high to low)")
    expect(page).to_have_url(re.compile(r"[?&]sort=-price"))
    prices = page.get_by_role("table", name="Products").locator('td[data-label="Price"]')
    amounts = [float(t.split()[0].replace(",", "")) for t in prices.all_inner_texts() if t != "—"]
    assert amounts == sorted(amounts, reverse=True)
    expect(page.get_by_label("Sort by", exact=True)).to_have_value("-price")
    # Each select reloads the page: the next one applies once the page's script (deferred)
    # listens again, not as soon as the text shows (CI once changed Stock before it ran).
    page.wait_for_load_state()
    page.get_by_label("Per page", exact=True).select_option("50")
    expect(page.get_by_text("Page 1 of 1 · 40 products")).to_be_visible()
    page.wait_for_load_state()
    page.get_by_label("Stock", exact=True).select_option(label="In stock")
    expect(page).to_have_url(re.compile(r"stock=instock"))
    shown = set(page.locator('td[data-label="Availability"]').all_inner_texts())
    assert shown <= {"In stock"}, shown
    ui.snap("sorted-and-filtered")

    variable = sorted(shop.variable_product_ids())[0]
    page.goto(f"/stores/{store_id}?per_page=50")
    page.locator(f'a[href="/stores/{store_id}/product?id={variable}"]').click()
    expect(page.get_by_role("heading", level=2, name="Variants")).to_be_visible()
    rows = page.get_by_test_id("variants").locator("tbody tr")
    assert rows.count() >= 2
    admin = page.get_by_role("link", name=re.compile("Open in Shopify admin"))
    expect(admin).to_have_attribute("href", f"{shop.url}/admin/products/{variable}")
    ui.snap("product")


def test_a_phone_shows_every_column_of_the_catalog(
    make_ui: MakeUi, woo: FakeWooCommerceStore
) -> None:
    ui = make_ui(viewport=PHONE)
    page = ui.page
    flows.register(ui)
    flows.add_store(ui, woo)
    flows.wait_for_sync(ui)
    ui.snap("store-phone")
    width = page.evaluate("() => window.innerWidth")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    row = page.get_by_role("table", name="Products").locator("tbody tr").first
    for label in ("SKU", "Price", "Stock", "Availability", "Status"):
        box = row.locator(f'td[data-label="{label}"]').bounding_box()
        assert box is not None, label
        assert box["x"] >= 0, (label, box)
        assert box["x"] + box["width"] <= width, (label, box)
