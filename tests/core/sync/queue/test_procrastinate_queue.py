"""Syncs on procrastinate, in-process: jobs carry the store's lock, transient store errors are
retried with backoff, other errors fail at once, one store never syncs twice at once."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

from sqlalchemy import text, update

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import Hub
from g4hub_core.db.base import utcnow
from g4hub_core.models import Store, SyncLog
from g4hub_core.stores.schemas import StoreUpdate
from g4hub_core.sync.jobs import JobRuntime, SyncJob
from g4hub_core.sync.procrastinate_queue import ProcrastinateQueue, defer_sync
from g4hub_core.sync.schemas import SyncLogRead
from tests.core.factories import insert_store, insert_tenant
from tests.core.sync.helpers import HubFactory, add_store, listing_requests, rows
from tests.core.sync.queue.helpers import WAIT, drained, finished, queue_jobs, watch
from tests.core.sync.test_hostile_stores import first_page_requests


def queue_only(runtime: JobRuntime) -> ProcrastinateQueue:
    """The queue of a `serve --no-sync`: it defers jobs, and runs none."""
    return ProcrastinateQueue(runtime, run_worker=False)


async def test_a_sync_is_a_job_locked_to_its_store_and_runs_once(
    make_queue_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=40)
    web = await make_queue_hub(store, start=False, jobs=queue_only)  # `serve --no-sync`
    await web.start()
    tenant_id, store_id = await add_store(web, store)
    async with web.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)

    (job,) = await queue_jobs(web, store_id)
    assert (job["status"], job["lock"], job["queueing_lock"]) == (
        "todo",
        f"store:{store_id}",
        f"store:{store_id}",
    )
    assert job["args"]["log_id"] == str(log.id)
    # A second job for the store while one waits is refused by the queueing lock.
    assert await defer_sync(web.jobs.app, SyncJob(tenant_id, store_id, log.id)) is None
    assert store.requests == []  # nothing runs without a worker

    worker = await make_queue_hub(store)
    done = await watch(worker, tenant_id, log.id, finished)

    assert (done.status, done.products_fetched, done.products_created) == ("succeeded", 40, 40)
    assert len(await rows(worker, store_id)) == 40
    assert listing_requests(store) == 2  # the count and one page: run once
    assert await queue_jobs(worker, store_id) == []  # a successful job is deleted


async def test_429_and_5xx_for_a_while_end_synced_with_counts_not_doubled(
    make_queue_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=150)
    hub = await make_queue_hub(store, sync_batch_size=50, sync_retry_backoff_seconds=0.3)
    tenant_id, store_id = await add_store(hub, store)  # the connector tries each request twice
    # The count and the first page (100 products) pass; then the second page answers 429 twice
    # (one run fails with the first 100 written), then 503 twice (a second run fails).
    first_page = first_page_requests(store)  # its variations included
    store.inject(kind="status", status=429, path="/products", after=first_page, times=2)
    store.inject(kind="status", status=503, path="/products", after=first_page + 2, times=2)
    seen: list[SyncLogRead] = []

    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)
    done = await watch(hub, tenant_id, log.id, finished, seen)

    assert (done.status, done.error_code, done.error_message) == ("succeeded", None, None)
    # The rows the failed runs wrote are upserts: created once, not updated, none twice.
    assert (done.products_fetched, done.products_created, done.products_updated) == (150, 150, 0)
    assert sorted(await rows(hub, store_id)) == sorted(store.product_ids())
    waits = [s for s in seen if s.status == "queued" and s.error_code is not None]
    assert {s.error_code for s in waits} <= {"rate_limited", "platform_unavailable"}
    assert waits, "the log never said it would retry"
    assert all("will try again" in (s.error_message or "") for s in waits)


async def test_after_the_last_attempt_the_log_fails_with_the_connectors_message(
    make_queue_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=20)
    hub = await make_queue_hub(store, sync_retry_attempts=2)
    tenant_id, store_id = await add_store(hub, store)
    store.inject(kind="status", status=503, path="/products", times=None)

    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)
    done = await watch(hub, tenant_id, log.id, finished)

    assert (done.status, done.error_code) == ("failed", "platform_unavailable")
    assert done.error_message
    assert "try again in" not in done.error_message
    assert store.count_requests("/products") == 4  # two runs, each trying the count twice


async def test_refused_credentials_fail_at_once(make_queue_hub: HubFactory) -> None:
    store = FakeWooCommerceStore(products=20)
    hub = await make_queue_hub(store)
    tenant_id = await insert_tenant(hub)
    store_id = await insert_store(hub, tenant_id, store.wrong_credentials())

    seen: list[SyncLogRead] = []

    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)
    done = await watch(hub, tenant_id, log.id, finished, seen)

    assert (done.status, done.error_code) == ("failed", "invalid_credentials")
    assert not [s for s in seen if s.status == "queued" and s.error_code is not None]
    requests = store.count_requests("/products")
    await asyncio.sleep(0.5)  # longer than the backoff: a retry would have asked again
    assert store.count_requests("/products") == requests


async def test_a_second_job_of_a_store_waits_for_the_first_on_another_worker(
    make_queue_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=150, latency=0.2)
    first = await make_queue_hub(store, sync_batch_size=50)
    second = await make_queue_hub(store, sync_batch_size=50)
    # One request at a time per sync (variations included): two runs would show as two.
    tenant_id, store_id = await add_store(first, store, max_concurrency=1)
    async with first.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)
    await watch(first, tenant_id, log.id, lambda log: log.status == "running")

    # The same sync delivered again while it runs (a duplicate the queueing lock lets in, as
    # the first job is no longer waiting): without the store's lock, the idle worker would
    # start it at once, and a job may resume its own `running` log.
    assert isinstance(second.jobs, ProcrastinateQueue)
    assert await defer_sync(second.jobs.app, SyncJob(tenant_id, store_id, log.id)) is not None
    done = await watch(first, tenant_id, log.id, finished)
    await drained(first, store_id)  # the duplicate ran, and found nothing to do

    assert (done.status, done.products_fetched, done.products_created) == ("succeeded", 150, 150)
    assert store.max_in_flight == 1
    assert listing_requests(store) == 3  # the count and two pages: one run


async def test_a_dead_workers_sync_goes_back_to_the_queue_and_finishes(
    make_queue_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=60)
    web = await make_queue_hub(store, start=False, jobs=queue_only)
    await web.start()
    tenant_id, store_id = await add_store(web, store)
    async with web.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)
    # What a worker killed mid-sync leaves: its job `doing`, the log `running`, and a
    # heartbeat that stopped long ago.
    async with web.unit() as unit:
        dead = (
            await unit.session.execute(
                text(
                    "INSERT INTO procrastinate_workers (last_heartbeat) "
                    "VALUES (now() - interval '1 hour') RETURNING id"
                )
            )
        ).scalar_one()
        await unit.session.execute(
            text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :dead"),
            {"dead": dead},
        )
        await unit.session.execute(
            update(SyncLog)
            .where(SyncLog.id == log.id)
            .values(status="running", started_at=utcnow())
        )

    worker = await make_queue_hub(store)  # recovers stalled jobs as it starts
    done = await watch(worker, tenant_id, log.id, finished)

    assert (done.status, done.products_fetched, done.products_created) == ("succeeded", 60, 60)
    assert sorted(await rows(worker, store_id)) == sorted(store.product_ids())


async def test_scheduled_syncs_are_queued_when_due_and_not_before(
    make_queue_hub: HubFactory,
) -> None:
    due, later = FakeWooCommerceStore(products=10), FakeWooCommerceStore(products=10, seed=2)
    web = await make_queue_hub(start=False, jobs=queue_only)
    with due.serve(), later.serve():
        due_tenant, due_id = await add_store(web, due)
        later_tenant, later_id = await add_store(web, later)
        for tenant_id, store_id in ((due_tenant, due_id), (later_tenant, later_id)):
            async with web.unit(tenant_id) as unit:
                await unit.stores.update(store_id, StoreUpdate(sync_interval_minutes=15))
        async with web.unit() as unit:  # the due store's interval has passed
            await unit.session.execute(
                update(Store)
                .where(Store.id == due_id)
                .values(next_sync_at=utcnow() - timedelta(minutes=1))
            )

        worker = await make_queue_hub()  # its periodic task checks every second
        deadline = time.monotonic() + WAIT
        while not (logs := await _logs(worker, due_tenant, due_id)):
            assert time.monotonic() < deadline, "the due store's sync was never queued"
            await asyncio.sleep(0.05)
        done = await watch(worker, due_tenant, logs[0].id, finished)

    assert (done.trigger, done.status, done.products_created) == ("scheduled", "succeeded", 10)
    assert await _logs(worker, later_tenant, later_id) == []  # not due: nothing queued
    async with worker.unit(due_tenant) as unit:
        synced = await unit.stores.get(due_id)
    assert synced.next_sync_at is not None
    assert synced.next_sync_at > utcnow() + timedelta(minutes=14)  # one interval on


async def _logs(hub: Hub, tenant_id: uuid.UUID, store_id: uuid.UUID) -> list[SyncLogRead]:
    async with hub.unit(tenant_id) as unit:
        return await unit.sync.history(store_id)


async def test_no_longer_waiting_for_the_worker_to_stop_leaves_it_running(
    make_queue_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=20)
    hub = await make_queue_hub(store)
    queue = hub.jobs
    assert isinstance(queue, ProcrastinateQueue)
    waiting = asyncio.ensure_future(queue.wait_stopped())
    await asyncio.sleep(0.1)
    waiting.cancel()  # as `g4hub worker` does once a signal came first
    await asyncio.gather(waiting, return_exceptions=True)

    tenant_id, store_id = await add_store(hub, store)
    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)
    done = await watch(hub, tenant_id, log.id, finished)
    assert done.status == "succeeded"  # the worker still takes jobs
