"""A bulk change in the browser: rows ticked in the store's products table, "Stock / Increase
by / 5" applied to them, then the job's page follows its progress on its own and ends with each
product's result: applied, or a conflict where the store sold one in between."""

from __future__ import annotations

from playwright.sync_api import expect

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import Ui
from tests.browser.flows import at_the_store, corner_shop

__all__ = ["corner_shop"]


async def _stock(store: FakeWooCommerceStore, product_id: str, value: int | None = None) -> int:
    async with gc.create_connector(store.credentials()) as shop:
        if value is not None:
            await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=value))
        stock = (await shop.get_product(product_id)).stock_quantity
        assert stock is not None
        return stock


def test_a_bulk_stock_change_with_each_items_result(
    ui: Ui, corner_shop: FakeWooCommerceStore
) -> None:
    page = ui.page
    flows.register(ui)
    store_id = flows.add_store(ui, corner_shop)
    flows.wait_for_sync(ui)
    tracked = flows.tracked_products(corner_shop)[:2]
    assert len(tracked) == 2
    (first, first_id), (second, second_id) = tracked
    page.goto(f"/stores/{store_id}?per_page=50")
    for seed, _ in tracked:
        page.get_by_role("checkbox", name=f"Select {seed.name}", exact=True).check()
    at_the_store(
        _stock(corner_shop, second_id, (second.stock or 0) - 1)
    )  # a sale the hub has not seen
    page.get_by_label("What", exact=True).select_option(label="Stock")
    page.get_by_label("How", exact=True).select_option(label="Increase by")
    page.get_by_label("Amount", exact=True).fill("5")
    ui.snap("bulk-form")
    page.get_by_role("button", name="Apply to selected", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bulk change")
    status = page.get_by_test_id("job-status")
    expect(status).to_contain_text("Finished: 2 of 2 done", timeout=flows.SYNC_WAIT_MS)
    expect(page.get_by_test_id("job-counts")).to_contain_text("Applied: 1 · Conflict: 1")
    results = page.get_by_test_id("job-results").locator("tbody tr")
    applied = results.filter(has_text=first.name)
    expect(applied).to_contain_text(f"Stock {first.stock} → {(first.stock or 0) + 5}")
    expect(applied).to_contain_text("Applied")
    refused = results.filter(has_text=second.name)
    expect(refused).to_contain_text("Conflict")
    expect(refused).to_contain_text(f"The store holds stock {(second.stock or 0) - 1}")
    ui.snap("bulk-results")
    assert at_the_store(_stock(corner_shop, first_id)) == (first.stock or 0) + 5
    assert at_the_store(_stock(corner_shop, second_id)) == (second.stock or 0) - 1
