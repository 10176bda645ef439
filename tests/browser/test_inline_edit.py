"""Inline edit in a browser without JavaScript, as a plain form: a new price and stock typed into
a row of the store's products table are written to the store and shown in the row; a sale at the
store in between is reported as a conflict with the store's value, never overwritten."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import MakeUi
from tests.browser.flows import at_the_store, corner_shop

__all__ = ["corner_shop"]


async def _read(store: FakeWooCommerceStore, product_id: str) -> gc.Product:
    async with gc.create_connector(store.credentials()) as shop:
        return await shop.get_product(product_id)


async def _sell(store: FakeWooCommerceStore, product_id: str, stock: int) -> None:
    async with gc.create_connector(store.credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=stock))


def _row(rows: Locator, name: str) -> Locator:
    return rows.filter(has=rows.page.get_by_label(f"New price of {name}", exact=True))


def test_an_inline_edit_without_javascript_and_a_conflict(
    make_ui: MakeUi, corner_shop: FakeWooCommerceStore
) -> None:
    ui = make_ui(javascript=False)
    page = ui.page
    flows.register(ui)
    flows.add_store(ui, corner_shop)
    flows.wait_for_sync(ui)
    seed, product_id = flows.tracked_products(corner_shop)[0]
    page.get_by_label("Search products", exact=True).fill(seed.sku)
    page.get_by_role("button", name="Search", exact=True).click()
    rows = page.get_by_role("table", name="Products").locator("tbody tr")
    expect(rows).to_have_count(1)
    row = _row(rows, seed.name)

    row.get_by_label(f"New price of {seed.name}", exact=True).fill("42.50")
    row.get_by_label(f"New stock of {seed.name}", exact=True).fill(str(seed.stock + 9))
    row.get_by_role("button", name=f"Save {seed.name}", exact=True).click()
    result = page.get_by_test_id("edit-result")
    expect(result).to_contain_text("Saved at the store")
    expect(result).to_contain_text(f"Stock {seed.stock} → {seed.stock + 9}")
    expect(rows.first.get_by_test_id("stock-count")).to_have_text(f"{seed.stock + 9}")
    expect(rows.first.locator('td[data-label="Price"]')).to_have_text(re.compile(r"^42\.50"))
    # The search is kept: the page came back to the same listing.
    expect(page.get_by_label("Search products", exact=True)).to_have_value(seed.sku)
    ui.snap("edit-applied")
    written = at_the_store(_read(corner_shop, product_id))
    assert (written.stock_quantity, str(written.regular_price)) == (seed.stock + 9, "42.50")

    # A sale at the store the hub has not seen: the next edit is refused, with the store's value.
    at_the_store(_sell(corner_shop, product_id, seed.stock + 8))
    row.get_by_label(f"New stock of {seed.name}", exact=True).fill("100")
    row.get_by_role("button", name=f"Save {seed.name}", exact=True).click()
    expect(result).to_contain_text("Not saved: the store's value changed")
    expect(result).to_contain_text(f"Stock is {seed.stock + 8}")
    expect(rows.first.get_by_test_id("stock-count")).to_have_text(f"{seed.stock + 8}")
    ui.snap("edit-conflict")
    assert at_the_store(_read(corner_shop, product_id)).stock_quantity == seed.stock + 8

    # The product's page lists both writes.
    rows.first.get_by_role("link", name=seed.name, exact=True).click()
    writes = page.get_by_role("table", name="Changes made by the hub")
    expect(writes.locator("tbody tr")).to_have_count(3)  # price, stock, then the refused stock
    expect(writes).to_contain_text("Conflict")
    ui.snap("product-writes")
