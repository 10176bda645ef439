"""A fake Shopify store sends deliveries signed with the app's client secret: retries of one
event count once, an event older than the row held is dropped, a forged one is refused, and a
subscription Shopify removed after failures is made again by the watchdog."""

from __future__ import annotations

import dataclasses

from g4hub_connectors.testing import FakeShopifyStore
from tests.core.factories import insert_store, insert_tenant
from tests.core.sync.helpers import HubFactory, rows, sync
from tests.core.webhooks.helpers import PUBLIC_URL, delivery_client


async def test_shopify_deliveries_keep_the_hub_equal_to_the_store(make_hub: HubFactory) -> None:
    store = FakeShopifyStore(products=20)
    hub = await make_hub(store, public_url=PUBLIC_URL)
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, store.client_credentials())
    assert (await sync(hub, tenant_id, store_id, trigger="initial")).status == "succeeded"
    assert await hub.webhooks.subscribe(tenant_id, store_id) == "live"
    assert {s.topic for s in store.webhooks.subscriptions.values()} == {
        "products/create",
        "products/update",
        "products/delete",
        "inventory_levels/update",
    }

    first, second, gone = store.product_ids()[:3]
    store.webhooks.edit(first, title="First, renamed")
    store.webhooks.edit(first, title="First, renamed again")
    store.webhooks.edit(second, title="Second, renamed")
    store.webhooks.delete(gone)
    older, newer, other, deletion = store.webhooks.outbox
    store.webhooks.outbox.clear()
    forged = dataclasses.replace(newer, body=newer.body.replace(b"again", b"AGAIN"))
    # A retry is a new delivery (new X-Shopify-Webhook-Id) of the same event.
    retry = dataclasses.replace(newer, headers={**newer.headers, "x-shopify-webhook-id": "retry"})
    async with delivery_client(hub) as client:
        statuses = await store.webhooks.send(
            client, [newer, retry, other, deletion, deletion, older, forged]
        )
    assert statuses == [200, 200, 200, 200, 200, 200, 401]
    await hub.webhooks.runner.drain()

    held = await rows(hub, store_id)
    assert sorted(held) == sorted(store.product_ids())
    assert held[first].name == "First, renamed again"
    assert held[second].name == "Second, renamed"
    async with hub.unit(tenant_id) as unit:
        activity = (await unit.webhooks.status(store_id)).activity
    assert (activity.deliveries_received, activity.deliveries_duplicate) == (4, 2)
    assert (activity.deliveries_stale, activity.products_upserted) == (1, 2)
    assert activity.products_deleted == 1


async def test_the_watchdog_makes_a_removed_subscription_again(make_hub: HubFactory) -> None:
    store = FakeShopifyStore(products=5)
    hub = await make_hub(store, public_url=PUBLIC_URL)
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, store.client_credentials())
    assert await hub.webhooks.subscribe(tenant_id, store_id) == "live"
    product = store.product_ids()[0]
    for n in range(5):
        store.webhooks.edit(product, title=f"Edit {n}")
    async with delivery_client(hub, refuse=True) as down:
        await store.webhooks.send(down)
    assert "products/update" not in {s.topic for s in store.webhooks.subscriptions.values()}

    assert await hub.webhooks.check_all() == {"live": 1}
    assert len(store.webhooks.subscriptions) == 4
