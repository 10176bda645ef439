"""What a merchant reads in the catalog and around it: prices with their currency, stock count and
availability apart, numbers and times written alike, sort / filters / page size, a product's own
page (variants, images, a link to the store's admin), the sync history's pages, settings and the
automation page."""

from __future__ import annotations

import asyncio
import html
import re
import uuid
from typing import Any

import httpx
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from g4hub_core import Hub
from g4hub_core.models import StoreProduct
from tests.api.conftest import PASSWORD
from tests.api.web.helpers import (
    WebUser,
    add_store,
    by_testid,
    page_text,
    post_form,
    sign_up,
    wait_for_sync,
)


def rows(page: str) -> list[str]:
    table = re.search(r"<caption>Products</caption>(.*?)</table>", page, re.S)
    assert table
    return re.findall(r"<tr>(.*?)</tr>", table.group(1).split("<tbody>")[1], re.S)


def cell(row: str, label: str) -> str:
    found = re.search(rf'<td[^>]*data-label="{label}"[^>]*>(.*?)</td>', row, re.S)
    assert found, label
    return html.unescape(page_text(found.group(1))).strip()


async def synced(client: AsyncTestClient[Any], user: WebUser, store: FakeWooCommerceStore) -> str:
    store_id = await add_store(client, user, store, name="Orchard")
    await wait_for_sync(client, store_id)
    return store_id


