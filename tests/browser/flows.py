"""What a person does in the dashboard, step by step, by the accessible names of the web contract
(/work/notes/web-contract.md): sign up, sign in, walk the add-store wizard, wait for a sync.

Each step screenshots the page it reaches (`Ui.snap`), which also checks it.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Locator, Page, expect

from g4hub_connectors.testing import (
    FakeShopifyStore,
    FakeStore,
    FakeWooCommerceStore,
    SeedProduct,
    generate_catalog,
)
from tests.browser._browser import Ui

__all__ = [
    "PASSWORD",
    "SYNC_WAIT_MS",
    "ZERO",
    "add_store",
    "at",
    "at_the_store",
    "connection_test_button",
    "corner_shop",
    "credentials_step",
    "fill_credentials",
    "record_button_states",
    "recorded_button_states",
    "register",
    "searchable",
    "sign_in",
    "stat",
    "store_id_of",
    "tracked_products",
    "wait_for_sync",
]

PASSWORD = "plum-orchard-42"
SYNC_WAIT_MS = 30_000
"""How long a page may take to show a finished sync of a small catalog (a wait, not a claim)."""
ZERO = re.compile(r"(^|\D)0(\D|$)")
"""A zero alone, not inside a longer number."""


def at(path: str) -> re.Pattern[str]:
    """A URL whose path ends with `path` (a regex), with or without a query (notices such as
    `?notice=registered` ride in it)."""
    return re.compile(rf"^[^?#]*{path}(\?[^#]*)?$")


STORE_PAGE = at(r"/stores/([0-9a-fA-F-]{8,})")


def new_email() -> str:
    return f"owner-{uuid.uuid4().hex[:8]}@example.com"


def register(ui: Ui, *, business: str = "Acme Outlet", email: str | None = None) -> str:
    """Create an account through /register; ends signed in on the overview. Returns the email."""
    page = ui.page
    email = email or new_email()
    ui.goto("/register", "register")
    page.get_by_label("Business name", exact=True).fill(business)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account", exact=True).click()
    expect(page).to_have_url(at("/overview"))
    ui.snap("overview")
    return email


def sign_in(ui: Ui, email: str, password: str = PASSWORD) -> None:
    page = ui.page
    ui.goto("/login", "login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(ui: Ui) -> None:
    ui.page.get_by_role("button", name="Sign out", exact=True).click()
    expect(ui.page).to_have_url(re.compile(r"/login"))


def stat(page: Page, name: str) -> Locator:
    """An overview stat card: `connected-stores`, `total-stores`, `products-synced`, `last-sync`."""
    return page.get_by_test_id(f"stat-{name}")


def platform_of(store: FakeStore) -> str:
    return "WooCommerce" if isinstance(store, FakeWooCommerceStore) else "Shopify"


def credentials_step(ui: Ui, platform: str) -> None:
    """Open the wizard and choose the platform; ends on the credentials step."""
    page = ui.page
    ui.goto("/stores/new", "wizard-platform")
    page.get_by_role("radio", name=platform).check()
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_label("Store URL", exact=True)).to_be_visible()
    ui.snap(f"wizard-credentials-{platform.lower()}")


def fill_credentials(page: Page, credentials: dict[str, str]) -> None:
    """Type a fake store's `credentials()` (or wrong ones) into the credentials form."""
    page.get_by_label("Store URL", exact=True).fill(credentials["store_url"])
    labels = {
        "consumer_key": "Consumer key",
        "consumer_secret": "Consumer secret",
        "access_token": "Admin API access token",
        "client_id": "Client ID",
        "client_secret": "Client secret",
    }
    for name, label in labels.items():
        if credentials.get(name):
            page.get_by_label(label, exact=True).fill(credentials[name])


def connection_test_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Test connection", exact=True)


