"""One health per store, the same on every page: a store whose last sync failed does not read
"Connected" anywhere, says why and when, and is not counted healthy; the overview refreshes by
itself while a store syncs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Frame, expect

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import Ui


@pytest.fixture
def hub_overrides() -> dict[str, Any]:
    return {"sync_batch_size": 20}


@pytest.fixture
def slow_woo(secrets: set[str]) -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=120, latency=0.2, store_name="Slow Woo")
    secrets.update({store.consumer_key, store.consumer_secret})
    with store.serve():
        yield store


def test_a_failed_sync_is_the_stores_health_everywhere(ui: Ui, woo: FakeWooCommerceStore) -> None:
    page = ui.page
    flows.register(ui)
    store_id = flows.add_store(ui, woo, sync_now=False)
    # The store answers the connection test, then cuts every listing short.
    woo.inject("truncated", path="/products", times=None)
    page.get_by_role("button", name="Sync now", exact=True).click()
    expect(page.get_by_test_id("sync-status")).to_contain_text(
        "Last sync failed", timeout=flows.SYNC_WAIT_MS
    )
    health = page.get_by_test_id(f"health-{store_id}")
    expect(health).to_contain_text("Last sync failed")
    expect(health).not_to_contain_text("Connected")
    expect(health.locator("time")).to_have_attribute("title", re.compile(r" UTC$"))
    expect(page.get_by_test_id(f"last-sync-{store_id}")).to_contain_text("failed")
    ui.snap("store-last-sync-failed")
    reason = health.locator(".health-reason").inner_text().split(" (")[0]
    assert reason

    ui.goto("/overview")
    expect(flows.stat(page, "connected-stores")).to_have_text("0")
    expect(page.get_by_text("1 needs attention")).to_be_visible()
    expect(flows.stat(page, "last-sync")).to_contain_text("failed")
    light = page.get_by_test_id(f"store-status-{store_id}")
    expect(light).to_have_text("Last sync failed")
    expect(page.get_by_test_id(f"health-{store_id}")).to_contain_text(reason)
    ui.snap("overview-last-sync-failed")

    ui.goto("/stores")
    expect(page.get_by_test_id(f"health-{store_id}")).to_contain_text(reason)
    expect(page.get_by_test_id(f"last-sync-{store_id}")).to_contain_text("failed")
    ui.snap("stores-last-sync-failed")

    # Once the store answers again, a sync brings it back to health.
    woo.clear_faults()
    page.goto(f"/stores/{store_id}")
    page.get_by_role("button", name="Sync now", exact=True).click()
    flows.wait_for_sync(ui, "store-healthy-again")
    expect(page.get_by_test_id(f"store-status-{store_id}")).to_have_text("Connected")
    ui.goto("/overview")
    expect(flows.stat(page, "connected-stores")).to_have_text("1")


def test_the_overview_refreshes_while_a_store_syncs(ui: Ui, slow_woo: FakeWooCommerceStore) -> None:
    page = ui.page
    flows.register(ui)
    store_id = flows.add_store(ui, slow_woo, sync_now=False)
    ui.goto("/overview")
    page.get_by_role("button", name="Sync now", exact=True).click()
    expect(page.get_by_test_id(f"store-status-{store_id}")).to_have_text("Syncing")
    ui.screenshot("overview-syncing")
    navigations: list[str] = []

    def count(frame: Frame) -> None:
        if frame == page.main_frame:
            navigations.append(frame.url)

    page.on("framenavigated", count)
    expect(flows.stat(page, "products-synced")).to_have_text("120", timeout=flows.SYNC_WAIT_MS)
    expect(page.get_by_test_id(f"store-status-{store_id}")).to_have_text("Connected")
    expect(flows.stat(page, "last-sync")).to_contain_text("succeeded")
    assert not navigations, "the overview changed only by reloading"
    ui.snap("overview-synced")
