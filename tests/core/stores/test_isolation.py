"""Another tenant sees none of a tenant's stores and can change none of them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub, NotFound
from g4hub_core.stores import StoreUpdate
from g4hub_core.stores.repository import StoreRepository
from tests.core.factories import insert_tenant
from tests.core.stores.helpers import count_stores, create


async def test_another_tenant_cannot_see_or_touch_a_store(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    store = await create(hub, tenant_id, woo.credentials())
    intruder = await insert_tenant(hub, "Intruder")
    asked = len(woo.requests)

    async with hub.unit(intruder) as unit:
        assert await unit.stores.list() == []
        stores = unit.stores
        attempts: list[Callable[[], Awaitable[object]]] = [
            lambda: stores.get(store.id),
            lambda: stores.update(store.id, StoreUpdate(name="Mine now")),
            lambda: stores.update(store.id, StoreUpdate(**woo.credentials()), force=True),
            lambda: stores.delete(store.id),
            lambda: stores.test(store.id),
            lambda: stores.open_connector(store.id),
        ]
        for attempt in attempts:
            with pytest.raises(NotFound) as caught:
                await attempt()
            assert caught.value.message == f"No store with id {store.id}."
        repository = StoreRepository(unit.session, intruder)
        assert await repository.find_by_url(store.platform, store.store_url) is None
        assert await repository.get(store.id) is None

    assert len(woo.requests) == asked
    async with hub.unit(tenant_id) as unit:
        assert await unit.stores.get(store.id) == store


async def test_tenants_may_each_connect_the_same_store(
    hub: Hub, tenant_id: uuid.UUID, woo: FakeWooCommerceStore
) -> None:
    mine = await create(hub, tenant_id, woo.credentials())
    other = await insert_tenant(hub, "Agency")
    theirs = await create(hub, other, woo.credentials(), name="Client shop")

    assert theirs.id != mine.id
    assert await count_stores(hub) == 2
    async with hub.unit(other) as unit:
        assert [s.id for s in await unit.stores.list()] == [theirs.id]
