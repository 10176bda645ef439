"""Issue 15's "Done when", as one journey in the browser: a new merchant signs up, links three
stores (two WooCommerce, one Shopify), edits a price, runs a bulk stock change, sets an inventory
sync rule with a buffer, sees its dry run, switches it on, and watches a sale in one store reach
the two others; each store's audit trail shows every write (who or which rule, product, field,
old → new, result).

The stores are fake ones served over HTTP, with the same catalog (so the same SKUs). The stores
send no webhooks here: the hub learns of the sale by a sync, which the merchant starts from the
source store's page, as the rule's page tells them to.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeShopifyStore, FakeStore, FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import Ui
from tests.browser.flows import at_the_store

# A bound on waiting for the rule to carry the sale (its runner looks every few seconds, the
# writes are verified by reading back), not a claim about speed.
PROPAGATION_WAIT_S = 30.0
RULE_PAGE = flows.at(r"/automation/rules/[0-9a-f-]{36}")
PRODUCTS = 8
BUFFER = 3


@pytest.fixture
def three_stores(
    secrets: set[str],
) -> Iterator[tuple[FakeWooCommerceStore, FakeWooCommerceStore, FakeShopifyStore]]:
    main = FakeWooCommerceStore(products=PRODUCTS, store_name="Main Street Shop")
    outlet = FakeWooCommerceStore(products=PRODUCTS, store_name="Harbour Outlet")
    boutique = FakeShopifyStore(products=PRODUCTS, shop_name="Shopify Boutique")
    secrets.update({main.consumer_key, main.consumer_secret, outlet.consumer_key})
    secrets.update({outlet.consumer_secret, boutique.access_token})
    with main.serve(), outlet.serve(), boutique.serve():
        yield main, outlet, boutique


async def _read(store: FakeStore, product_id: str) -> gc.Product:
    async with gc.create_connector(store.credentials()) as shop:
        return await shop.get_product(product_id)


async def _sell(store: FakeStore, product_id: str, stock: int) -> None:
    async with gc.create_connector(store.credentials()) as shop:
        await shop.update_product(product_id, gc.ProductUpdate(stock_quantity=stock))


def _stock(store: FakeStore, product_id: str) -> int | None:
    return at_the_store(_read(store, product_id)).stock_quantity


def _wait_for_stock(
    outlet: FakeStore, outlet_id: str, boutique: FakeStore, boutique_id: str, want: int
) -> float:
    """Poll both stores until each holds `want`, within PROPAGATION_WAIT_S; returns the
    deadline, for the waits that follow."""
    deadline = time.monotonic() + PROPAGATION_WAIT_S
    while (_stock(outlet, outlet_id), _stock(boutique, boutique_id)) != (want, want):
        assert time.monotonic() < deadline, f"the stores do not both hold {want}"
        time.sleep(0.25)
    return deadline


def _audit_rows(page: Page) -> Locator:
    return page.get_by_role("table", name="Audit trail").locator("tbody tr")


def test_a_merchant_links_three_stores_edits_and_keeps_their_stock_in_step(
    ui: Ui,
    three_stores: tuple[FakeWooCommerceStore, FakeWooCommerceStore, FakeShopifyStore],
) -> None:
    main, outlet, boutique = three_stores
    page = ui.page
    tracked = flows.tracked_products(main)
    (edited, edited_id), (kept, kept_id), (other, other_id) = tracked[:3]
    boutique_ids = boutique.product_ids()
    kept_at_boutique = boutique_ids[kept.index]

    # Sign up and link the three stores; the overview counts them.
    email = flows.register(ui, business="Harbour Goods")
    main_id = flows.add_store(ui, main)
    flows.wait_for_sync(ui, "main-synced")
    outlet_id = flows.add_store(ui, outlet)
    flows.wait_for_sync(ui, "outlet-synced")
    boutique_id = flows.add_store(ui, boutique)
    flows.wait_for_sync(ui, "boutique-synced")
    ui.goto("/overview", "overview-three-stores")
    expect(flows.stat(page, "total-stores")).to_have_text("3")
    expect(flows.stat(page, "connected-stores")).to_have_text("3")

    # A price edited in the main store's products table: shown in the row, written to the store.
    ui.goto(f"/stores/{main_id}?per_page=50", "main-products")
    rows = page.get_by_role("table", name="Products").locator("tbody tr")
    row = rows.filter(has=page.get_by_label(f"New price of {edited.name}", exact=True))
    row.get_by_label(f"New price of {edited.name}", exact=True).fill("42.50")
    row.get_by_role("button", name=f"Save {edited.name}", exact=True).click()
    result = page.get_by_test_id("edit-result")
    expect(result).to_contain_text("Saved at the store")
    expect(result).to_contain_text(f"Price {edited.price} → 42.50")
    expect(row.locator('td[data-label="Price"]')).to_have_text(re.compile(r"^42\.50"))
    ui.snap("price-edited")
    assert at_the_store(_read(main, edited_id)).regular_price == Decimal("42.50")

    # A bulk stock change on two products: "Stock / Set to / 20", each product's result shown.
    for seed in (kept, other):
        page.get_by_role("checkbox", name=f"Select {seed.name}", exact=True).check()
    page.get_by_label("What", exact=True).select_option(label="Stock")
    page.get_by_label("How", exact=True).select_option(label="Set to")
    page.get_by_label("Amount", exact=True).fill("20")
    page.get_by_role("button", name="Apply to selected", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulk change")
    expect(page.get_by_test_id("job-status")).to_contain_text(
        "Finished: 2 of 2 done", timeout=flows.SYNC_WAIT_MS
    )
    expect(page.get_by_test_id("job-counts")).to_contain_text("Applied: 2 · Conflict: 0")
    results = page.get_by_test_id("job-results").locator("tbody tr")
    for seed in (kept, other):
        item = results.filter(has_text=seed.name)
        expect(item).to_contain_text(f"Stock {seed.stock} → 20")
        expect(item).to_contain_text("Applied")
    ui.snap("bulk-results")
    assert (_stock(main, kept_id), _stock(main, other_id)) == (20, 20)

    # An inventory rule from the main store to the two others, keeping 3 back: saved off, with
    # its dry run listing the buffered quantities, and nothing written yet.
    ui.goto("/automation", "automation")
    page.get_by_role("link", name="New rule", exact=True).click()
    page.get_by_label("Rule name", exact=True).fill("Stock from Main Street")
    page.get_by_role("radio", name="Stock", exact=True).check()
    page.get_by_label("Source store", exact=True).select_option(label="Main Street Shop")
    # The form shows a stock rule's settings only, and the source is no store to keep in step.
    expect(page.get_by_label("By how much", exact=True)).to_be_hidden()
    expect(page.get_by_role("checkbox", name="Main Street Shop", exact=True)).to_be_disabled()
    page.get_by_role("checkbox", name="Harbour Outlet", exact=True).check()
    page.get_by_role("checkbox", name="Shopify Boutique", exact=True).check()
    page.get_by_label("Buffer (units kept back in each target)").fill(str(BUFFER))
    ui.snap("rule-form")
    page.get_by_role("button", name="Save and see the dry run", exact=True).click()
    expect(page).to_have_url(RULE_PAGE)
    expect(page.get_by_test_id("rule-status")).to_have_text("Off")
    plan = page.get_by_test_id("dry-run").locator("tbody tr")
    for store_name in ("Harbour Outlet", "Shopify Boutique"):
        planned = plan.filter(has_text=kept.sku).filter(has_text=store_name)
        expect(planned).to_have_count(1)
        expect(planned).to_contain_text(kept.name)
        expect(planned.locator(".planned")).to_have_text(str(20 - BUFFER))
    # The source has no schedule and no real-time updates: the page says how a sale gets in.
    expect(page.get_by_test_id("source-freshness")).to_contain_text("Sync now")
    ui.snap("rule-dry-run")
    assert _stock(outlet, kept_id) == kept.stock
    assert _stock(boutique, kept_at_boutique) == kept.stock

    # Switched on, its first run writes the dry run's quantities.
    page.get_by_role("button", name="Switch on", exact=True).click()
    expect(page.get_by_test_id("rule-status")).to_have_text("On")
    ui.snap("rule-on")
    rule_url = page.url.split("?")[0]
    _wait_for_stock(outlet, kept_id, boutique, kept_at_boutique, 20 - BUFFER)

    # A sale of 8 at the main store, behind the hub's back; the merchant syncs the main store,
    # and the two others end with 12 - 3.
    at_the_store(_sell(main, kept_id, 12))
    ui.goto(f"/stores/{main_id}")
    page.get_by_role("button", name="Sync now", exact=True).click()
    flows.wait_for_sync(ui, "main-resynced")
    want = 12 - BUFFER
    deadline = _wait_for_stock(outlet, kept_id, boutique, kept_at_boutique, want)

    # The rule's page: its runs, and nothing left to change once its last run is recorded.
    page.goto(rule_url)
    expect(page.get_by_test_id("runs")).to_contain_text("The source changed")
    while page.get_by_test_id("plan-count").inner_text().startswith("If it ran now"):
        assert time.monotonic() < deadline, "the rule's dry run still lists changes"
        time.sleep(0.25)
        page.goto(rule_url)
    expect(page.get_by_test_id("plan-count")).to_contain_text("Nothing to change")
    ui.snap("rule-after-sale")

    # Each store's audit trail shows its writes: the merchant's at the main store, the rule's at
    # the two others (the sale's 9 after the first run's 17), by name, product, field, old → new.
    ui.goto(f"/stores/{main_id}/audit", "main-audit")
    trail = _audit_rows(page)
    expect(trail).to_have_count(3)
    expect(trail.filter(has_text=edited.name).filter(has_text="Price")).to_contain_text(
        re.compile(rf"{re.escape(email)}.*{edited.price} → 42\.50\s*Applied", re.S)
    )
    for seed in (kept, other):
        expect(trail.filter(has_text=seed.name).filter(has_text="Stock")).to_contain_text(
            re.compile(rf"{re.escape(email)}.*{seed.stock} → 20\s*Applied", re.S)
        )
    for store_id, step in ((outlet_id, "outlet-audit"), (boutique_id, "boutique-audit")):
        ui.goto(f"/stores/{store_id}/audit", step)
        by_rule = (
            _audit_rows(page).filter(has_text="Stock from Main Street").filter(has_text=kept.name)
        )
        expect(by_rule).to_have_count(2)
        expect(by_rule.nth(0)).to_contain_text(re.compile(rf"{20 - BUFFER} → {want}\s*Applied"))
        expect(by_rule.nth(1)).to_contain_text(
            re.compile(rf"{kept.stock} → {20 - BUFFER}\s*Applied")
        )

    # Every store's changes in one list, from the navigation, narrowed to one store.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes made by the hub")
    everything = _audit_rows(page)
    for store_name in ("Main Street Shop", "Harbour Outlet", "Shopify Boutique"):
        expect(everything.filter(has_text=store_name).first).to_be_visible()
    ui.snap("every-stores-changes")
    page.get_by_label("Store", exact=True).select_option(label="Shopify Boutique")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(everything.filter(has_text="Harbour Outlet")).to_have_count(0)
    expect(everything.filter(has_text=kept.name)).to_have_count(2)
    ui.snap("boutique-changes")
