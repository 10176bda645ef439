"""Bulk changes: a queued job runs item by item through the single-change path, with progress
and each item's outcome; the audit trail names the job."""

from __future__ import annotations

from decimal import Decimal

import pytest

import g4hub_connectors as gc
from g4hub_core.errors import InvalidInput
from g4hub_core.writes import MAX_BULK_ITEMS, BulkItem
from tests.core.sync.helpers import rows
from tests.core.writes.conftest import Synced


async def test_a_bulk_job_writes_each_item_and_reports_each_result(synced: Synced) -> None:
    found = await rows(synced.hub, synced.store_id)
    other = next(
        key
        for key, row in sorted(found.items())
        if key != synced.product_id
        and key not in synced.store.variable_product_ids()
        and row.manage_stock
    )
    held = found[other].stock_quantity
    assert held is not None
    async with synced.outside() as shop:  # sold at the store before the job runs
        await shop.update_product(other, gc.ProductUpdate(stock_quantity=held - 1))
    await synced.hub.writes.stop()  # the test runs the job itself
    async with synced.hub.unit(synced.tenant_id) as unit:
        job = await unit.bulk_writes.request(
            synced.store_id,
            [
                BulkItem(product_id=synced.product_id, stock_quantity=40),
                BulkItem(product_id=other, stock_quantity=held + 5),
                BulkItem(product_id="999999", price=Decimal("1.00")),
            ],
            actor="owner@example.com",
        )
    assert (job.status, job.total, job.done) == ("queued", 3, 0)

    assert await synced.hub.writes.drain() == 1

    async with synced.hub.unit(synced.tenant_id) as unit:
        done = await unit.bulk_writes.get(job.id)
        trail = await unit.audit.page(job_id=job.id)
    assert (done.status, done.done, done.progress) == ("succeeded", 3, 1.0)
    assert [(r["product_id"], r["status"]) for r in done.results] == [
        (synced.product_id, "applied"),
        (other, "conflict"),
        ("999999", "failed"),
    ]
    assert done.results[2]["error_code"] == "product_not_found"
    assert done.counts == {"applied": 1, "conflict": 1, "failed": 1}
    assert (await synced.at_store()).stock_quantity == 40
    assert (await synced.at_store(other)).stock_quantity == held - 1
    assert {(e.product_id, e.result) for e in trail.items} == {
        (synced.product_id, "applied"),
        (other, "conflict"),
    }


async def test_a_bulk_change_holds_one_to_a_thousand_items(synced: Synced) -> None:
    too_many = [BulkItem(product_id=str(n), stock_quantity=1) for n in range(MAX_BULK_ITEMS + 1)]
    async with synced.hub.unit(synced.tenant_id) as unit:
        with pytest.raises(InvalidInput):
            await unit.bulk_writes.request(synced.store_id, [])
        with pytest.raises(InvalidInput):
            await unit.bulk_writes.request(synced.store_id, too_many)
