"""`/api/dashboard`: the overview of every store and the activity feed."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeShopifyStore, FakeWooCommerceStore
from tests.api.stores.helpers import Account, add_store, names_field
from tests.api.sync.helpers import insert_running_sync, wait_for_sync

OVERVIEW_FIELDS = {
    "total_stores",
    "connected_stores",
    "products_synced",
    "last_sync_at",
    "stores",
    "recent_activity",
}


async def overview(client: AsyncTestClient[Any], account: Account, **params: Any) -> Any:
    response = await client.get("/api/dashboard/overview", params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_new_tenants_overview_is_empty(
    client: AsyncTestClient[Any], account: Account
) -> None:
    body = await overview(client, account)
    assert set(body) >= OVERVIEW_FIELDS
    assert (body["total_stores"], body["connected_stores"], body["products_synced"]) == (0, 0, 0)
    assert (body["last_sync_at"], body["stores"], body["recent_activity"]) == (None, [], [])
    feed = await client.get("/api/dashboard/recent-activity", headers=account.headers)
    assert (feed.status_code, feed.json()) == (200, {"items": []})


async def test_the_overview_counts_stores_products_and_shows_each_stores_light(
    client: AsyncTestClient[Any],
    account: Account,
    woo: FakeWooCommerceStore,
    shop: FakeShopifyStore,
) -> None:
    synced = await add_store(client, account, woo, name="Synced")
    requested = await client.post(f"/api/stores/{synced['id']}/sync", headers=account.headers)
    await wait_for_sync(client, account, requested.json()["id"])
    busy = await add_store(client, account, shop, name="Busy")
    await insert_running_sync(client, account, busy["id"])
    broken = FakeWooCommerceStore(products=2, seed=3)
    with broken.serve():
        await add_store(
            client, account, broken, name="Broken", **broken.wrong_credentials(), force=True
        )

    body = await overview(client, account)

    assert (body["total_stores"], body["connected_stores"], body["failed_stores"]) == (3, 2, 1)
    assert body["stores_by_platform"] == {"shopify": 1, "woocommerce": 2}
    assert body["products_synced"] == 7
    assert body["last_sync_at"] is not None
    lights = {store["name"]: store["indicator"] for store in body["stores"]}
    assert lights == {"Synced": "ok", "Busy": "syncing", "Broken": "error"}
    assert [a["store_name"] for a in body["recent_activity"]] == ["Busy", "Synced"]
    assert [a["status"] for a in body["recent_activity"]] == ["running", "succeeded"]


async def test_the_feed_and_the_overview_take_their_length(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    for _ in range(2):
        requested = await client.post(f"/api/stores/{store['id']}/sync", headers=account.headers)
        await wait_for_sync(client, account, requested.json()["id"])

    feed = await client.get("/api/dashboard/recent-activity?limit=1", headers=account.headers)
    assert len(feed.json()["items"]) == 1
    assert feed.json()["items"][0]["store_id"] == store["id"]
    assert (await overview(client, account, recent=0))["recent_activity"] == []
    assert len((await overview(client, account))["recent_activity"]) == 2


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/dashboard/recent-activity?limit=0", "limit"),
        ("/api/dashboard/recent-activity?limit=101", "limit"),
        ("/api/dashboard/recent-activity?limit=ten", "limit"),
        ("/api/dashboard/overview?recent=-1", "recent"),
        ("/api/dashboard/overview?recent=101", "recent"),
    ],
)
async def test_lengths_out_of_bounds_are_invalid_input(
    client: AsyncTestClient[Any], account: Account, url: str, field: str
) -> None:
    response = await client.get(url, headers=account.headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert names_field(response.json()["error"], field)


async def test_the_dashboard_needs_a_signed_in_user(client: AsyncTestClient[Any]) -> None:
    for url in ("/api/dashboard/overview", "/api/dashboard/recent-activity"):
        assert (await client.get(url)).status_code == 401