def add_store(
    ui: Ui,
    store: FakeWooCommerceStore | FakeShopifyStore,
    *,
    name: str | None = None,
    sync_now: bool = True,
) -> str:
    """Walk the whole wizard with the store's working credentials; ends on the new store's page.
    Returns the store's id (from its URL)."""
    page = ui.page
    platform = platform_of(store)
    shown_name = store.store_name if isinstance(store, FakeWooCommerceStore) else store.shop_name
    credentials_step(ui, platform)
    fill_credentials(page, store.credentials())
    connection_test_button(page).click()
    expect(page.get_by_text(f"Connected to {shown_name}")).to_be_visible()
    expect(page.get_by_text(f"{len(store.product_ids())} products")).to_be_visible()
    ui.snap(f"wizard-test-{platform.lower()}")
    page.get_by_role("button", name="Continue", exact=True).click()
    store_name = page.get_by_label("Store name", exact=True)
    expect(store_name).to_have_value(shown_name)
    expect(page.get_by_role("radio", name="Sync now")).to_be_checked()
    ui.snap(f"wizard-configuration-{platform.lower()}")
    if name is not None:
        store_name.fill(name)
    if not sync_now:
        page.get_by_role("radio", name="Sync later").check()
    page.get_by_role("button", name="Save store", exact=True).click()
    expect(page).to_have_url(STORE_PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text(name or shown_name)
    return store_id_of(page)


def store_id_of(page: Page) -> str:
    found = STORE_PAGE.search(page.url.split("?")[0])
    assert found, f"not a store's page: {page.url}"
    return found.group(1)


def wait_for_sync(ui: Ui, step: str = "store-synced") -> None:
    """On a store's page: wait until its sync status says the last sync succeeded."""
    expect(ui.page.get_by_test_id("sync-status")).to_contain_text(
        "Last sync succeeded", timeout=SYNC_WAIT_MS
    )
    ui.snap(step)


def searchable(store: FakeWooCommerceStore) -> SeedProduct:
    """A simple product (one SKU, no variations) of the fake store's catalog whose name is in
    no other product's name (two-digit index, catalog under 100)."""
    catalog = list(generate_catalog(len(store.product_ids())))
    return next(p for p in catalog if p.index >= 10 and p.sku and not p.variants)


def tracked_products(store: FakeWooCommerceStore) -> list[tuple[SeedProduct, str]]:
    """The fake store's simple products (a SKU and a price, no variations) tracking a stock
    above zero, each with its id at the store, in catalog order."""
    variable = store.variable_product_ids()
    ids = store.product_ids()
    return [
        (seed, ids[seed.index])
        for seed in generate_catalog(len(ids))
        if seed.sku and seed.price and seed.manage_stock and seed.stock and not seed.variants
        if ids[seed.index] not in variable
    ]


@pytest.fixture
def corner_shop(secrets: set[str]) -> Iterator[FakeWooCommerceStore]:
    """A small fake WooCommerce store for the edit tests (import it into the test module)."""
    store = FakeWooCommerceStore(products=12, store_name="Corner Shop")
    secrets.update({store.consumer_key, store.consumer_secret})
    with store.serve():
        yield store


T = TypeVar("T")


def at_the_store(call: Coroutine[Any, Any, T]) -> T:
    """Run a connector call (the store's own admin, behind the hub's back) on a thread of its
    own: Playwright's sync API holds this thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, call).result()


# Chromium keeps showing the page a form was posted from until the answer arrives, but
# Playwright cannot look at that page meanwhile (its calls wait for the new document). So the
# page records its own button's states where the next page can read them: sessionStorage.
_RECORD_STATES = """button => {
    const record = () => {
        const seen = JSON.parse(sessionStorage.getItem("g4-button-states") || "[]");
        seen.push({
            text: button.textContent.trim(),
            disabled: button.disabled,
            busy: button.getAttribute("aria-busy"),
        });
        sessionStorage.setItem("g4-button-states", JSON.stringify(seen));
    };
    sessionStorage.removeItem("g4-button-states");
    new MutationObserver(record).observe(
        button, {subtree: true, childList: true, characterData: true, attributes: true}
    );
}"""


def record_button_states(button: Locator) -> None:
    """From now on, every change of `button` (text, disabled, aria-busy) is kept for
    `recorded_button_states`, across the navigation its form starts."""
    button.evaluate(_RECORD_STATES)


def recorded_button_states(page: Page) -> list[dict[str, Any]]:
    states: list[dict[str, Any]] = json.loads(
        page.evaluate("() => sessionStorage.getItem('g4-button-states') || '[]'")
    )
    assert states, "the button never changed: no loading state"
    return states
