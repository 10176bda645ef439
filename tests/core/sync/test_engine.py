"""Syncing a fake store's catalog into the hub: full and incremental, changes and deletions
counted, failures and cancellations leaving earlier rows intact."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeShopifyStore, FakeStore, FakeWooCommerceStore
from g4hub_core.sync.jobs import SyncJob
from g4hub_core.sync.recovery import INTERRUPTED_MESSAGE
from tests.core.factories import insert_store, insert_tenant
from tests.core.sync.helpers import HubFactory, add_store, rows, store_row, sync, wait_for
from tests.core.sync.test_hostile_stores import first_page_requests


async def change_prices(store: FakeStore, ids: list[str]) -> None:
    """Change products the way a merchant would: through the store's API."""
    async with (
        store.http_client() as client,
        gc.create_connector(store.credentials(), http_client=client) as connector,
    ):
        for product_id in ids:
            await connector.update_product(product_id, gc.ProductUpdate(price=Decimal("4.20")))


def simple_ids(store: FakeStore, count: int) -> list[str]:
    variable = store.variable_product_ids()
    return [i for i in store.product_ids() if i not in variable][:count]


async def test_a_full_sync_of_a_woocommerce_store(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=120)
    hub = await make_hub(store, sync_batch_size=25)
    tenant_id, store_id = await add_store(hub, store)

    log = await sync(hub, tenant_id, store_id, trigger="initial")

    assert (log.status, log.mode, log.trigger, log.progress) == (
        "succeeded",
        "full",
        "initial",
        100,
    )
    assert (log.products_total, log.products_fetched, log.products_created) == (120, 120, 120)
    assert (log.products_updated, log.products_deleted, log.error_code) == (0, 0, None)
    assert log.started_at is not None
    assert log.finished_at is not None
    assert log.started_at <= log.finished_at
    stored = await rows(hub, store_id)
    assert sorted(stored) == sorted(store.product_ids())
    assert all(row.seen_by_sync_id == log.id for row in stored.values())
    assert stored[store.product_ids()[0]].data["raw"]["id"] == int(store.product_ids()[0])
    shop = await store_row(hub, store_id)
    assert (shop.products_count, shop.products_synced) == (120, 120)
    assert shop.last_sync_at == log.finished_at
    assert shop.connection_status == "connected"


async def test_a_full_sync_of_a_shopify_store_on_loopback(make_hub: HubFactory) -> None:
    store = FakeShopifyStore(products=80)
    hub = await make_hub(sync_batch_size=30)
    with store.serve():
        tenant_id, store_id = await add_store(hub, store)
        log = await sync(hub, tenant_id, store_id)
    assert (log.status, log.products_fetched, log.products_created) == ("succeeded", 80, 80)
    assert sorted(await rows(hub, store_id)) == sorted(store.product_ids())
    assert (await store_row(hub, store_id)).products_synced == 80


async def test_syncing_again_counts_changes_and_removes_deleted_products(
    make_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=120)
    hub = await make_hub(store, sync_batch_size=25)
    tenant_id, store_id = await add_store(hub, store)
    await sync(hub, tenant_id, store_id)
    first = await rows(hub, store_id)

    again = await sync(hub, tenant_id, store_id, mode="full")
    assert (again.products_fetched, again.products_created, again.products_updated) == (120, 0, 0)
    assert again.products_deleted == 0
    unchanged = await rows(hub, store_id)
    assert {i: r.last_updated for i, r in unchanged.items()} == {
        i: r.last_updated for i, r in first.items()
    }

    changed = simple_ids(store, 3)
    await change_prices(store, changed)
    deleted = store.product_ids()[-5:]
    for product_id in deleted:
        store.delete_product(product_id)
    third = await sync(hub, tenant_id, store_id, mode="full")

    assert (third.status, third.products_fetched, third.products_created) == ("succeeded", 115, 0)
    assert (third.products_updated, third.products_deleted) == (3, 5)
    stored = await rows(hub, store_id)
    assert sorted(stored) == sorted(store.product_ids())
    assert all(stored[i].price == Decimal("4.20") for i in changed)
    shop = await store_row(hub, store_id)
    assert (shop.products_count, shop.products_synced) == (115, 115)


async def test_an_incremental_sync_asks_for_changes_and_deletes_nothing(
    make_hub: HubFactory,
) -> None:
    store = FakeShopifyStore(products=60)
    hub = await make_hub(store, sync_batch_size=20, sync_incremental_overlap_seconds=60)
    tenant_id, store_id = await add_store(hub, store)
    first = await sync(hub, tenant_id, store_id)
    assert first.mode == "full"
    changed = simple_ids(store, 2)
    await change_prices(store, changed)
    gone = store.product_ids()[-1]
    store.delete_product(gone)
    store.requests.clear()

    # "auto" on a schedule: a store synced before goes incremental
    log = await sync(hub, tenant_id, store_id, trigger="scheduled")

    assert log.mode == "incremental"
    assert first.started_at is not None
    assert log.updated_since == first.started_at - timedelta(seconds=60)
    listing = [r for r in store.requests if r.path.endswith("/products.json")]
    assert "updated_at_min" in dict(listing[0].query)
    assert (log.status, log.products_fetched, log.products_updated) == ("succeeded", 2, 2)
    assert (log.products_created, log.products_deleted) == (0, 0)
    assert gone in await rows(hub, store_id)  # only a full listing can tell it is gone
    shop = await store_row(hub, store_id)
    assert (shop.products_count, shop.products_synced) == (59, 60)


