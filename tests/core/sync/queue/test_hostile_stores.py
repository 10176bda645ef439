"""Stuck stores on procrastinate: one tenant's cannot hold every worker slot (its jobs past
the tenant's limit wait, deferred again, without using an attempt), and a sync past its time
budget fails once, without retries."""

from __future__ import annotations

import contextlib

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core.sync.engine import TIME_BUDGET_CODE
from tests.core.factories import insert_store, insert_tenant
from tests.core.sync.helpers import HubFactory, add_store
from tests.core.sync.queue.helpers import finished, queue_jobs, watch
from tests.core.sync.test_hostile_stores import first_page_requests, stuck_after_the_first_page


async def test_two_stuck_stores_of_one_tenant_leave_the_workers_to_the_others(
    make_queue_hub: HubFactory,
) -> None:
    stuck = [FakeWooCommerceStore(products=5, seed=seed, latency=8) for seed in (1, 2)]
    others = [FakeWooCommerceStore(products=8, seed=seed) for seed in (3, 4, 5)]
    hub = await make_queue_hub(sync_concurrency=2)
    with contextlib.ExitStack() as serving:
        for store in (*stuck, *others):
            serving.enter_context(store.serve())
        tenant_a = await insert_tenant(hub, "A")
        a_logs = []
        for store in stuck:
            store_id = await insert_store(hub, tenant_a, store.credentials())
            async with hub.unit(tenant_a) as unit:
                a_logs.append(await unit.sync.request(store_id))
        await watch(hub, tenant_a, a_logs[0].id, lambda log: log.status == "running")
        tenant_b = await insert_tenant(hub, "B")
        b_logs = []
        for store in others:
            store_id = await insert_store(hub, tenant_b, store.credentials())
            async with hub.unit(tenant_b) as unit:
                b_logs.append(await unit.sync.request(store_id))

        done = [await watch(hub, tenant_b, log.id, finished) for log in b_logs]

        assert [(log.status, log.products_created) for log in done] == [("succeeded", 8)] * 3
        async with hub.unit(tenant_a) as unit:
            a_states = sorted([(await unit.sync.get(log.id)).status for log in a_logs])
        assert a_states == ["queued", "running"]
        # The waiting one is a fresh job, not a retry: waiting for a slot costs no attempt.
        assert all(job["attempts"] == 0 for job in await queue_jobs(hub))
        await hub.close()


async def test_a_sync_past_its_budget_fails_once_without_retries(
    make_queue_hub: HubFactory,
) -> None:
    stuck = stuck_after_the_first_page()
    hub = await make_queue_hub(stuck, sync_batch_size=50, sync_time_budget_seconds=2)
    tenant_id, store_id = await add_store(hub, stuck, max_concurrency=1)
    async with hub.unit(tenant_id) as unit:
        log = await unit.sync.request(store_id)

    done = await watch(hub, tenant_id, log.id, finished)

    assert (done.status, done.error_code, done.products_created) == (
        "failed",
        TIME_BUDGET_CODE,
        100,
    )
    # The count, the first page with its variations, the hung one: one run.
    assert stuck.count_requests("/products") == first_page_requests(stuck) + 1
