"""Two writers of one product take turns, on SQLite as on PostgreSQL: two overlapping writes of
the same change reach the store once, and the later one, finding the first one's value there,
is a conflict that writes nothing."""

from __future__ import annotations

import asyncio

from g4hub_core.writes import ExpectedValues, ProductChange, WriteOutcome
from tests.core.writes.conftest import Synced


def _writes_to(synced: Synced, product_id: str) -> int:
    return sum(
        1
        for request in synced.store.requests
        if request.method in ("POST", "PUT", "PATCH") and request.path.endswith(f"/{product_id}")
    )


async def test_two_overlapping_writes_of_one_change_reach_the_store_once(
    synced: Synced,
) -> None:
    held = (await synced.at_store()).stock_quantity
    assert held is not None
    # Every answer takes a while, so both writes are between their read and their write at once.
    synced.store.latency = 0.05
    change = ProductChange(stock_quantity=held + 5, expected=ExpectedValues(stock_quantity=held))

    async def write() -> WriteOutcome:
        async with synced.hub.unit(synced.tenant_id) as unit:
            return await unit.writes.update(
                synced.store_id, synced.product_id, change, actor="rule@example.com"
            )

    outcomes = await asyncio.gather(write(), write())

    assert sorted((o.status, o.error_code) for o in outcomes) == [
        ("applied", None),
        ("conflict", "write_conflict"),
    ]
    assert _writes_to(synced, synced.product_id) == 1
    assert (await synced.at_store()).stock_quantity == held + 5
    async with synced.hub.unit(synced.tenant_id) as unit:
        trail = await unit.audit.page(store_id=synced.store_id, product_id=synced.product_id)
    assert sorted((e.old_value, e.new_value, e.result) for e in trail.items) == [
        (str(held), str(held + 5), "applied"),
        (str(held + 5), str(held + 5), "conflict"),  # the later one found the value there
    ]
