"""The overview, the stores list and a store's page: real numbers, status lights, the products
table (search, pages), sync progress, connection tests, editing and deleting."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.api.web.helpers import (
    WebUser,
    add_store,
    alert_text,
    by_testid,
    field_value,
    page_text,
    post_form,
    wait_for_sync,
)


def product_rows(page: str) -> list[str]:
    table = re.search(r"<caption>Products</caption>(.*?)</table>", page, re.S)
    assert table
    body = table.group(1).split("<tbody>")[1]
    return [page_text(row).strip() for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


async def test_overview_and_stores_show_real_numbers(
    client: AsyncTestClient[Any],
    user: WebUser,
    woo: FakeWooCommerceStore,
    shop: FakeShopifyStore,
) -> None:
    empty = (await client.get("/overview")).text
    assert [by_testid(empty, f"stat-{n}") for n in ("connected-stores", "total-stores")] == [
        "0",
        "0",
    ]
    assert by_testid(empty, "stat-last-sync") == "Never"

    woo_id = await add_store(client, user, woo, name="Orchard")
    await wait_for_sync(client, woo_id)
    shop_id = await add_store(client, user, shop, name="Harbour", sync="later")

    overview = (await client.get("/overview")).text
    assert by_testid(overview, "stat-connected-stores") == "2"
    assert by_testid(overview, "stat-total-stores") == "2"
    assert by_testid(overview, "stat-products-synced") == "45"
    assert re.fullmatch(r".+ UTC · succeeded \(Orchard\)", by_testid(overview, "stat-last-sync"))
    assert by_testid(overview, f"store-status-{woo_id}") == "Connected"
    assert by_testid(overview, f"store-status-{shop_id}") == "Connected"
    assert "Orchard : sync succeeded, 45 products" in page_text(overview)
    assert overview.count(">Sync now</button>") == 2

    stores = (await client.get("/stores")).text
    assert stores.count('data-testid="store-card"') == 2
    for name, platform in (("Orchard", "WooCommerce"), ("Harbour", "Shopify")):
        assert f">{name}</a>" in stores
        assert platform in stores
    assert woo.credentials()["store_url"] in stores


async def test_store_page_products_search_and_pages(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, name="Orchard")
    await wait_for_sync(client, store_id)
    first = await client.get(f"/stores/{store_id}")
    assert first.status_code == 200
    assert re.search(r"<h1>Orchard</h1>", first.text)
    assert by_testid(first.text, "connection-status") == "Connected"
    assert by_testid(first.text, "sync-status").startswith("Last sync succeeded")
    rows = product_rows(first.text)
    assert len(rows) == 20
    assert "Page 1 of 3" in first.text
    assert ">Next</a>" in first.text
    assert ">Previous</a>" not in first.text
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', first.text)[:7]
    assert headers == ["Image", "Name", "SKU", "Price", "Stock", "Availability", "Status"]

    last = await client.get(f"/stores/{store_id}", params={"page": "3"})
    assert len(product_rows(last.text)) == 5
    assert ">Previous</a>" in last.text
    assert ">Next</a>" not in last.text

    # Search by a product's SKU, taken from the page itself.
    sku = re.search(r'<td data-label="SKU">([^<—]+)</td>', first.text)
    assert sku
    found = await client.get(f"/stores/{store_id}", params={"q": sku.group(1)})
    assert 1 <= len(product_rows(found.text)) < 20
    assert all(sku.group(1) in row for row in product_rows(found.text))
    nothing = await client.get(f"/stores/{store_id}", params={"q": "no-such-thing-zzz"})
    assert "No products match" in nothing.text
    odd = await client.get(f"/stores/{store_id}", params={"page": "banana"})
    assert odd.status_code == 200
    assert "Page 1 of 3" in odd.text


async def test_sync_now_shows_progress_then_the_outcome(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    slow = FakeWooCommerceStore(products=30, latency=0.05)
    with slow.serve():
        store_id = await add_store(client, user, slow, sync="later")
        queued = await post_form(client, f"/stores/{store_id}/sync", {"_csrf": user.csrf})
        assert queued.status_code == 303
        page = await client.get(queued.headers["location"])
        status = by_testid(page.text, "sync-status")
        if status.startswith("Syncing"):  # still running when the page was drawn
            assert '<meta http-equiv="refresh" content="3">' in page.text
            assert 'data-active="true"' in page.text
        state = await wait_for_sync(client, store_id)
    assert state == {
        "active": False,
        "status": "succeeded",
        "fetched": 30,
        "total": 30,
        "text": "Last sync succeeded",
        "detail": "30 products: 30 new, 0 updated, 0 removed.",
    }
    done = await client.get(f"/stores/{store_id}")
    assert "http-equiv" not in done.text
    assert "Sync history" in done.text
    assert "succeeded" in done.text


async def test_a_failed_sync_says_why(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, sync="later")
    # A listing the store cuts short: the connection test still passes, the sync fails.
    woo.inject("truncated", path="/products", times=None)
    await post_form(client, f"/stores/{store_id}/sync", {"_csrf": user.csrf})
    state = await wait_for_sync(client, store_id)
    assert state["status"] == "failed"
    assert state["text"].startswith("Last sync failed: ")
    page = await client.get(f"/stores/{store_id}")
    assert by_testid(page.text, "sync-status").startswith("Last sync failed: ")
    # The connection still works, but the store does not read "Connected" alone: its health
    # says the last sync failed, why, and when, on every page and in the API.
    reason = state["text"].removeprefix("Last sync failed: ")
    health = by_testid(page.text, f"health-{store_id}")
    assert health.startswith(f"Last sync failed {reason}")
    assert health.endswith("UTC)")
    assert by_testid(page.text, f"last-sync-{store_id}").endswith("· failed")
    overview = (await client.get("/overview")).text
    assert by_testid(overview, "stat-connected-stores") == "0"
    assert by_testid(overview, f"store-status-{store_id}") == "Last sync failed"
    assert reason in by_testid(overview, f"health-{store_id}")
    assert "failed" in by_testid(overview, "stat-last-sync")
    stores = (await client.get("/stores")).text
    assert by_testid(stores, f"health-{store_id}") == by_testid(overview, f"health-{store_id}")
    listed = (await client.get("/api/stores")).json()["items"][0]["health"]
    assert (listed["state"], listed["label"], listed["healthy"]) == (
        "warning",
        "Last sync failed",
        False,
    )
    assert (listed["reason"], listed["last_sync_result"]) == (reason, "failed")
    assert listed == (await client.get(f"/api/stores/{store_id}")).json()["health"]


async def test_test_connection_records_the_outcome(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, sync="later")
    woo.inject("status", status=401, times=None)
    tested = await post_form(client, f"/stores/{store_id}/test", {"_csrf": user.csrf})
    assert tested.status_code == 303
    page = await client.get(tested.headers["location"])
    assert by_testid(page.text, "connection-status") == "Failed"
    assert by_testid(page.text, f"health-{store_id}").startswith("Connection failed ")
    overview = await client.get("/overview")
    assert by_testid(overview.text, f"store-status-{store_id}") == "Connection failed"
    woo.clear_faults()
    await post_form(client, f"/stores/{store_id}/test", {"_csrf": user.csrf})
    page = await client.get(f"/stores/{store_id}")
    assert by_testid(page.text, "connection-status") == "Connected"


async def test_edit_credentials_tests_them_before_saving(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, name="Orchard", sync="later")
    form = await client.get(f"/stores/{store_id}/edit")
    assert field_value(form.text, "name") == "Orchard"
    assert field_value(form.text, "store_url") == woo.credentials()["store_url"]
    assert woo.consumer_secret not in form.text
    asked = len(woo.requests)

    wrong = woo.wrong_credentials()
    refused = await post_form(
        client,
        f"/stores/{store_id}/edit",
        {
            "_csrf": user.csrf,
            "name": "Renamed",
            "store_url": woo.credentials()["store_url"],
            "consumer_key": wrong["consumer_key"],
            "consumer_secret": wrong["consumer_secret"],
        },
    )
    assert refused.status_code == 422
    assert "What to do:" in alert_text(refused.text)
    assert len(woo.requests) > asked  # tested against the store
    assert wrong["consumer_secret"] not in refused.text
    unchanged = await client.get(f"/stores/{store_id}")
    assert "<h1>Orchard</h1>" in unchanged.text  # nothing saved, not even the name

    saved = await post_form(
        client,
        f"/stores/{store_id}/edit",
        {
            "_csrf": user.csrf,
            "name": "Renamed",
            "store_url": woo.credentials()["store_url"],
            "consumer_key": woo.consumer_key,
            "consumer_secret": woo.consumer_secret,
        },
    )
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert "<h1>Renamed</h1>" in page.text
    assert by_testid(page.text, "connection-status") == "Connected"


async def test_delete_asks_first(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, name="Orchard", sync="later")
    confirm = await client.get(f"/stores/{store_id}/delete")
    assert "Delete permanently" in confirm.text
    assert (await client.get(f"/stores/{store_id}")).status_code == 200  # asking deleted nothing
    deleted = await post_form(client, f"/stores/{store_id}/delete", {"_csrf": user.csrf})
    assert (deleted.status_code, deleted.headers["location"]) == (303, "/stores?notice=deleted")
    gone = await client.get(f"/stores/{store_id}")
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("text/html")
    assert 'data-testid="store-card"' not in (await client.get("/stores")).text


async def test_forms_without_the_sessions_token_change_nothing(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, name="Orchard", sync="later")
    for data in ({}, {"_csrf": "forged"}, {"_csrf": user.csrf[:-2] + "xx"}):
        response = await post_form(client, f"/stores/{store_id}/delete", data)
        assert response.status_code == 403
        assert "This form has expired" in response.text
        assert response.headers["content-type"].startswith("text/html")
    assert (await client.get(f"/stores/{store_id}")).status_code == 200
    # Scripts send the token in the header instead of the form.
    by_header = await client.post(
        f"/stores/{store_id}/sync", headers={"X-CSRF-Token": user.csrf}, follow_redirects=False
    )
    assert by_header.status_code == 303


async def test_unknown_and_malformed_store_ids_are_html_404s(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    for url in ("/stores/00000000-0000-4000-8000-000000000000", "/stores/not-an-id/edit"):
        response = await client.get(url)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Page not found" in response.text


async def test_every_page_has_a_title_a_skip_link_and_one_heading(
    client: AsyncTestClient[Any], user: WebUser, woo: FakeWooCommerceStore
) -> None:
    store_id = await add_store(client, user, woo, name="Orchard", sync="later")
    signed_in = [
        "/overview",
        "/stores",
        "/automation",
        "/changes",
        "/settings",
        "/stores/new",
        "/stores/new/credentials?platform=woocommerce",
        "/stores/new/credentials?platform=shopify",
        f"/stores/{store_id}",
        f"/stores/{store_id}/edit",
        f"/stores/{store_id}/delete",
        "/stores/00000000-0000-4000-8000-000000000000",  # the error page too
    ]
    pages = [(await client.get(url)).text for url in signed_in]
    client.cookies.clear()
    pages += [(await client.get(url)).text for url in ("/login", "/register")]
    for url, page in zip([*signed_in, "/login", "/register"], pages, strict=True):
        assert re.search(r"<title>[^<]+ · G4 Hub</title>", page), url
        assert '<a class="skip-link" href="#main">' in page, url
        assert 'id="main"' in page, url
        assert len(re.findall(r"<h1[ >]", page)) == 1, url
        # Every input a person fills has a label (hidden ones carry the form's state).
        for input_id in re.findall(r'<input[^>]*\sid="([^"]+)"', page):
            assert f'for="{input_id}"' in page, (url, input_id)
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', pages[0], re.S)
    assert nav
    assert re.findall(r">([A-Za-z]+)</a>", nav.group(1)) == [
        "Overview",
        "Stores",
        "SKUs",
        "Automation",
        "Changes",
        "Settings",
    ]
