"""Settings change the business name and the password; Automation lists the schedules that
exist; the API reference at /schema reads offline (nothing fetched beyond the hub)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.browser import flows
from tests.browser._browser import Ui

NEW_PASSWORD = "quiet-harbour-lantern-7"


def test_settings_change_the_business_name_and_the_password(ui: Ui) -> None:
    ui.secrets.add(NEW_PASSWORD)
    page = ui.page
    email = flows.register(ui, business="Acme")
    ui.goto("/settings", "settings")
    expect(page.get_by_text("Coming soon")).to_have_count(0)
    page.get_by_label("Business name", exact=True).fill("Acme Outlet")
    page.get_by_role("button", name="Save name", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Your business name is saved.")
    expect(page.get_by_label("Business name", exact=True)).to_have_value("Acme Outlet")

    page.get_by_label("Current password", exact=True).fill("not-my-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password", exact=True).click()
    expect(page.get_by_text("The current password is wrong.")).to_be_visible()
    ui.snap("wrong-password")
    page.get_by_label("Current password", exact=True).fill(flows.PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Your password is changed.")
    ui.snap("password-changed")

    flows.sign_out(ui)
    flows.sign_in(ui, email, NEW_PASSWORD)
    expect(page).to_have_url(flows.at("/overview"))


def test_automation_lists_the_schedules(ui: Ui, woo: FakeWooCommerceStore) -> None:
    page = ui.page
    flows.register(ui)
    store_id = flows.add_store(ui, woo, sync_now=False)
    page.get_by_role("link", name="Edit credentials", exact=True).click()
    page.get_by_label("Automatic syncs", exact=True).select_option(label="Every hour")
    page.get_by_role("button", name="Save changes", exact=True).click()
    expect(page).to_have_url(flows.at(f"/stores/{store_id}"))
    ui.goto("/automation", "automation")
    schedules = page.get_by_test_id("schedules")
    row = schedules.locator("tbody tr").filter(has_text="Woo Outlet")
    expect(row).to_contain_text("Every hour")
    expect(row.locator('td[data-label="Next sync"] time')).to_have_attribute(
        "title", re.compile(r" UTC$")
    )


def test_the_api_reference_reads_offline(ui: Ui) -> None:
    page = ui.page
    page.goto("/schema")
    expect(page.get_by_role("heading", level=1)).to_have_text("G4 Hub API")
    expect(page.get_by_text("/api/stores", exact=True).first).to_be_visible()
    ui.screenshot("schema")
    assert not ui.outside, ui.outside
