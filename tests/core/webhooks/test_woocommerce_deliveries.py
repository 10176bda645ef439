"""A fake WooCommerce store sends real signed deliveries to the hub (repeated, reordered, stale,
forged, refused): the hub's rows end equal to the store's catalog, each change counted once, and
the watchdog turns a webhook the store disabled back on."""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import func, select

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub
from g4hub_core.models import WebhookDelivery
from g4hub_core.stores.schemas import StoreUpdate
from tests.core.sync.helpers import HubFactory, add_store, rows, store_row, sync
from tests.core.webhooks.helpers import PUBLIC_URL, delivery_client


async def _ready(
    make_hub: HubFactory, products: int = 30
) -> tuple[FakeWooCommerceStore, Hub, uuid.UUID, uuid.UUID]:
    store = FakeWooCommerceStore(products=products)
    hub = await make_hub(store, public_url=PUBLIC_URL)
    tenant_id, store_id = await add_store(hub, store)
    log = await sync(hub, tenant_id, store_id, trigger="initial")
    assert log.status == "succeeded"
    assert await hub.webhooks.subscribe(tenant_id, store_id) == "live"
    return store, hub, tenant_id, store_id


async def _deliveries(hub: Hub) -> int:
    async with hub.unit() as unit:
        return int(
            await unit.session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0
        )


def _simple(store: FakeWooCommerceStore) -> list[str]:
    variable = store.variable_product_ids()
    return [i for i in store.product_ids() if i not in variable]


async def test_deliveries_keep_the_hub_equal_to_the_store(make_hub: HubFactory) -> None:
    store, hub, tenant_id, store_id = await _ready(make_hub)
    assert {h.topic for h in store.webhooks.hooks.values()} == {
        "product.created", "product.updated", "product.deleted", "product.restored",
    }  # fmt: skip
    assert all(
        h.delivery_url.startswith(f"{PUBLIC_URL}/webhooks/woocommerce/")
        for h in store.webhooks.hooks.values()
    )
    first, second, gone = _simple(store)[:3]
    async with delivery_client(hub) as client:
        # WooCommerce's unsigned pings on creation are answered 2xx and stored nowhere.
        assert set(await store.webhooks.send(client)) == {200}
        assert await _deliveries(hub) == 0

        store.webhooks.edit(first, name="First, renamed")
        [older] = list(store.webhooks.outbox)
        store.clock_offset += 5  # a later edit of the same product, a later modification time
        store.webhooks.edit(first, name="First, renamed again")
        store.webhooks.edit(second, name="Second, renamed")
        store.webhooks.trash(gone)
        queued, store.webhooks.outbox = store.webhooks.outbox, []
        newer = [d for d in queued if d is not older]
        # Out of order and repeated: the newer edit first, every delivery twice, the old edit last.
        statuses = await store.webhooks.send(client, [*newer, *newer, older])
        assert statuses == [200] * 7

        forged = dataclasses.replace(newer[0], body=newer[0].body.replace(b"again", b"AGAIN"))
        assert await store.webhooks.send(client, [forged]) == [401]
    await hub.webhooks.runner.drain()

    held = await rows(hub, store_id)
    assert sorted(held) == sorted(store.product_ids())
    assert gone not in held
    assert held[first].name == "First, renamed again"  # the stale edit did not win
    assert held[second].name == "Second, renamed"
    assert (await store_row(hub, store_id)).products_synced == len(store.product_ids())
    assert await _deliveries(hub) == 4  # stored once each; the forged one nowhere

    async with hub.unit(tenant_id) as unit:
        status = await unit.webhooks.status(store_id)
        feed = await unit.changes.page(limit=1000)
    assert status.status == "live"
    activity = status.activity
    assert (activity.deliveries_received, activity.deliveries_duplicate) == (4, 3)
    assert (activity.deliveries_stale, activity.products_upserted, activity.products_deleted) == (
        1,
        2,
        1,
    )
    from_hooks = [(c.platform_product_id, c.kind) for c in feed.items if c.source == "webhook"]
    # Once each; deliveries of different products are applied side by side, in any order.
    assert sorted(from_hooks) == sorted(
        [(first, "updated"), (second, "updated"), (gone, "deleted")]
    )
    assert sum(c.kind == "created" for c in feed.items) == 30


async def test_the_watchdog_turns_a_disabled_webhook_back_on(make_hub: HubFactory) -> None:
    store, hub, tenant_id, store_id = await _ready(make_hub, products=10)
    product = _simple(store)[0]
    store.webhooks.outbox.clear()
    for n in range(5):
        store.webhooks.edit(product, name=f"Edit {n}")
    async with delivery_client(hub, refuse=True) as down:
        assert set(await store.webhooks.send(down)) == {503}
    updated = next(h for h in store.webhooks.hooks.values() if h.topic == "product.updated")
    assert updated.status == "disabled"

    assert await hub.webhooks.check_all() == {"live": 1}
    assert updated.status == "active"
    assert len(store.webhooks.hooks) == 4  # re-enabled, not duplicated
    # The store's page, its API answer and the overview say what happened, and stay saying it
    # at the next check that finds nothing to repair.
    assert await hub.webhooks.check_all() == {"live": 1}
    async with hub.unit(tenant_id) as unit:
        status = await unit.webhooks.status(store_id)
        read = (await unit.dashboard.with_health([await unit.stores.get(store_id)]))[0]
        listed = (await unit.dashboard.overview()).stores[0]
    assert status.status == "live"
    assert status.reason is not None
    assert "had disabled 1 webhook(s) after failed deliveries: re-enabled at" in status.reason
    assert read.realtime is not None
    assert (read.realtime.status, read.realtime.reason) == ("live", status.reason)
    assert listed.realtime == read.realtime

    # What the store changed meanwhile arrives with the next delivery (or the next sync).
    store.webhooks.edit(product, name="After the outage")
    async with delivery_client(hub) as client:
        await store.webhooks.send(client)
    await hub.webhooks.runner.drain()
    assert (await rows(hub, store_id))[product].name == "After the outage"


async def test_without_a_public_url_the_hub_says_so_and_subscribes_nothing(
    make_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=5)
    hub = await make_hub(store)
    tenant_id, store_id = await add_store(hub, store)
    assert await hub.webhooks.subscribe(tenant_id, store_id) == "off"
    assert store.webhooks.hooks == {}
    async with hub.unit(tenant_id) as unit:
        status = await unit.webhooks.status(store_id)
    assert status.status == "off"
    assert status.reason is not None
    assert "G4HUB_PUBLIC_URL" in status.reason
    async with hub.unit(tenant_id) as unit:
        await unit.stores.update(store_id, StoreUpdate(sync_interval_minutes=15))
    async with hub.unit(tenant_id) as unit:
        listed = (await unit.dashboard.overview()).stores[0].realtime
    assert listed is not None
    assert listed.status == "off"
    assert listed.reason is not None
    assert "G4HUB_PUBLIC_URL" in listed.reason
    assert "a sync every 15 min" in listed.reason
