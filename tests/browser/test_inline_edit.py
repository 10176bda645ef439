"""Inline edit in a browser without JavaScript, as a plain form: a new price and stock typed into
a row of the store's products table are written to the store and shown in the row; a sale at the
store in between is reported as a conflict with the store's value, never overwritten."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Locator, expect

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore, SeedProduct, generate_catalog
from tests.browser import flows
from tests.browser._browser import MakeUi

T = TypeVar("T")


@pytest.fixture
def small(secrets: set[str]) -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=12, store_name="Corner Shop")
    secrets.update({store.consumer_key, store.consumer_secret})
    with store.serve():
        yield store


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """A connector call on a thread of its own (Playwright's sync API holds this one's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _read(store: FakeWooCommerceStore, product_id: str) -> gc.Product:
    async with gc.create_connector(store.credentials()) as shop:
        return await shop.get_product(product_id)


async def _sell(store: FakeWooCommerceStore, product_id: str, stock: int) -> None:
    async with gc.create_connector(store.credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=stock))


def _tracked(store: FakeWooCommerceStore) -> tuple[SeedProduct, str]:
    """A simple product that tracks stock, and its id at the store."""
    variable = store.variable_product_ids()
    ids = store.product_ids()
    for seed in generate_catalog(len(ids)):
        if seed.sku and not seed.variants and seed.manage_stock and seed.stock and seed.price:
            product_id = ids[seed.index]
            if product_id not in variable:
                return seed, product_id
    raise AssertionError("no simple product tracking stock")


def _row(rows: Locator, name: str) -> Locator:
    return rows.filter(has=rows.page.get_by_label(f"New price of {name}", exact=True))


def test_an_inline_edit_without_javascript_and_a_conflict(
    make_ui: MakeUi, small: FakeWooCommerceStore
) -> None:
    ui = make_ui(javascript=False)
    page = ui.page
    flows.register(ui)
    flows.add_store(ui, small)
    flows.wait_for_sync(ui)
    seed, product_id = _tracked(small)
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
    written = _run(_read(small, product_id))
    assert (written.stock_quantity, str(written.regular_price)) == (seed.stock + 9, "42.50")

    # A sale at the store the hub has not seen: the next edit is refused, with the store's value.
    _run(_sell(small, product_id, seed.stock + 8))
    row.get_by_label(f"New stock of {seed.name}", exact=True).fill("100")
    row.get_by_role("button", name=f"Save {seed.name}", exact=True).click()
    expect(result).to_contain_text("Not saved: the store's value changed")
    expect(result).to_contain_text(f"Stock is {seed.stock + 8}")
    expect(rows.first.get_by_test_id("stock-count")).to_have_text(f"{seed.stock + 8}")
    ui.snap("edit-conflict")
    assert _run(_read(small, product_id)).stock_quantity == seed.stock + 8

    # The product's page lists both writes.
    rows.first.get_by_role("link", name=seed.name, exact=True).click()
    writes = page.get_by_role("table", name="Changes made by the hub")
    expect(writes.locator("tbody tr")).to_have_count(3)  # price, stock, then the refused stock
    expect(writes).to_contain_text("Conflict")
    ui.snap("product-writes")
