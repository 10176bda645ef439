"""Sync now on a store's page: the progress updates in place (the page's script polls) while
the sync runs, then the page shows the finished sync and its products."""

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
    # Small batches, so the sync's counts move several times while the store answers slowly.
    return {"sync_batch_size": 20}


@pytest.fixture
def slow_woo(secrets: set[str]) -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=200, latency=0.3, store_name="Big Woo")
    secrets.update({store.consumer_key, store.consumer_secret})
    with store.serve():
        yield store


def test_sync_progress_updates_in_place(ui: Ui, slow_woo: FakeWooCommerceStore) -> None:
    page = ui.page
    flows.register(ui)
    flows.add_store(ui, slow_woo, sync_now=False)
    status = page.get_by_test_id("sync-status")
    expect(status).to_contain_text("Never synced")

    page.get_by_role("button", name="Sync now", exact=True).click()
    expect(status).to_contain_text("Syncing")
    shown = status.inner_text()
    reloads: list[str] = []

    def count(frame: Frame) -> None:
        if frame == page.main_frame:
            reloads.append(frame.url)

    page.on("framenavigated", count)
    expect(status).not_to_have_text(shown, timeout=flows.SYNC_WAIT_MS)
    assert not reloads, "the progress changed only by reloading the page"
    expect(status).to_contain_text(re.compile(r"Syncing: [\d,]+ (of 200 products|products so far)"))
    ui.screenshot("syncing")

    flows.wait_for_sync(ui)
    rows = page.get_by_role("table", name="Products").locator("tbody tr")
    expect(rows).to_have_count(20)
    expect(page.get_by_text("Page 1 of 10")).to_be_visible()
