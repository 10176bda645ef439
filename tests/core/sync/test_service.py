"""Asking for syncs: one at a time per store, full or incremental, and reading their logs."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import InvalidInput, NotFound
from g4hub_core.db.base import utcnow
from g4hub_core.models import SyncLog
from tests.core.factories import insert_store, insert_tenant
from tests.core.sync.helpers import HubFactory, add_store, idle, sync


async def test_a_request_queues_a_log_and_the_runner_takes_it_after_commit(
    make_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=30)
    hub = await make_hub(store, start=False)
    tenant_id, store_id = await add_store(hub, store)
    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)
        assert store.requests == []  # nothing runs before the commit
    assert (log.status, log.trigger, log.mode, log.progress) == ("queued", "manual", "full", 0)
    assert (log.store_id, log.updated_since, log.started_at) == (store_id, None, None)
    assert log.active

    await hub.start()
    await idle(hub)
    async with hub.unit(tenant_id) as unit:
        done = await unit.sync.get(log.id)
    assert (done.status, done.products_created) == ("succeeded", 30)
    assert not done.active


async def test_a_request_in_a_unit_that_rolls_back_leaves_nothing(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=5)
    hub = await make_hub(store)
    tenant_id, store_id = await add_store(hub, store)

    async def request_then_fail() -> None:
        async with hub.unit(tenant_id) as unit:
            await unit.sync.request(store_id)
            raise RuntimeError("the caller failed later on")

    with pytest.raises(RuntimeError):
        await request_then_fail()
    await idle(hub)
    async with hub.unit(tenant_id) as unit:
        assert await unit.sync.logs() == []
    assert store.requests == []


async def test_one_sync_per_store_at_a_time(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=10)
    hub = await make_hub(store, start=False)
    tenant_id, store_id = await add_store(hub, store)
    async with hub.unit(tenant_id) as unit:
        first = await unit.sync.request(store_id, trigger="initial")
    async with hub.unit(tenant_id) as unit:
        again = await unit.sync.request(store_id, mode="full")
        assert await unit.sync.active(store_id) == first
    assert again.id == first.id

    await hub.start()
    await idle(hub)
    async with hub.unit(tenant_id) as unit:
        assert await unit.sync.active(store_id) is None
        later = await unit.sync.request(store_id)
    assert later.id != first.id
    await idle(hub)


async def test_racing_requests_get_the_same_sync(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=10)
    hub = await make_hub(store, start=False)
    tenant_id, store_id = await add_store(hub, store)

    async def request() -> uuid.UUID:
        async with hub.unit(tenant_id) as unit:
            return (await unit.sync.request(store_id)).id

    ids = await asyncio.gather(*(request() for _ in range(4)))

    assert len(set(ids)) == 1
    async with hub.unit(tenant_id) as unit:
        count = await unit.session.scalar(select(func.count()).select_from(SyncLog))
    assert count == 1


async def test_auto_is_incremental_for_scheduled_syncs_once_the_store_has_synced(
    make_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=10)
    hub = await make_hub(store, sync_incremental_overlap_seconds=120)
    tenant_id, store_id = await add_store(hub, store)
    async with hub.unit(tenant_id) as unit:
        # Nothing to be incremental to yet: the first sync lists everything.
        assert (await unit.sync.request(store_id, mode="incremental")).mode == "full"
    await idle(hub)
    async with hub.unit(tenant_id) as unit:
        (first,) = await unit.sync.history(store_id)
    assert first.started_at is not None

    second = await sync(hub, tenant_id, store_id, trigger="scheduled")
    assert (second.mode, second.updated_since) == (
        "incremental",
        first.started_at - timedelta(seconds=120),
    )
    third = await sync(hub, tenant_id, store_id, mode="full")
    assert (third.mode, third.updated_since) == ("full", None)
    initial = await sync(hub, tenant_id, store_id, trigger="initial", mode="incremental")
    assert initial.mode == "full"
    # Incremental counts from the last success, whichever kind it was.
    fifth = await sync(hub, tenant_id, store_id, mode="incremental", trigger="scheduled")
    assert initial.started_at is not None
    assert fifth.updated_since == initial.started_at - timedelta(seconds=120)
    assert fifth.trigger == "scheduled"


async def test_auto_is_full_when_a_merchant_asks_or_the_last_full_sync_is_old(
    make_hub: HubFactory,
) -> None:
    """Only a full listing sees products removed from the store: a merchant's "Sync now" is
    full, and scheduled syncs go full once the last full one is older than the setting."""
    store = FakeWooCommerceStore(products=5)
    hub = await make_hub(store, sync_full_every_hours=24)
    tenant_id, store_id = await add_store(hub, store)
    first = await sync(hub, tenant_id, store_id, trigger="scheduled")
    assert first.mode == "full"
    assert (await sync(hub, tenant_id, store_id)).mode == "full"  # manual
    assert (await sync(hub, tenant_id, store_id, trigger="scheduled")).mode == "incremental"

    async with hub.unit(tenant_id) as unit:  # every sync so far happened more than a day ago
        await unit.session.execute(
            update(SyncLog).values(created_at=utcnow() - timedelta(hours=25))
        )
    assert (await sync(hub, tenant_id, store_id, trigger="scheduled")).mode == "full"
    assert (await sync(hub, tenant_id, store_id, trigger="scheduled")).mode == "incremental"


async def test_history_and_logs_are_newest_first(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=3)
    hub = await make_hub(store)
    tenant_id, store_id = await add_store(hub, store)
    other = await insert_store(
        hub, tenant_id, FakeWooCommerceStore(url="https://other.example").credentials()
    )
    first = await sync(hub, tenant_id, store_id)
    second = await sync(hub, tenant_id, store_id)
    elsewhere = await sync(hub, tenant_id, other)
    async with hub.unit(tenant_id) as unit:
        assert [log.id for log in await unit.sync.history(store_id)] == [second.id, first.id]
        assert [log.id for log in await unit.sync.history(store_id, limit=1)] == [second.id]
        assert [log.id for log in await unit.sync.logs()] == [elsewhere.id, second.id, first.id]
        assert [log.id for log in await unit.sync.logs(store_id=other)] == [elsewhere.id]
        assert await unit.sync.get(first.id) == first


async def test_another_tenants_store_and_logs_are_not_found(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=3)
    hub = await make_hub(store)
    tenant_id, store_id = await add_store(hub, store)
    log = await sync(hub, tenant_id, store_id)
    stranger = await insert_tenant(hub, "Stranger")
    async with hub.unit(stranger) as unit:
        with pytest.raises(NotFound):
            await unit.sync.request(store_id)
        with pytest.raises(NotFound):
            await unit.sync.get(log.id)
        with pytest.raises(NotFound):
            await unit.sync.history(store_id)
        assert await unit.sync.logs(store_id=store_id) == []
        assert await unit.sync.active(store_id) is None
    async with hub.unit(tenant_id) as unit:
        with pytest.raises(NotFound):
            await unit.sync.request(uuid.uuid4())


async def test_an_unknown_mode_or_trigger_is_refused(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=3)
    hub = await make_hub(store)
    tenant_id, store_id = await add_store(hub, store)
    async with hub.unit(tenant_id) as unit:
        with pytest.raises(InvalidInput):
            await unit.sync.request(store_id, mode="partial")  # type: ignore[arg-type]
        with pytest.raises(InvalidInput):
            await unit.sync.request(store_id, trigger="cron")  # type: ignore[arg-type]
