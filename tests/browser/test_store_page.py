"""A store's own page beyond products: its edit form shows no secret back and renames the store
without asking for the credentials again; deleting it asks first, then removes it everywhere."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import Ui


def test_deleting_a_store_asks_first(ui: Ui, woo: FakeWooCommerceStore) -> None:
    page = ui.page
    flows.register(ui)
    store_id = flows.add_store(ui, woo, sync_now=False)
    ui.snap("store-page")

    page.get_by_role("link", name="Edit credentials", exact=True).click()
    expect(page).to_have_url(flows.at(f"/stores/{store_id}/edit"))
    expect(page.get_by_label("Store name", exact=True)).to_have_value("Woo Outlet")
    expect(page.get_by_label("Store URL", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Save changes", exact=True)).to_be_visible()
    ui.snap("edit")
    page.get_by_label("Store name", exact=True).fill("Woo Outlet Main")
    page.get_by_role("button", name="Save changes", exact=True).click()
    expect(page).to_have_url(flows.at(f"/stores/{store_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Woo Outlet Main")
    expect(page.get_by_test_id("connection-status")).to_contain_text("Connected")
    ui.snap("renamed")

    page.get_by_role("button", name="Delete store", exact=True).click()
    confirm = page.get_by_role("button", name="Delete permanently", exact=True)
    expect(confirm).to_be_visible()
    ui.snap("confirm")
    page.go_back()
    ui.goto("/stores")
    expect(page.get_by_test_id("store-card")).to_have_count(1)

    page.goto(f"/stores/{store_id}")
    page.get_by_role("button", name="Delete store", exact=True).click()
    page.get_by_role("button", name="Delete permanently", exact=True).click()
    expect(page).not_to_have_url(re.compile(rf"/stores/{store_id}"))
    ui.snap("deleted")
    ui.goto("/stores", "stores")
    expect(page.get_by_test_id("store-card")).to_have_count(0)
    ui.goto("/overview")
    expect(flows.stat(page, "total-stores")).to_have_text(flows.ZERO)

    response = page.goto(f"/stores/{store_id}")
    assert response is not None
    assert response.status == 404
    ui.snap("gone")
