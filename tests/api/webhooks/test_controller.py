"""Deliveries over HTTP: a fake WooCommerce store's signed deliveries reach the app's public
endpoint, and the change shows in the products list and the change feed with no sync started."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

from litestar.testing import AsyncTestClient

from g4hub_connectors.testing import FakeWooCommerceStore
from tests.api.stores.helpers import Account, add_store
from tests.api.webhooks.conftest import PUBLIC_URL


async def _synced_store(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> str:
    store = await add_store(client, account, woo, sync=True)
    deadline = time.monotonic() + 20
    while True:
        logs = await client.get(f"/api/sync/logs?store_id={store['id']}", headers=account.headers)
        if logs.json()["items"] and logs.json()["items"][0]["status"] == "succeeded":
            return str(store["id"])
        assert time.monotonic() < deadline, logs.text
        await asyncio.sleep(0.05)


async def _product_name(
    client: AsyncTestClient[Any], account: Account, store_id: str, product_id: str
) -> str:
    response = await client.get(
        f"/api/stores/{store_id}/products/{product_id}", headers=account.headers
    )
    assert response.status_code == 200, response.text
    return str(response.json()["name"])


async def test_a_change_in_the_store_shows_within_seconds_with_no_sync(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store_id = await _synced_store(client, account, woo)
    subscribed = await client.post(f"/api/stores/{store_id}/webhooks", headers=account.headers)
    assert subscribed.status_code == 202, subscribed.text
    assert subscribed.json()["status"] == "live"
    assert len(woo.webhooks.hooks) == 4
    hook = next(iter(woo.webhooks.hooks.values()))
    assert hook.delivery_url.startswith(f"{PUBLIC_URL}/webhooks/woocommerce/")

    feed = await client.get("/api/changes?limit=1000", headers=account.headers)
    cursor = feed.json()["next_cursor"]
    assert len(feed.json()["items"]) == 12

    variable = woo.variable_product_ids()
    product = next(i for i in woo.product_ids() if i not in variable)
    woo.webhooks.edit(product, name="Renamed in the store")
    # Pings and the delivery, with no sign-in: the signature is the authentication.
    started = time.monotonic()
    assert set(await woo.webhooks.send(client)) == {200}
    while await _product_name(client, account, store_id, product) != "Renamed in the store":
        assert time.monotonic() - started < 5, "the change never showed"
        await asyncio.sleep(0.02)

    since = await client.get(f"/api/changes?cursor={cursor}", headers=account.headers)
    assert since.status_code == 200, since.text
    items = since.json()["items"]
    assert [(c["platform_product_id"], c["kind"], c["source"]) for c in items] == [
        (product, "updated", "webhook")
    ]
    again = await client.get(
        f"/api/changes?cursor={since.json()['next_cursor']}", headers=account.headers
    )
    assert again.json()["items"] == []

    status = await client.get(f"/api/stores/{store_id}/webhooks", headers=account.headers)
    assert status.json()["activity"]["products_upserted"] == 1


async def test_forged_oversized_and_unknown_deliveries_are_refused(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store_id = await _synced_store(client, account, woo)
    await client.post(f"/api/stores/{store_id}/webhooks", headers=account.headers)
    await woo.webhooks.send(client)  # the pings
    product = woo.product_ids()[0]
    [delivery] = woo.webhooks.emit("product.updated", product)
    woo.webhooks.outbox.clear()

    forged = dataclasses.replace(delivery, body=delivery.body.replace(b'"id"', b'"id" ', 1))
    refused = await client.post(forged.url, content=forged.body, headers=forged.headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_signature"

    unknown = delivery.url.rsplit("/", 1)[0] + "/not-an-endpoint"
    missing = await client.post(unknown, content=delivery.body, headers=delivery.headers)
    assert missing.status_code == 404

    huge = await client.post(
        delivery.url, content=b"x" * (6 * 1024 * 1024), headers=delivery.headers
    )
    assert huge.status_code == 413

    status = await client.get(f"/api/stores/{store_id}/webhooks", headers=account.headers)
    assert status.json()["activity"]["deliveries_received"] == 0


async def test_the_change_feed_refuses_a_cursor_it_did_not_give(
    client: AsyncTestClient[Any], account: Account
) -> None:
    response = await client.get("/api/changes?cursor=bm90LW91cnM", headers=account.headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_cursor"
    assert (await client.get("/api/changes")).status_code == 401


async def test_adding_a_store_subscribes_and_deleting_it_unsubscribes(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    assert sorted(h.topic for h in woo.webhooks.hooks.values()) == [
        "product.created",
        "product.deleted",
        "product.restored",
        "product.updated",
    ]
    status = await client.get(f"/api/stores/{store['id']}/webhooks", headers=account.headers)
    assert status.json()["status"] == "live"
    deleted = await client.delete(f"/api/stores/{store['id']}", headers=account.headers)
    assert deleted.status_code == 204
    assert woo.webhooks.hooks == {}
