"""Scheduled syncs on both databases: which stores are due, the schedule's clock, and the
embedded runner queueing them on its timer."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import update

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub
from g4hub_core.db.base import utcnow
from g4hub_core.models import Store
from g4hub_core.stores.schemas import StoreCreate, StoreUpdate
from g4hub_core.sync.schedule import due_stores
from g4hub_core.sync.schemas import SyncLogRead
from tests.core.sync.helpers import HubFactory, add_store, idle, wait_for


async def _schedule(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID, minutes: int) -> None:
    async with hub.unit(tenant_id) as unit:
        await unit.stores.update(store_id, StoreUpdate(sync_interval_minutes=minutes))


async def _due_in(hub: Hub, store_id: uuid.UUID, delta: timedelta) -> None:
    async with hub.unit() as unit:
        await unit.session.execute(
            update(Store).where(Store.id == store_id).values(next_sync_at=utcnow() + delta)
        )


async def _due(hub: Hub) -> set[uuid.UUID]:
    async with hub.unit() as unit:
        return {store_id for _, store_id in await due_stores(unit.session)}


async def test_only_stores_whose_interval_passed_and_that_are_idle_are_due(
    make_hub: HubFactory,
) -> None:
    hub = await make_hub(start=False)  # nothing runs: queued syncs stay queued
    store = FakeWooCommerceStore(products=5)
    tenant_id, overdue = await add_store(hub, store)
    other_tenant, not_yet = await add_store(hub, FakeWooCommerceStore(products=5, seed=2))
    _, unscheduled = await add_store(hub, FakeWooCommerceStore(products=5, seed=3))
    await _schedule(hub, tenant_id, overdue, 30)
    await _schedule(hub, other_tenant, not_yet, 30)
    await _due_in(hub, overdue, timedelta(minutes=-1))
    await _due_in(hub, not_yet, timedelta(minutes=1))

    assert await _due(hub) == {overdue}

    assert await hub.queue_due_syncs() == 1
    async with hub.unit(tenant_id) as unit:
        (log,) = await unit.sync.history(overdue)
        shop = await unit.stores.get(overdue)
    assert (log.trigger, log.status) == ("scheduled", "queued")
    assert shop.next_sync_at is not None
    assert shop.next_sync_at > utcnow() + timedelta(minutes=29)  # the clock moved on
    # Due again (the clock set back), but its sync is still queued: not queued twice.
    await _due_in(hub, overdue, timedelta(minutes=-1))
    assert await _due(hub) == set()
    assert await hub.queue_due_syncs() == 0
    assert unscheduled not in await _due(hub)


async def test_any_sync_restarts_the_schedules_clock(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=5)
    hub = await make_hub(store)
    tenant_id, store_id = await add_store(hub, store)
    await _schedule(hub, tenant_id, store_id, 60)
    await _due_in(hub, store_id, timedelta(minutes=-5))

    async with hub.unit(tenant_id) as unit:
        await unit.sync.request(store_id)  # by hand
    await idle(hub)

    assert await _due(hub) == set()


async def test_clearing_the_schedule_stops_it(make_hub: HubFactory) -> None:
    hub = await make_hub(start=False)
    tenant_id, store_id = await add_store(hub, FakeWooCommerceStore(products=5))
    await _schedule(hub, tenant_id, store_id, 15)
    async with hub.unit(tenant_id) as unit:
        renamed = await unit.stores.update(store_id, StoreUpdate(name="Renamed"))
    assert renamed.sync_interval_minutes == 15  # left out: the schedule stays
    async with hub.unit(tenant_id) as unit:
        cleared = await unit.stores.update(store_id, StoreUpdate(sync_interval_minutes=None))
    assert (cleared.sync_interval_minutes, cleared.next_sync_at) == (None, None)


async def test_the_embedded_runner_queues_due_syncs_on_its_timer(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=8)
    setup = await make_hub(store, start=False)
    tenant_id, store_id = await add_store(setup, store)
    await _schedule(setup, tenant_id, store_id, 15)
    await _due_in(setup, store_id, timedelta(seconds=-1))

    hub = await make_hub(store)  # its timer checks as it starts, then every minute

    deadline = time.monotonic() + 10
    while not (logs := await _history(hub, tenant_id, store_id)):
        assert time.monotonic() < deadline, "the due sync was never queued"
        await asyncio.sleep(0.02)
    done = await wait_for(hub, tenant_id, logs[0].id, lambda log: not log.active)
    assert (done.trigger, done.status, done.products_created) == ("scheduled", "succeeded", 8)


async def _history(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID) -> list[SyncLogRead]:
    async with hub.unit(tenant_id) as unit:
        return await unit.sync.history(store_id)


@pytest.mark.parametrize("minutes", [0, 14, 10081, -5])
def test_a_schedule_outside_15_minutes_to_a_week_is_refused(minutes: int) -> None:
    with pytest.raises(ValidationError, match="15 to 10080"):
        StoreUpdate(sync_interval_minutes=minutes)
    with pytest.raises(ValidationError, match="15 to 10080"):
        StoreCreate(
            name="S",
            platform="woocommerce",
            store_url="https://s.example",
            sync_interval_minutes=minutes,
        )
