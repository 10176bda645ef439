"""Stuck and endless stores cannot starve anyone: each sync run has a time budget, and the
embedded runner shares its slots fairly between tenants."""

from __future__ import annotations

import contextlib
import time
import uuid

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub
from g4hub_core.sync.engine import TIME_BUDGET_CODE
from g4hub_core.sync.schemas import SyncLogRead
from tests.core.factories import insert_store, insert_tenant
from tests.core.sync.helpers import HubFactory, add_store, rows, store_row, sync, wait_for


def first_page_requests(store: FakeWooCommerceStore) -> int:
    """The requests of a sync before its second page: the count, the first page of 100 and one
    variations request per variable product on it (read before any later page is asked)."""
    variable = store.variable_product_ids()
    return 2 + sum(1 for product_id in store.product_ids()[:100] if product_id in variable)


def stuck_after_the_first_page(products: int = 3000) -> FakeWooCommerceStore:
    """A store that answers its count and its first page of 100, then never again (each later
    request hangs for an hour): a stuck store, whatever the machine's speed."""
    store = FakeWooCommerceStore(products=products)
    after = first_page_requests(store)
    store.inject("hang", path="/products", after=after, times=None, seconds=3600)
    return store


async def test_a_sync_past_its_time_budget_fails_with_advice_and_keeps_its_rows(
    make_hub: HubFactory,
) -> None:
    stuck = stuck_after_the_first_page()
    hub = await make_hub(stuck, sync_batch_size=25, sync_time_budget_seconds=3)
    tenant_id, store_id = await add_store(hub, stuck, max_concurrency=1)

    started = time.monotonic()
    log = await sync(hub, tenant_id, store_id)
    took = time.monotonic() - started

    assert (log.status, log.error_code) == ("failed", TIME_BUDGET_CODE)
    assert log.error_message is not None
    assert "3 seconds" in log.error_message
    assert "G4HUB_SYNC_TIME_BUDGET_SECONDS" in log.error_message
    assert "kept" in log.error_message
    assert 3 <= took < 20, took  # the budget ended it, not the store's hour
    kept = await rows(hub, store_id)
    assert len(kept) == log.products_created == 100  # the first page's rows stay
    store = await store_row(hub, store_id)
    assert (store.last_error_code, store.products_synced) == (TIME_BUDGET_CODE, 100)
    assert store.last_sync_at is None  # it never succeeded


async def test_a_sync_within_its_budget_is_not_affected(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=120)
    hub = await make_hub(store, sync_time_budget_seconds=30)
    tenant_id, store_id = await add_store(hub, store)
    log = await sync(hub, tenant_id, store_id)
    assert (log.status, log.products_created, log.progress) == ("succeeded", 120, 100)


async def _request(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID) -> SyncLogRead:
    async with hub.unit(tenant_id) as unit:
        return await unit.sync.request(store_id)


async def test_two_stuck_stores_of_one_tenant_leave_a_slot_to_the_others(
    make_hub: HubFactory,
) -> None:
    stuck = [FakeWooCommerceStore(products=5, seed=seed, latency=8) for seed in (1, 2)]
    others = [FakeWooCommerceStore(products=8, seed=seed) for seed in (3, 4, 5)]
    # Two slots, both of which tenant A's stuck stores would hold for hours.
    hub = await make_hub(sync_concurrency=2)
    with contextlib.ExitStack() as serving:
        for store in (*stuck, *others):
            serving.enter_context(store.serve())
        tenant_a = await insert_tenant(hub, "A")
        a_logs = [
            await _request(hub, tenant_a, await insert_store(hub, tenant_a, store.credentials()))
            for store in stuck
        ]
        tenant_b = await insert_tenant(hub, "B")
        b_logs = [
            await _request(hub, tenant_b, await insert_store(hub, tenant_b, store.credentials()))
            for store in others
        ]

        done = [await wait_for(hub, tenant_b, log.id, lambda log: not log.active) for log in b_logs]
        assert [log.status for log in done] == ["succeeded"] * 3
        assert [log.products_created for log in done] == [8, 8, 8]
        async with hub.unit(tenant_a) as unit:
            a_states = [(await unit.sync.get(log.id)).status for log in a_logs]
        # One of A's syncs holds a slot, the other waits for A's own.
        assert sorted(a_states) == ["queued", "running"]
        await hub.close()  # A's stuck syncs end as interrupted


async def test_a_tenant_may_use_every_slot_when_configured(make_hub: HubFactory) -> None:
    stores = [FakeWooCommerceStore(products=5, seed=seed, latency=0.3) for seed in (1, 2)]
    hub = await make_hub(sync_concurrency=2, sync_tenant_concurrency=2)
    with stores[0].serve(), stores[1].serve():
        tenant_id = await insert_tenant(hub)
        logs = [
            await _request(hub, tenant_id, await insert_store(hub, tenant_id, store.credentials()))
            for store in stores
        ]
        for log in logs:
            await wait_for(hub, tenant_id, log.id, lambda log: log.status != "queued")
        done = [await wait_for(hub, tenant_id, log.id, lambda log: not log.active) for log in logs]
    assert [log.status for log in done] == ["succeeded", "succeeded"]
