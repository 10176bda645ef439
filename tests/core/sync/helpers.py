"""What the sync tests share: hubs wired to a fake store, running a sync to its end, reading
what it left."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from g4hub_connectors.testing import FakeStore
from g4hub_core import Hub, HubSettings
from g4hub_core.models import Store, StoreProduct
from g4hub_core.sync.jobs import JobQueue, JobQueueFactory
from g4hub_core.sync.runner import EmbeddedRunner
from g4hub_core.sync.schemas import SyncLogRead
from tests.core.factories import insert_store, insert_tenant

MakeHub = Callable[..., Awaitable[Hub]]


class HubFactory:
    """Started hubs on the test's database, closed (with their HTTP clients) at the end."""

    def __init__(self, settings: HubSettings) -> None:
        self.settings = settings
        self._hubs: list[Hub] = []

    async def __call__(
        self,
        store: FakeStore | None = None,
        *,
        start: bool = True,
        jobs: JobQueue | JobQueueFactory | None = None,
        **overrides: Any,
    ) -> Hub:
        """A hub reaching `store` in-process (no socket), with settings `overrides` and the
        job queue `jobs` (default: the settings')."""
        client = store.http_client() if store is not None else None
        hub = Hub(self.settings.model_copy(update=overrides), http_client=client, jobs=jobs)
        self._hubs.append(hub)
        if start:
            await hub.start()
        return hub

    async def close(self) -> None:
        for hub in self._hubs:
            await hub.close()
            if hub.http_client is not None:
                await hub.http_client.aclose()


async def add_store(hub: Hub, store: FakeStore, **overrides: Any) -> tuple[uuid.UUID, uuid.UUID]:
    """A tenant and a connected store on `store`; returns their ids. Retries are quick, so a
    fault that outlasts them fails the sync in milliseconds."""
    tenant_id = await insert_tenant(hub)
    credentials = store.credentials(retry={"max_attempts": 2, "initial_delay": 0.01}, **overrides)
    return tenant_id, await insert_store(hub, tenant_id, credentials)


async def idle(hub: Hub) -> None:
    assert isinstance(hub.jobs, EmbeddedRunner)
    await asyncio.wait_for(hub.jobs.wait_idle(), 30)


async def sync(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID, **options: Any) -> SyncLogRead:
    """Request a sync, let the runner finish it, and return its log."""
    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id, **options)
    await idle(hub)
    async with hub.unit(tenant_id) as unit:
        return await unit.sync.get(log.id)


async def wait_for(
    hub: Hub, tenant_id: uuid.UUID, log_id: uuid.UUID, check: Callable[[SyncLogRead], bool]
) -> SyncLogRead:
    """Poll the log until `check` holds (10 s at most)."""
    deadline = time.monotonic() + 10
    while True:
        async with hub.unit(tenant_id) as unit:
            log = await unit.sync.get(log_id)
        if check(log):
            return log
        assert time.monotonic() < deadline, f"sync log never got there: {log!r}"
        await asyncio.sleep(0.01)


def listing_requests(store: FakeStore) -> int:
    """WooCommerce product listing requests (the count and the pages), variations left out."""
    return sum(1 for request in store.requests if request.path.endswith("/products"))


async def rows(hub: Hub, store_id: uuid.UUID) -> dict[str, StoreProduct]:
    async with hub.unit() as unit:
        found = await unit.session.scalars(
            select(StoreProduct).where(StoreProduct.store_id == store_id)
        )
        return {row.platform_product_id: row for row in found}


async def store_row(hub: Hub, store_id: uuid.UUID) -> Store:
    async with hub.unit() as unit:
        found = await unit.session.get(Store, store_id)
        assert found is not None
        return found
