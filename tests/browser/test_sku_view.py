"""The SKU view in the browser: two stores of one catalog side by side from the navigation, the
"missing in" filter, and the conflict counts on the SKU page and on the overview."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import Ui


@pytest.fixture
def pair(secrets: set[str]) -> Iterator[tuple[FakeWooCommerceStore, FakeWooCommerceStore]]:
    big = FakeWooCommerceStore(products=10, store_name="Big Shop")
    small = FakeWooCommerceStore(products=6, store_name="Small Shop")
    for store in (big, small):
        secrets.update({store.consumer_key, store.consumer_secret})
    with big.serve(), small.serve():
        yield big, small


def test_skus_side_by_side_and_missing_in_a_store(
    ui: Ui, pair: tuple[FakeWooCommerceStore, FakeWooCommerceStore]
) -> None:
    page = ui.page
    flows.register(ui)
    for store in pair:
        page.goto("/overview")
        page.get_by_role("link", name="Add store", exact=True).first.click()
        flows.add_store(ui, store)
        flows.wait_for_sync(ui)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="SKUs").click()
    expect(page).to_have_url(flows.at("/skus"))
    table = page.get_by_test_id("sku-table")
    expect(table.get_by_role("columnheader", name="Big Shop")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Small Shop")).to_be_visible()
    rows = table.locator("tbody tr")
    total = rows.count()
    assert total > 0
    expect(page.get_by_test_id("sku-count")).to_have_text(str(total))
    ui.snap("skus")

    page.get_by_label("Missing in", exact=True).select_option(label="Small Shop")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(flows.at("/skus"))
    missing = rows.count()
    assert 0 < missing < total
    for index in range(missing):
        expect(rows.nth(index).locator('td[data-label="Small Shop"]')).to_have_text("Missing")
        expect(rows.nth(index).locator('td[data-label="Big Shop"]')).not_to_have_text("Missing")
    ui.snap("skus-missing")

    page.get_by_role("link", name="Clear filters", exact=True).click()
    page.get_by_role("checkbox", name="Only SKUs whose price or stock differs").check()
    page.get_by_role("button", name="Show", exact=True).click()
    expect(table).to_contain_text("No SKUs match these filters.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").click()
    card = page.get_by_test_id("sku-conflicts")
    expect(card).to_contain_text("0 differ between stores")
    card.get_by_role("link", name="SKU conflicts").click()
    expect(page).to_have_url(flows.at("/skus"))
