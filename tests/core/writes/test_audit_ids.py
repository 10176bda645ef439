"""A write's outcome names its own audit entries (`audit_ids`), so a page can show each edit's
entry without guessing from the newest ones."""

from __future__ import annotations

from decimal import Decimal

from g4hub_core.writes import ExpectedValues, ProductChange
from tests.core.writes.conftest import Synced


async def test_each_field_of_an_applied_write_names_its_own_entry(synced: Synced) -> None:
    async with synced.hub.unit(synced.tenant_id) as unit:
        first = await unit.writes.update(
            synced.store_id,
            synced.product_id,
            ProductChange(price=Decimal("21.00"), stock_quantity=4),
            actor="owner@example.com",
        )
        second = await unit.writes.update(
            synced.store_id, synced.product_id, ProductChange(price=Decimal("22.00"))
        )
    async with synced.hub.unit(synced.tenant_id) as unit:
        trail = await unit.audit.page(product_id=synced.product_id)
    by_id = {entry.id: entry for entry in trail.items}
    assert set(first.audit_ids) == {"price", "stock_quantity"}
    assert {
        name: (by_id[entry_id].field, by_id[entry_id].new_value)
        for name, entry_id in (first.audit_ids | {"second": second.audit_ids["price"]}).items()
    } == {
        "price": ("price", "21.00"),
        "stock_quantity": ("stock_quantity", "4"),
        "second": ("price", "22.00"),
    }


async def test_a_refused_write_names_its_conflict_entry(synced: Synced) -> None:
    held = (await synced.at_store()).stock_quantity
    assert held is not None
    async with synced.hub.unit(synced.tenant_id) as unit:
        refused = await unit.writes.update(
            synced.store_id,
            synced.product_id,
            ProductChange(stock_quantity=3, expected=ExpectedValues(stock_quantity=held + 5)),
        )
    async with synced.hub.unit(synced.tenant_id) as unit:
        trail = await unit.audit.page(product_id=synced.product_id)
    assert refused.status == "conflict"
    assert [(e.id, e.result) for e in trail.items] == [
        (refused.audit_ids["stock_quantity"], "conflict")
    ]