async def test_a_failure_mid_listing_keeps_every_earlier_row(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=300)
    hub = await make_hub(store, sync_batch_size=25)
    tenant_id, store_id = await add_store(hub, store)
    await sync(hub, tenant_id, store_id)
    before = sorted(await rows(hub, store_id))
    for product_id in store.product_ids()[:10]:  # a complete listing would remove these
        store.delete_product(product_id)
    changed = simple_ids(store, 2)
    await change_prices(store, changed)
    # The count and the first page pass; every later page fails, retries included.
    after = first_page_requests(store)
    store.inject(kind="status", status=500, after=after, times=None, path="/products")

    log = await sync(hub, tenant_id, store_id, mode="full")

    assert log.status == "failed"
    assert log.error_code == "platform_unavailable"
    assert log.error_message
    assert "WooCommerce" in log.error_message
    assert log.finished_at is not None
    assert log.progress < 100
    assert log.products_deleted == 0
    assert (log.products_fetched, log.products_updated) == (100, 2)  # the first page was written
    stored = await rows(hub, store_id)
    assert sorted(stored) == before
    assert all(stored[i].price == Decimal("4.20") for i in changed)
    shop = await store_row(hub, store_id)
    assert shop.products_synced == 300
    assert (shop.last_error_code, shop.connection_status) == ("platform_unavailable", "connected")


async def test_a_dropped_connection_on_a_first_sync_keeps_what_was_written(
    make_hub: HubFactory,
) -> None:
    store = FakeShopifyStore(products=600)
    hub = await make_hub(store, sync_batch_size=100)
    tenant_id, store_id = await add_store(hub, store)
    store.inject(kind="drop", after=2, times=None, path="/products.json")

    log = await sync(hub, tenant_id, store_id)

    assert (log.status, log.error_code) == ("failed", "platform_unavailable")
    assert log.products_fetched == log.products_created == 500  # two pages of 250, in batches
    stored = await rows(hub, store_id)
    assert len(stored) == 500
    assert (await store_row(hub, store_id)).products_synced == 500


async def test_refused_credentials_mark_the_store_failed(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=10)
    hub = await make_hub(store)
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, store.wrong_credentials())

    log = await sync(hub, tenant_id, store_id)

    assert (log.status, log.error_code, log.products_total) == (
        "failed",
        "invalid_credentials",
        None,
    )
    assert log.error_message == (
        "Unable to connect to your WooCommerce store. Please check your Consumer Key and Secret."
    )
    shop = await store_row(hub, store_id)
    assert (shop.connection_status, shop.last_error_code) == ("failed", "invalid_credentials")
    assert shop.last_sync_at is None


async def test_a_cancelled_sync_says_it_was_interrupted_and_keeps_its_rows(
    make_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=400)
    hub = await make_hub(store, sync_batch_size=25)
    tenant_id, store_id = await add_store(hub, store, max_concurrency=1)
    await sync(hub, tenant_id, store_id)
    before = sorted(await rows(hub, store_id))
    store.latency = 0.2  # four pages, one at a time: time to stop it midway
    store.delete_product(store.product_ids()[0])

    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id, mode="full")
    await wait_for(hub, tenant_id, log.id, lambda log: log.products_fetched > 0)
    await hub.jobs.stop()  # as the hub does when it shuts down

    async with hub.unit(tenant_id) as unit:
        stopped = await unit.sync.get(log.id)
    assert (stopped.status, stopped.error_code) == ("failed", "interrupted")
    assert stopped.error_message == INTERRUPTED_MESSAGE
    assert stopped.products_deleted == 0
    assert sorted(await rows(hub, store_id)) == before
    assert (await store_row(hub, store_id)).products_synced == 400


async def test_cancelling_the_task_itself_records_the_interruption(make_hub: HubFactory) -> None:
    store = FakeShopifyStore(products=1000, latency=0.2)
    hub = await make_hub(store, start=False, sync_batch_size=50)  # no runner: the test runs it
    tenant_id, store_id = await add_store(hub, store)
    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)

    task = asyncio.create_task(hub.sync_engine.run(SyncJob(tenant_id, store_id, log.id)))
    progressed = await wait_for(hub, tenant_id, log.id, lambda log: log.products_fetched > 0)
    task.cancel()
    results = await asyncio.gather(task, return_exceptions=True)

    assert isinstance(results[0], asyncio.CancelledError)
    async with hub.unit(tenant_id) as unit:
        stopped = await unit.sync.get(log.id)
    assert (stopped.status, stopped.error_code) == ("failed", "interrupted")
    assert stopped.products_fetched >= progressed.products_fetched
    assert len(await rows(hub, store_id)) == stopped.products_created > 0


async def test_a_job_for_a_log_that_is_not_queued_does_nothing(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=5)
    hub = await make_hub(store)
    tenant_id, store_id = await add_store(hub, store)
    log = await sync(hub, tenant_id, store_id)
    store.requests.clear()

    await hub.sync_engine.run(SyncJob(tenant_id, store_id, log.id))  # delivered twice
    await hub.sync_engine.run(SyncJob(tenant_id, store_id, uuid.uuid4()))  # unknown
    assert store.requests == []


async def test_two_stores_sync_at_once(make_hub: HubFactory) -> None:
    woo, shop = FakeWooCommerceStore(products=150), FakeShopifyStore(products=150)
    hub = await make_hub(sync_batch_size=20, sync_concurrency=2)
    with woo.serve(), shop.serve():
        stores = [await add_store(hub, woo), await add_store(hub, shop)]
        requested = []
        for tenant_id, store_id in stores:
            async with hub.unit(tenant_id) as unit:
                requested.append((tenant_id, await unit.sync.request(store_id)))
        logs = [
            await hub.wait_for_sync(tenant_id, log.id, timeout=30) for tenant_id, log in requested
        ]
    assert [(log.status, log.products_created) for log in logs] == [("succeeded", 150)] * 2
