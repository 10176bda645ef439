"""The whole journey over HTTP with the real app: register, sign in, check credentials, add a
WooCommerce and a Shopify store (fake stores on loopback ports), sync both, browse the products,
read the overview and the logs; no credential ever comes back."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.api.conftest import PASSWORD, auth_headers
from tests.api.stores.helpers import Account, assert_no_secret
from tests.api.sync.helpers import wait_for_sync

WOO_BAD_KEYS = (
    "Unable to connect to your WooCommerce store. Please check your Consumer Key and Secret."
)


@pytest.fixture
def woo() -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=120, store_name="Woo Outlet")
    with store.serve():
        yield store


@pytest.fixture
def shop() -> Iterator[FakeShopifyStore]:
    store = FakeShopifyStore(products=80, shop_name="Shopify Boutique")
    with store.serve():
        yield store


@pytest.fixture
def bodies(client: AsyncTestClient[Any]) -> list[str]:
    """Every response body the client receives during the test."""
    seen: list[str] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        seen.append(response.text)

    client.event_hooks["response"].append(keep)
    return seen


async def sign_in(client: AsyncTestClient[Any]) -> Account:
    email = "merchant@example.com"
    registered = await client.post(
        "/api/auth/register",
        json={"email": email, "password": PASSWORD, "tenant_name": "Merchant Co"},
    )
    assert registered.status_code == 201, registered.text
    client.cookies.clear()
    login = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    client.cookies.clear()
    token = login.json()["access_token"]
    me = await client.get("/api/auth/me", headers=auth_headers(token))
    assert me.json()["user"]["email"] == email
    return Account(tenant_id=uuid.UUID(me.json()["tenant"]["id"]), token=token)


async def test_from_registration_to_synced_products(
    client: AsyncTestClient[Any],
    woo: FakeWooCommerceStore,
    shop: FakeShopifyStore,
    bodies: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    account = await sign_in(client)
    headers = account.headers

    # The wizard's test step, before anything is saved.
    good = await client.post("/api/stores/test-connection", json=woo.credentials(), headers=headers)
    assert good.status_code == 200
    assert good.json()["success"] is True
    assert (good.json()["store_name"], good.json()["products_count"]) == ("Woo Outlet", 120)
    assert good.json()["error"] is None
    wrong = await client.post(
        "/api/stores/test-connection", json=woo.wrong_credentials(), headers=headers
    )
    assert wrong.status_code == 200
    assert wrong.json()["success"] is False
    assert wrong.json()["error"] == {"code": "invalid_credentials", "message": WOO_BAD_KEYS}
    assert (await client.get("/api/stores", headers=headers)).json() == {"items": []}

    # Add both stores, then sync them.
    added = {}
    for name, fake in (("Woo Outlet", woo), ("Shopify Boutique", shop)):
        response = await client.post(
            "/api/stores", json={"name": name, **fake.credentials()}, headers=headers
        )
        assert response.status_code == 201, response.text
        store = response.json()
        assert store["connection_status"] == "connected"
        assert store["credentials_hint"].endswith(str(fake.credentials()[_secret(fake)])[-4:])
        added[name] = store
    woo_id, shop_id = added["Woo Outlet"]["id"], added["Shopify Boutique"]["id"]
    assert added["Shopify Boutique"]["products_count"] == 80

    logs = {}
    for store_id in (woo_id, shop_id):
        response = await client.post(f"/api/stores/{store_id}/sync", headers=headers)
        assert response.status_code == 202, response.text
        assert response.json()["store_id"] == store_id
        assert response.json()["status"] in ("queued", "running")
        logs[store_id] = response.json()["id"]
    for log_id in logs.values():
        finished = await wait_for_sync(client, account, log_id)
        assert finished["status"] == "succeeded", finished
        assert finished["progress"] == 100
    assert (await client.get(f"/api/sync/logs/{logs[woo_id]}", headers=headers)).json()[
        "products_created"
    ] == 120

    # Products: pages, and search by name and by SKU.
    first = (await client.get(f"/api/stores/{woo_id}/products?per_page=50", headers=headers)).json()
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (
        120,
        1,
        50,
        50,
    )
    last = (
        await client.get(f"/api/stores/{woo_id}/products?page=3&per_page=50", headers=headers)
    ).json()
    assert len(last["items"]) == 20
    seen_ids = {p["platform_product_id"] for p in first["items"] + last["items"]}
    assert len(seen_ids) == 70
    item = first["items"][0]
    assert {"platform_product_id", "sku", "name", "price", "stock_quantity"} <= set(item)
    assert {"manage_stock", "last_updated"} <= set(item)

    wanted = next(p for p in first["items"] if p["sku"])
    by_name = await client.get(
        f"/api/stores/{woo_id}/products", params={"q": wanted["name"].upper()}, headers=headers
    )
    assert wanted["platform_product_id"] in _ids(by_name.json())
    assert all(wanted["name"].lower() in p["name"].lower() for p in by_name.json()["items"])
    by_sku = await client.get(
        f"/api/stores/{woo_id}/products", params={"q": wanted["sku"]}, headers=headers
    )
    assert wanted["platform_product_id"] in _ids(by_sku.json())
    assert by_sku.json()["total"] < 120
    detail = await client.get(
        f"/api/stores/{woo_id}/products/{wanted['platform_product_id']}", headers=headers
    )
    assert detail.status_code == 200
    assert detail.json()["sku"] == wanted["sku"]
    shopify = (await client.get(f"/api/stores/{shop_id}/products", headers=headers)).json()
    assert shopify["total"] == 80

    # The overview and the activity feed.
    overview = (await client.get("/api/dashboard/overview", headers=headers)).json()
    assert overview["total_stores"] == 2
    assert overview["connected_stores"] == 2
    assert overview["products_synced"] == 200
    assert overview["last_sync_at"] is not None
    assert {s["id"]: s["products_synced"] for s in overview["stores"]} == {
        woo_id: 120,
        shop_id: 80,
    }
    assert {s["indicator"] for s in overview["stores"]} == {"ok"}
    assert {a["id"] for a in overview["recent_activity"]} == set(logs.values())
    activity = (await client.get("/api/dashboard/recent-activity", headers=headers)).json()
    assert [a["status"] for a in activity["items"]] == ["succeeded", "succeeded"]

    # A second sync of the WooCommerce store comes first in the logs, newest first.
    again = await client.post(f"/api/stores/{woo_id}/sync", headers=headers)
    assert again.status_code == 202
    await wait_for_sync(client, account, again.json()["id"])
    all_logs = (await client.get("/api/sync/logs", headers=headers)).json()["items"]
    assert all_logs[0]["id"] == again.json()["id"]
    assert [log["created_at"] for log in all_logs] == sorted(
        (log["created_at"] for log in all_logs), reverse=True
    )
    assert len(all_logs) == 3
    woo_logs = (
        await client.get("/api/sync/logs", params={"store_id": woo_id}, headers=headers)
    ).json()["items"]
    assert [log["id"] for log in woo_logs] == [again.json()["id"], logs[woo_id]]
    assert woo_logs[0]["products_updated"] + woo_logs[0]["products_created"] == 0

    # Not one response (nor one log line) carried a key or a token.
    assert len(bodies) > 20
    credentials = (woo.credentials(), woo.wrong_credentials(), shop.credentials())
    assert_no_secret(bodies, *credentials)
    assert_no_secret([caplog.text], *credentials)


def _secret(store: FakeWooCommerceStore | FakeShopifyStore) -> str:
    return "consumer_key" if isinstance(store, FakeWooCommerceStore) else "access_token"


def _ids(page: dict[str, Any]) -> set[str]:
    return {product["platform_product_id"] for product in page["items"]}
