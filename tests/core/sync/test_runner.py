"""The embedded runner: recovering what a crash left, bounded concurrency, jobs run once."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from sqlalchemy import select

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub, HubSettings
from g4hub_core.db.base import utcnow
from g4hub_core.models import SyncLog
from g4hub_core.sync.jobs import SyncJob
from g4hub_core.sync.recovery import INTERRUPTED_MESSAGE
from g4hub_core.sync.runner import DatabaseQueue, EmbeddedRunner
from tests.core.sync.helpers import HubFactory, add_store, idle, listing_requests, rows, wait_for


async def insert_log(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID, status: str) -> uuid.UUID:
    log_id = uuid.uuid4()
    async with hub.unit(tenant_id) as unit:
        unit.session.add(
            SyncLog(
                id=log_id,
                tenant_id=tenant_id,
                store_id=store_id,
                trigger="manual",
                mode="full",
                status=status,
                started_at=utcnow() if status == "running" else None,
            )
        )
    return log_id


async def test_a_new_hub_fails_runs_left_running_and_runs_queued_ones(
    make_hub: HubFactory,
) -> None:
    crashed, waiting = FakeWooCommerceStore(products=5), FakeWooCommerceStore(products=20)
    first = await make_hub(start=False)
    with crashed.serve(), waiting.serve():
        tenant_a, store_a = await add_store(first, crashed)
        tenant_b, store_b = await add_store(first, waiting)
        left_running = await insert_log(first, tenant_a, store_a, "running")
        left_queued = await insert_log(first, tenant_b, store_b, "queued")

        hub = await make_hub()  # a restart: recovery runs as the runner starts
        await idle(hub)

    async with hub.unit(tenant_a) as unit:
        interrupted = await unit.sync.get(left_running)
    assert (interrupted.status, interrupted.error_code) == ("failed", "interrupted")
    assert interrupted.error_message == INTERRUPTED_MESSAGE
    assert interrupted.finished_at is not None
    async with hub.unit(tenant_b) as unit:
        resumed = await unit.sync.get(left_queued)
    assert (resumed.status, resumed.products_created) == ("succeeded", 20)
    assert crashed.requests == []


async def test_a_job_enqueued_twice_runs_once(make_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=40)
    hub = await make_hub(store, start=False)
    tenant_id, store_id = await add_store(hub, store)
    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)
    job = SyncJob(tenant_id, store_id, log.id)
    await hub.jobs.enqueue(job)  # before start, and the queued log is recovered on start too
    await hub.start()
    await hub.jobs.enqueue(job)
    await idle(hub)
    await hub.jobs.enqueue(job)  # after it ran: the engine sees it is not queued
    await idle(hub)

    async with hub.unit(tenant_id) as unit:
        done = await unit.sync.get(log.id)
    assert (done.status, done.products_fetched, done.products_created) == ("succeeded", 40, 40)
    assert listing_requests(store) == 2  # the count and one page, once
    assert len(await rows(hub, store_id)) == 40


async def test_no_more_syncs_run_at_once_than_the_settings_allow(make_hub: HubFactory) -> None:
    one, two = FakeWooCommerceStore(products=5), FakeWooCommerceStore(products=5)
    hub = await make_hub(sync_concurrency=1)
    with one.serve(), two.serve():
        one.latency = two.latency = 0.1
        stores = [await add_store(hub, one), await add_store(hub, two)]
        logs = []
        for tenant_id, store_id in stores:
            async with hub.unit(tenant_id) as unit:
                logs.append(await unit.sync.request(store_id))
        (tenant_a, _), (tenant_b, _) = stores
        await wait_for(hub, tenant_a, logs[0].id, lambda log: log.status == "running")
        async with hub.unit(tenant_b) as unit:
            assert (await unit.sync.get(logs[1].id)).status == "queued"
        await idle(hub)
    async with hub.unit() as unit:
        statuses = (await unit.session.scalars(select(SyncLog.status))).all()
    assert statuses == ["succeeded", "succeeded"]


async def test_stopping_leaves_waiting_jobs_queued_for_the_next_start(
    make_hub: HubFactory,
) -> None:
    one, two = FakeWooCommerceStore(products=150), FakeWooCommerceStore(products=5)
    hub = await make_hub(sync_concurrency=1, sync_batch_size=25)
    with one.serve(), two.serve():
        one.latency = 0.2
        (tenant_a, store_a), (tenant_b, store_b) = (
            await add_store(hub, one),
            await add_store(hub, two),
        )
        async with hub.unit(tenant_a) as unit:
            running = await unit.sync.request(store_a)
        async with hub.unit(tenant_b) as unit:
            waiting = await unit.sync.request(store_b)
        await wait_for(hub, tenant_a, running.id, lambda log: log.products_fetched > 0)
        await hub.jobs.stop()
        async with hub.unit(tenant_b) as unit:
            assert (await unit.sync.get(waiting.id)).status == "queued"

        await hub.jobs.start()
        await idle(hub)
    async with hub.unit(tenant_a) as unit:
        assert (await unit.sync.get(running.id)).error_code == "interrupted"
    async with hub.unit(tenant_b) as unit:
        assert (await unit.sync.get(waiting.id)).status == "succeeded"


async def test_a_polling_runner_runs_syncs_another_process_queued(make_hub: HubFactory) -> None:
    store, other = FakeWooCommerceStore(products=30), FakeWooCommerceStore(products=5)
    web = await make_hub(jobs=DatabaseQueue())  # a web process that leaves syncs to workers
    tenant_id, store_id = await add_store(web, store)
    other_tenant, other_store = await add_store(web, other)
    # Another worker's sync in progress: a worker that does not recover leaves it alone.
    elsewhere = await insert_log(web, other_tenant, other_store, "running")
    async with web.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)
    async with web.unit(tenant_id) as unit:
        assert (await unit.sync.get(log.id)).status == "queued"

    worker = await make_hub(
        store, jobs=lambda runtime: EmbeddedRunner(runtime, poll_interval=0.01, recover=False)
    )
    done = await wait_for(worker, tenant_id, log.id, lambda log: log.status == "succeeded")
    await worker.jobs.stop()

    assert done.products_created == 30
    async with web.unit(other_tenant) as unit:
        assert (await unit.sync.get(elsewhere)).status == "running"


async def test_a_polling_runner_takes_no_more_jobs_than_it_has_slots(
    make_hub: HubFactory,
) -> None:
    stores = [FakeWooCommerceStore(products=5, seed=seed) for seed in (1, 2, 3)]
    web = await make_hub(start=False, jobs=DatabaseQueue())
    with stores[0].serve(), stores[1].serve(), stores[2].serve():
        for store in stores:
            tenant_id, store_id = await add_store(web, store)
            async with web.unit(tenant_id) as unit:
                await unit.sync.request(store_id)
        worker = await make_hub(
            start=False,
            sync_concurrency=2,
            jobs=lambda runtime: EmbeddedRunner(runtime, poll_interval=3600, recover=False),
        )
        runner = worker.jobs
        assert isinstance(runner, EmbeddedRunner)
        await runner.start()  # takes two jobs at once, then polls again in an hour
        assert await runner.poll_once() == 0  # both slots are busy
        await idle(worker)
        assert await runner.poll_once() == 1
        await idle(worker)
        await runner.stop()
    async with worker.unit() as unit:
        statuses = (await unit.session.scalars(select(SyncLog.status))).all()
    assert statuses == ["succeeded"] * 3


async def test_a_polling_worker_stopped_mid_poll_leaves_no_connection_to_a_cancelled_task(
    settings: HubSettings, caplog: pytest.LogCaptureFixture
) -> None:
    # `g4hub worker` on SIGTERM: stopping waits for the poll in hand instead of cancelling its
    # query (which left the pool rolling the connection back in a cancelled task: "Exception
    # during reset", 5 stops in 40 before).
    if settings.resolved_database_url.startswith("postgresql"):
        pytest.skip("one database is enough: the loops are the same, SQLite's thread shows it")
    caplog.set_level(logging.WARNING)
    for attempt in range(60):
        hub = Hub(settings, jobs=lambda runtime: EmbeddedRunner(runtime, poll_interval=0.001))
        await hub.start()
        await asyncio.sleep(0.03 + attempt % 7 * 0.003)
        await hub.close()
    assert "Exception during reset" not in caplog.text
    assert "Traceback" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
