"""The dashboard's reads cost a fixed number of statements, whatever the tenant's size: the
overview two (stores with their sync state and real-time status; the activity feed), a list of
stores with their health one."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from g4hub_core import Hub
from g4hub_core.models import WebhookEndpoint
from tests.core.dashboard.test_service import add_log, add_store, at
from tests.core.factories import insert_tenant


@contextmanager
def statements(hub: Hub) -> Iterator[list[str]]:
    """The SQL statements run on `hub`'s engine inside the block."""
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(hub.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(hub.engine.sync_engine, "before_cursor_execute", record)


async def tenant_with(hub: Hub, stores: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A tenant with `stores` stores, each with two syncs and a webhook endpoint checked at a
    time of its own."""
    tenant_id = await insert_tenant(hub, f"Shop of {stores}")
    store_ids = []
    for index in range(stores):
        store_id = await add_store(hub, tenant_id, f"Store{index}", "woocommerce")
        await add_log(hub, tenant_id, store_id, "succeeded", at(index), finished_at=at(index + 1))
        await add_log(hub, tenant_id, store_id, "running", at(index + 2))
        async with hub.unit(tenant_id) as unit:
            unit.session.add(
                WebhookEndpoint(
                    tenant_id=tenant_id,
                    store_id=store_id,
                    token=secrets.token_hex(16),
                    status="degraded",
                    status_reason=f"reason {index}",
                    checked_at=at(100 + index),
                )
            )
        store_ids.append(store_id)
    return tenant_id, store_ids


async def test_the_overview_runs_two_statements_whatever_the_number_of_stores(hub: Hub) -> None:
    for size in (1, 6):
        tenant_id, _ = await tenant_with(hub, size)
        async with hub.unit(tenant_id) as unit:
            with statements(hub) as seen:
                overview = await unit.dashboard.overview()
            with statements(hub) as without_feed:
                await unit.dashboard.overview(recent=0)
        assert len(seen) == 2, seen
        assert len(without_feed) == 1, without_feed
        assert len(overview.stores) == size
        # Each store carries its own endpoint's last check (the subscriptions' word).
        checked = {
            store.name: store.realtime and store.realtime.checked_at for store in overview.stores
        }
        assert checked == {f"Store{index}": at(100 + index) for index in range(size)}


async def test_stores_with_their_health_take_one_statement(hub: Hub) -> None:
    tenant_id, store_ids = await tenant_with(hub, 4)
    async with hub.unit(tenant_id) as unit:
        stores = await unit.stores.list()
        with statements(hub) as seen:
            listed = await unit.dashboard.with_health(stores)
        with statements(hub) as one:
            single = await unit.dashboard.with_health([stores[2]])
    assert len(seen) == 1, seen
    assert len(one) == 1, one
    assert [store.health and store.health.state for store in listed] == ["syncing"] * 4
    assert {store.id: store.realtime and store.realtime.checked_at for store in listed} == {
        store_id: at(100 + index) for index, store_id in enumerate(store_ids)
    }
    assert single[0].realtime == listed[2].realtime
