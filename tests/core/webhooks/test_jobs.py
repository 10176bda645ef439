"""Deliveries as jobs: a batch cut short (the worker killed after writing, before its commit) is
applied again whole and counted once; on procrastinate a delivery is applied by a queue job."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub
from g4hub_core.models import ProductChange, WebhookDelivery
from g4hub_core.sync.procrastinate_queue import ProcrastinateQueue
from g4hub_core.webhooks.inbox import WebhookInbox
from tests.core.sync.helpers import HubFactory, add_store, rows, store_row, sync
from tests.core.sync.queue.conftest import make_queue_hub, pg_url, queue_settings
from tests.core.webhooks.helpers import PUBLIC_URL, delivery_client

__all__ = ["make_queue_hub", "pg_url", "queue_settings"]  # the queue's fixtures, used here


async def _webhook_changes(hub: Hub) -> list[tuple[str, str]]:
    async with hub.unit() as unit:
        found = await unit.session.execute(
            select(ProductChange.platform_product_id, ProductChange.kind)
            .where(ProductChange.source == "webhook")
            .order_by(ProductChange.id)
        )
        return [(pid, kind) for pid, kind in found]


async def _statuses(hub: Hub) -> dict[str, int]:
    async with hub.unit() as unit:
        found = await unit.session.execute(
            select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
        )
        return {status: int(n) for status, n in found}


async def _ready(hub: Hub, store: FakeWooCommerceStore) -> tuple[uuid.UUID, uuid.UUID]:
    tenant_id, store_id = await add_store(hub, store)
    if isinstance(hub.jobs, ProcrastinateQueue):
        async with hub.unit(tenant_id) as unit:
            log = await unit.sync.request(store_id, trigger="initial")
        assert (await hub.wait_for_sync(tenant_id, log.id, timeout=30)).status == "succeeded"
    else:
        assert (await sync(hub, tenant_id, store_id, trigger="initial")).status == "succeeded"
    assert await hub.webhooks.subscribe(tenant_id, store_id) == "live"
    store.webhooks.outbox.clear()
    return tenant_id, store_id


async def test_a_batch_cut_short_is_applied_again_and_counted_once(
    make_hub: HubFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FakeWooCommerceStore(products=30)
    hub = await make_hub(store, public_url=PUBLIC_URL)
    _, store_id = await _ready(hub, store)
    await hub.webhooks.runner.stop()  # applied only when the test says
    variable = store.variable_product_ids()
    edited = [i for i in store.product_ids() if i not in variable][:8]
    for product_id in edited:
        store.webhooks.edit(product_id, name=f"Renamed {product_id}")
    store.webhooks.edit(edited[0], name="Renamed twice")  # a repeat in the same batch
    gone = edited[-1]
    store.webhooks.trash(gone)
    async with delivery_client(hub) as client:
        assert set(await store.webhooks.send(client)) == {200}
    before = {pid: row.name for pid, row in (await rows(hub, store_id)).items()}

    applied = WebhookInbox._apply_batch

    async def killed(self: WebhookInbox, work: Any, deliveries: list[WebhookDelivery]) -> None:
        await applied(self, work, deliveries)  # every write of the batch made ...
        raise asyncio.CancelledError  # ... and the worker killed before its commit

    monkeypatch.setattr(WebhookInbox, "_apply_batch", killed)
    with pytest.raises(asyncio.CancelledError):
        await hub.webhooks.runner.apply_waiting()
    assert await _statuses(hub) == {"pending": 10}
    assert {pid: row.name for pid, row in (await rows(hub, store_id)).items()} == before
    assert await _webhook_changes(hub) == []

    monkeypatch.setattr(WebhookInbox, "_apply_batch", applied)
    await hub.webhooks.runner.drain()
    after = await rows(hub, store_id)
    assert after[edited[0]].name == "Renamed twice"
    assert {after[i].name for i in edited[1:-1]} == {f"Renamed {i}" for i in edited[1:-1]}
    assert gone not in after
    changes = await _webhook_changes(hub)
    assert sorted(changes) == sorted(
        [(i, "updated") for i in edited[:-1]] + [(gone, "deleted")]
    )  # each once, however often the batch ran
    # The repeat and the edit before the deletion were overtaken in the batch: stale.
    assert await _statuses(hub) == {"upserted": 7, "stale": 2, "deleted": 1}
    assert (await store_row(hub, store_id)).products_synced == len(after) == 29


async def test_on_procrastinate_a_delivery_is_applied_by_a_queue_job(
    make_queue_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=10)
    hub = await make_queue_hub(store, public_url=PUBLIC_URL)
    assert isinstance(hub.jobs, ProcrastinateQueue)
    assert hub.webhooks.runner.queued
    _, store_id = await _ready(hub, store)
    jobs: list[int] = []
    applying = hub.webhooks.runner.apply_waiting

    async def counted() -> int:
        jobs.append(await applying())
        return jobs[-1]

    hub.webhooks.runner.apply_waiting = counted  # type: ignore[method-assign]
    variable = store.variable_product_ids()
    product = next(i for i in store.product_ids() if i not in variable)
    store.webhooks.edit(product, name="Applied by a worker")
    async with delivery_client(hub) as client:
        assert await store.webhooks.send(client) == [200]
    deadline = time.monotonic() + 15
    # The row is committed before the job returns its count: wait for both.
    while (await rows(hub, store_id))[product].name != "Applied by a worker" or not sum(jobs):
        assert time.monotonic() < deadline, "no job applied the delivery"
        await asyncio.sleep(0.05)
    assert await _webhook_changes(hub) == [(product, "updated")]
