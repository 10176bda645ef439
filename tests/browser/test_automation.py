"""Rules in the browser, as a merchant sets them up: an inventory rule with a buffer, made
through the Automation page's form, shows its dry run, is switched on, and a sale in the source
store then reaches the other store minus the buffer, with each write in the rule's audit trail;
a price rule with rounding shows its rounded prices in its dry run."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Page, expect

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import Ui

# How long the hub may take to carry a synced sale to the other store (its rule runner looks
# every few seconds): a bound on waiting, not a claim about speed.
PROPAGATION_WAIT_S = 45.0
T = TypeVar("T")
RULE_PAGE = flows.at(r"/automation/rules/[0-9a-f-]{36}")


@pytest.fixture
def stores(secrets: set[str]) -> Iterator[tuple[FakeWooCommerceStore, FakeWooCommerceStore]]:
    main = FakeWooCommerceStore(products=8, store_name="Main Street Shop")
    outlet = FakeWooCommerceStore(products=8, store_name="Harbour Outlet")
    for store in (main, outlet):
        secrets.update({store.consumer_key, store.consumer_secret})
    with main.serve(), outlet.serve():
        yield main, outlet


def _simple_product(store: FakeWooCommerceStore) -> str:
    variable = store.variable_product_ids()
    return next(pid for pid in store.product_ids() if pid not in variable)


async def _set(store: FakeWooCommerceStore, product_id: str, change: gc.ProductUpdate) -> None:
    async with gc.create_connector(store.credentials()) as shop:
        await shop.update_product(product_id, change)


async def _read(store: FakeWooCommerceStore, product_id: str) -> gc.Product:
    async with gc.create_connector(store.credentials()) as shop:
        return await shop.get_product(product_id)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a connector call from a test: on a thread of its own, since Playwright's sync API
    holds this thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _new_rule(page: Page, name: str, kind: str, source: str, target: str) -> None:
    page.get_by_role("link", name="New rule", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New rule")
    page.get_by_label("Rule name", exact=True).fill(name)
    page.get_by_role("radio", name=kind, exact=True).check()
    page.get_by_label("Source store", exact=True).select_option(label=source)
    page.get_by_role("checkbox", name=target, exact=True).check()


def test_an_inventory_rule_with_a_buffer_carries_a_sale_to_the_other_store(
    ui: Ui, stores: tuple[FakeWooCommerceStore, FakeWooCommerceStore]
) -> None:
    main, outlet = stores
    page = ui.page
    product_id = _simple_product(main)
    _run(_set(main, product_id, gc.ProductUpdate(stock_quantity=20, manage_stock=True)))
    flows.register(ui)
    main_id = flows.add_store(ui, main)
    flows.wait_for_sync(ui, "main-synced")
    flows.add_store(ui, outlet)
    flows.wait_for_sync(ui, "outlet-synced")

    ui.goto("/automation", "automation-empty")
    expect(page.get_by_text("No rules yet.")).to_be_visible()
    _new_rule(page, "Stock from Main Street", "Stock", "Main Street Shop", "Harbour Outlet")
    page.get_by_label("Buffer (units kept back in each target)").fill("3")
    ui.snap("inventory-form")
    page.get_by_role("button", name="Save and see the dry run", exact=True).click()
    expect(page).to_have_url(RULE_PAGE)
    expect(page.get_by_test_id("rule-status")).to_have_text("Off")
    plan = page.get_by_test_id("dry-run")
    expect(plan).to_contain_text("17")  # 20 at the source, 3 kept back
    ui.snap("inventory-dry-run")
    assert _run(_read(outlet, product_id)).stock_quantity != 17

    page.get_by_role("button", name="Switch on", exact=True).click()
    expect(page.get_by_test_id("rule-status")).to_have_text("On")
    ui.snap("switched-on")
    rule_url = page.url.split("?")[0]

    _run(_set(main, product_id, gc.ProductUpdate(stock_quantity=12)))  # a sale of 8
    ui.goto(f"/stores/{main_id}")
    page.get_by_role("button", name="Sync now", exact=True).click()
    flows.wait_for_sync(ui, "main-resynced")
    deadline = time.monotonic() + PROPAGATION_WAIT_S
    while _run(_read(outlet, product_id)).stock_quantity != 9:
        assert time.monotonic() < deadline, "the sale did not reach the outlet"
        time.sleep(0.5)

    # The product's write: from whatever the outlet held to 12 - 3 (a first run right after
    # switching on may have written 17 before it). The run's audit entries are saved when the
    # run ends, after the store already shows its first write: the page is read again until then.
    name = re.escape(_run(_read(outlet, product_id)).name)
    written = re.compile(rf"Harbour Outlet\s+{name}\s+Stock\s+\d+\s+9\s+Applied")
    while True:
        page.goto(rule_url)
        audit = page.get_by_test_id("rule-audit").get_by_role("row").filter(has_text=written)
        if audit.count() == 1:
            break
        assert time.monotonic() < deadline, "the rule's page does not show the write"
        time.sleep(0.5)
    expect(page.get_by_test_id("runs")).to_contain_text("The source changed")
    expect(page.get_by_test_id("plan-count")).to_contain_text("Nothing to change")
    ui.snap("rule-audit")


def test_a_price_rule_dry_run_shows_rounded_prices(
    ui: Ui, stores: tuple[FakeWooCommerceStore, FakeWooCommerceStore]
) -> None:
    main, outlet = stores
    page = ui.page
    product_id = _simple_product(main)
    _run(_set(main, product_id, gc.ProductUpdate(price=Decimal("24.10"))))
    flows.register(ui)
    flows.add_store(ui, main)
    flows.wait_for_sync(ui, "main-synced")
    flows.add_store(ui, outlet)
    flows.wait_for_sync(ui, "outlet-synced")

    ui.goto("/automation")
    _new_rule(page, "Outlet prices", "Price", "Main Street Shop", "Harbour Outlet")
    page.get_by_label("By how much", exact=True).fill("10 percent")
    page.get_by_label("Rounding", exact=True).select_option(label="End in .99")
    page.get_by_role("button", name="Save and see the dry run", exact=True).click()
    expect(page.get_by_text("Enter a number, 0 or more (e.g. 10 or 2.50).")).to_be_visible()
    expect(page.get_by_label("Rule name", exact=True)).to_have_value("Outlet prices")
    ui.snap("price-form-error")
    page.get_by_label("By how much", exact=True).fill("10")
    page.get_by_role("button", name="Save and see the dry run", exact=True).click()
    expect(page).to_have_url(RULE_PAGE)
    expect(page.get_by_test_id("rule-summary")).to_contain_text("plus 10%, rounded to end in .99")
    planned = page.locator(".planned")
    expect(planned.filter(has_text="26.99")).to_have_count(1)  # 24.10 + 10% = 26.51
    for text in planned.all_inner_texts():
        assert text.endswith(".99"), text
    ui.snap("price-dry-run")
    assert _run(_read(outlet, product_id)).price != Decimal("26.99")
