"""Accounts in the browser: sign up to an empty overview, the app's navigation, a wrong password,
signing out, and signed-out visits sent to the login page (and back after signing in)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser import flows
from tests.browser._browser import Ui


def test_a_new_account_lands_on_an_empty_overview(ui: Ui) -> None:
    page = ui.page
    ui.goto("/", None)
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_role("link", name="Create an account", exact=True).click()
    expect(page).to_have_url(flows.at("/register"))

    flows.register(ui, business="Empty Shelf Ltd")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for name in ("connected-stores", "total-stores", "products-synced"):
        expect(flows.stat(page, name)).to_have_text(flows.ZERO)
    expect(flows.stat(page, "last-sync")).to_be_visible()
    expect(page.locator("[data-testid^='store-status-']")).to_have_count(0)
    expect(page.get_by_role("link", name="Add store", exact=True).first).to_be_visible()


def test_the_navigation_reaches_every_section(ui: Ui) -> None:
    page = ui.page
    flows.register(ui)
    nav = page.get_by_role("navigation", name="Main")
    for section, path in (
        ("Stores", "/stores"),
        ("SKUs", "/skus"),
        ("Automation", "/automation"),
        ("Changes", "/changes"),
        ("Settings", "/settings"),
        ("Overview", "/overview"),
    ):
        nav.get_by_role("link", name=section, exact=True).click()
        expect(page).to_have_url(flows.at(path))
        expect(page.get_by_role("heading", level=1)).to_contain_text(section)
        ui.snap(section.lower())


def test_a_wrong_password_is_told_and_signing_in_works(ui: Ui) -> None:
    page = ui.page
    email = flows.register(ui)
    flows.sign_out(ui)

    flows.sign_in(ui, email, password="not-the-password-1")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(page).to_have_url(re.compile(r"/login"))
    ui.snap("wrong-password")

    flows.sign_in(ui, email)
    expect(page).to_have_url(flows.at("/overview"))


def test_signed_out_visits_go_to_the_login_page_and_back(ui: Ui) -> None:
    page = ui.page
    email = flows.register(ui)
    flows.sign_out(ui)
    ui.snap("signed-out")

    for path in ("/overview", "/stores", "/stores/new", "/settings"):
        page.goto(path)
        encoded = re.escape(path).replace("/", "(/|%2F)")
        expect(page).to_have_url(re.compile(rf"/login\?next={encoded}$"))
    ui.snap("redirected")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))

    page.goto("/stores")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(flows.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(flows.at("/stores"))
    ui.snap("back-to-stores")


def test_a_form_with_a_forged_csrf_token_is_refused(ui: Ui) -> None:
    page = ui.page
    flows.register(ui)
    page.locator("input[name=_csrf]").evaluate_all("inputs => inputs.forEach(i => i.value = 'x')")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign out", exact=True).click()
    response = navigation.value
    assert response is not None
    assert response.status == 403
    ui.snap("forged")
    ui.goto("/overview")
    expect(page).to_have_url(flows.at("/overview"))  # still signed in: nothing was done