async def test_prices_carry_their_currency_and_stock_reads_as_count_and_availability(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await synced(client, user, woo)
    page = (await client.get(f"/stores/{store_id}", params={"per_page": "50"})).text
    listed = rows(page)
    assert len(listed) == 45
    priced = [cell(row, "Price") for row in listed if cell(row, "Price") != "—"]
    assert priced
    assert all(re.fullmatch(r"[\d,]+\.\d\d [A-Z]{3}", price) for price in priced), priced
    for row in listed:
        stock, availability = cell(row, "Stock"), cell(row, "Availability")
        assert re.fullmatch(r"[\d,]+|Not tracked", stock), stock
        assert availability in {"In stock", "Out of stock", "On backorder"}
    # Times are machine-readable for the reader's time zone, with UTC in the text and tooltip.
    assert re.search(r'<time datetime="[^"]+" title="[^"]+ UTC" data-local>[^<]+ UTC</time>', page)


async def test_numbers_are_written_with_thousands_separators(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    big = FakeWooCommerceStore(products=1_050)
    with big.serve():
        store_id = await synced(client, user, big)
    overview = (await client.get("/overview")).text
    assert by_testid(overview, "stat-products-synced") == "1,050"
    assert "sync succeeded, 1,050 products (1,050 new" in page_text(overview)
    page = (await client.get(f"/stores/{store_id}")).text
    assert "Page 1 of 53 · 1,050 products" in page_text(page)


async def test_sort_filters_and_page_size(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await synced(client, user, woo)
    url = f"/stores/{store_id}"
    cheap_first = rows((await client.get(url, params={"sort": "price", "per_page": "50"})).text)
    prices = [cell(r, "Price") for r in cheap_first if cell(r, "Price") != "—"]
    amounts = [float(p.split()[0].replace(",", "")) for p in prices]
    assert amounts == sorted(amounts)
    dear_first = rows((await client.get(url, params={"sort": "-price", "per_page": "50"})).text)
    assert cell(dear_first[0], "Price") == prices[-1]

    page = (await client.get(url, params={"per_page": "50"})).text
    assert "Page 1 of 1 · 45 products" in page_text(page)
    statuses = {cell(r, "Availability") for r in rows(page)}
    for wanted, label in (("instock", "In stock"), ("outofstock", "Out of stock")):
        filtered = (await client.get(url, params={"stock": wanted, "per_page": "50"})).text
        assert {cell(r, "Availability") for r in rows(filtered)} <= {label}
        if label in statuses:
            assert rows(filtered)
    drafts = (await client.get(url, params={"status": "draft"})).text
    assert all(cell(r, "Status") == "draft" for r in rows(drafts) if "data-label" in r)
    # Choices the page does not offer fall back to the defaults instead of failing it.
    odd = await client.get(url, params={"sort": "sku; drop", "per_page": "7", "stock": "x"})
    assert odd.status_code == 200
    assert len(rows(odd.text)) == 20
    # The pager keeps the choices.
    sorted_page = (await client.get(url, params={"sort": "-name"})).text
    assert f'href="{url}?sort=-name&amp;page=2"' in sorted_page


async def test_a_product_page_shows_variants_images_and_the_admin_link(
    client: AsyncTestClient[Any], user: WebUser, shop: FakeShopifyStore
) -> None:
    store_id = await add_store(client, user, shop, name="Harbour")
    await wait_for_sync(client, store_id)
    variable = sorted(shop.variable_product_ids())[0]
    page = await client.get(f"/stores/{store_id}/product", params={"id": variable})
    assert page.status_code == 200
    text = page.text
    variants = re.search(r'data-testid="variants">(.*?)</table>', text, re.S)
    assert variants
    assert len(re.findall(r"<tr>", variants.group(1))) >= 3  # the header and two variants
    assert "no variants" not in variants.group(1)
    assert f'href="{shop.url}/admin/products/{variable}"' in text
    assert "Open in Shopify admin" in text
    # Linked from the catalog.
    catalog = (await client.get(f"/stores/{store_id}", params={"per_page": "50"})).text
    assert f'href="/stores/{store_id}/product?id={variable}"' in catalog
    missing = await client.get(f"/stores/{store_id}/product", params={"id": "no-such"})
    assert missing.status_code == 404


async def test_a_woocommerce_product_links_to_its_edit_screen(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await synced(client, user, woo)
    variable = sorted(woo.variable_product_ids())[0]
    text = (await client.get(f"/stores/{store_id}/product", params={"id": variable})).text
    assert f'href="{woo.url}/wp-admin/post.php?post={variable}&amp;action=edit"' in text
    # The sync stores the variations: each is a row of the page's variants table.
    variants = re.search(r'data-testid="variants">(.*?)</table>', text, re.S)
    assert variants
    listed = woo.webhooks.product_json(variable)["variations"]
    assert len(re.findall(r"<tr>", variants.group(1))) == 1 + len(listed)


async def test_the_fake_stores_serve_the_images_their_products_name(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await synced(client, user, woo)
    page = (await client.get(f"/stores/{store_id}", params={"per_page": "50"})).text
    images = re.findall(r'<img src="([^"]+)"', page)
    assert images
    for url in images[:5]:
        assert url.startswith(woo.url)
        answer = await asyncio.to_thread(httpx.get, html.unescape(url))
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/svg+xml"


async def test_the_sync_history_has_pages(client: AsyncTestClient[Any], user: WebUser) -> None:
    small = FakeWooCommerceStore(products=3)
    with small.serve():
        store_id = await add_store(client, user, small, sync="later")
        for _ in range(11):
            await post_form(client, f"/stores/{store_id}/sync", {"_csrf": user.csrf})
            await wait_for_sync(client, store_id)
    first = (await client.get(f"/stores/{store_id}")).text
    assert ">Older syncs</a>" in first
    assert ">Newer syncs</a>" not in first
    second = (await client.get(f"/stores/{store_id}", params={"history": "2"})).text
    history = re.search(r"<caption[^>]*>Sync history</caption>(.*?)</table>", second, re.S)
    assert history
    assert len(re.findall(r"<tr>", history.group(1))) == 2  # the header and the 11th sync
    assert ">Newer syncs</a>" in second
    assert ">Older syncs</a>" not in second


async def test_settings_rename_the_business_and_change_the_password(
    client: AsyncTestClient[Any],
) -> None:
    user = await sign_up(client, business="Acme")
    page = (await client.get("/settings")).text
    assert "Coming soon" not in page
    assert 'value="Acme"' in page
    renamed = await post_form(
        client, "/settings/business", {"_csrf": user.csrf, "business_name": "Acme Outlet"}
    )
    assert (renamed.status_code, renamed.headers["location"]) == (
        303,
        "/settings?notice=business_renamed",
    )
    assert 'value="Acme Outlet"' in (await client.get("/settings")).text
    empty = await post_form(client, "/settings/business", {"_csrf": user.csrf, "business_name": ""})
    assert empty.status_code == 422

    new_password = "quiet-harbour-lantern-7"
    # A sign-in elsewhere (an API token); the browser's own cookies are kept aside meanwhile.
    browser = dict(client.cookies)
    elsewhere = await client.post(
        "/api/auth/login", json={"email": user.email, "password": PASSWORD}
    )
    old_token = {"Authorization": f"Bearer {elsewhere.json()['access_token']}"}
    client.cookies.clear()
    client.cookies.update(browser)
    wrong = await post_form(
        client,
        "/settings/password",
        {"_csrf": user.csrf, "current_password": "nope", "new_password": new_password},
    )
    assert wrong.status_code == 422
    assert "The current password is wrong." in wrong.text
    assert new_password not in wrong.text
    changed = await post_form(
        client,
        "/settings/password",
        {"_csrf": user.csrf, "current_password": PASSWORD, "new_password": new_password},
    )
    assert changed.status_code == 303
    # Other sign-ins end; this browser stays signed in.
    assert (await client.get("/api/auth/me", headers=old_token)).status_code == 401
    assert (await client.get("/settings")).status_code == 200
    old = await client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert old.status_code == 401
    new = await client.post("/api/auth/login", json={"email": user.email, "password": new_password})
    assert new.status_code == 200


async def test_automation_shows_each_stores_schedule(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, name="Orchard", sync="later", schedule="60")
    page = (await client.get("/automation")).text
    table = re.search(r'data-testid="schedules">(.*?)</table>', page, re.S)
    assert table
    assert f'href="/stores/{store_id}">Orchard</a>' in table.group(1)
    assert "Every hour" in table.group(1)


async def test_a_variable_product_held_without_its_variations_says_a_sync_brings_them(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await synced(client, user, woo)
    variable = sorted(woo.variable_product_ids())[0]
    listed = woo.webhooks.product_json(variable)["variations"]
    # A row as an older hub kept it: the product alone, its variations only named in `raw`
    # (hashed from that content, so not the hash of the store's product with its variations).
    hub: Hub = client.app.state.hub
    async with hub.engine.begin() as connection:
        row = StoreProduct.__table__.c
        where = (row.store_id == uuid.UUID(store_id)) & (row.platform_product_id == variable)
        data = (await connection.execute(select(row.data).where(where))).scalar_one()
        held = {**data, "variants": []}
        await connection.execute(
            update(StoreProduct).where(where).values(data=held, content_hash="0" * 32)
        )
    text = (await client.get(f"/stores/{store_id}/product", params={"id": variable})).text
    note = page_text(by_testid(text, "variants"))
    assert f"The store lists {len(listed)} variations of this product" in note
    assert "Sync now" in note

    # What the page says holds: a sync brings each variation in as a row of the table.
    resync = await post_form(client, f"/stores/{store_id}/sync", {"_csrf": user.csrf})
    assert resync.status_code == 303
    await wait_for_sync(client, store_id)
    text = (await client.get(f"/stores/{store_id}/product", params={"id": variable})).text
    variants = re.search(r'data-testid="variants">(.*?)</table>', text, re.S)
    assert variants
    assert len(re.findall(r"<tr>", variants.group(1))) == 1 + len(listed)
    assert "The store lists" not in variants.group(1)
