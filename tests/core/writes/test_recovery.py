"""A bulk job whose worker was killed midway is resumed by another runner: items written before
the kill keep their result (rebuilt from the audit trail) and are not written again; the rest
are written once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from g4hub_core import Hub
from g4hub_core.models import WriteJob
from g4hub_core.unit import UnitOfWork
from g4hub_core.writes import BulkItem, WriteService
from g4hub_core.writes.jobs import RECOVERED, WriteRunner
from tests.core.sync.helpers import rows
from tests.core.writes.conftest import Synced


class Killed(BaseException):
    """The process dying: nothing of the runner's own handling runs (not an Exception, not a
    cancellation)."""


def _runner(hub: Hub, *, die_at: int | None = None, stalled_after: float = 120.0) -> WriteRunner:
    calls = 0
    make: Any = hub._write_service  # the hub's own wiring, with a kill switch

    def service(work: UnitOfWork) -> WriteService:
        nonlocal calls
        calls += 1
        if die_at is not None and calls == die_at:
            raise Killed
        made: WriteService = make(work)
        return made

    return WriteRunner(hub._work, service, stalled_after=stalled_after)


async def test_a_job_left_running_by_a_killed_worker_resumes_without_writing_twice(
    synced: Synced,
) -> None:
    await synced.hub.writes.stop()  # the test runs the jobs itself
    found = await rows(synced.hub, synced.store_id)
    variable = synced.store.variable_product_ids()
    products = [
        key
        for key, row in sorted(found.items())
        if key not in variable and row.manage_stock and row.stock_quantity is not None
    ][:5]
    assert len(products) == 5
    items = [
        BulkItem.model_validate(
            {
                "product_id": key,
                "stock_quantity": 100 + n,
                "expected": {"stock_quantity": found[key].stock_quantity},
            }
        )
        for n, key in enumerate(products)
    ]
    async with synced.hub.unit(synced.tenant_id) as unit:
        job = await unit.bulk_writes.request(synced.store_id, items, actor="owner@example.com")

    # The worker dies as it starts the fourth item (the first service opens the job's
    # connector): three are written, no result saved yet.
    killed = _runner(synced.hub, die_at=5)
    with pytest.raises(Killed):
        await killed.drain()
    async with synced.hub.unit(synced.tenant_id) as unit:
        left = await unit.session.get(WriteJob, job.id)
        assert left is not None
        assert (left.status, left.done) == ("running", 0)
    assert [(await synced.at_store(key)).stock_quantity for key in products[:3]] == [
        100,
        101,
        102,
    ]

    # A live runner does not take a job whose heartbeat is fresh ...
    assert await _runner(synced.hub).drain() == 0
    # ... but takes it over once it has been silent too long.
    assert await _runner(synced.hub, stalled_after=0).drain() == 1

    async with synced.hub.unit(synced.tenant_id) as unit:
        done = await unit.bulk_writes.get(job.id)
        trail = await unit.audit.page(job_id=job.id)
    assert (done.status, done.done) == ("succeeded", 5)
    assert [(r["product_id"], r["status"]) for r in done.results] == [
        (key, "applied") for key in products
    ]
    assert [r["message"] for r in done.results[:3]] == [RECOVERED] * 3
    assert done.results[0]["fields"]["stock_quantity"]["new"] == "100"
    # One audit entry per item: nothing was written twice.
    assert sorted(entry.product_id for entry in trail.items) == sorted(products)
    assert [(await synced.at_store(key)).stock_quantity for key in products] == [
        100,
        101,
        102,
        103,
        104,
    ]


async def test_a_stalled_job_is_taken_by_one_runner_only(synced: Synced) -> None:
    await synced.hub.writes.stop()
    async with synced.hub.unit(synced.tenant_id) as unit:
        job = await unit.bulk_writes.request(
            synced.store_id, [BulkItem(product_id=synced.product_id, stock_quantity=7)]
        )
    with pytest.raises(Killed):
        await _runner(synced.hub, die_at=1).drain()
    first = _runner(synced.hub, stalled_after=0)
    assert await first.drain() == 1
    assert await _runner(synced.hub, stalled_after=0).drain() == 0  # finished: not again
    async with synced.hub.unit(synced.tenant_id) as unit:
        done = await unit.bulk_writes.get(job.id)
    assert (done.status, [r["status"] for r in done.results]) == ("succeeded", ["applied"])
    assert uuid.UUID(str(done.id)) == job.id
