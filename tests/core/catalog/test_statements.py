"""A page of a store's products costs one statement, two when it is full (the count of every
match); the store is looked up only when the page is empty (an unknown or another tenant's
store is then `NotFound`, see test_service)."""

from __future__ import annotations

from g4hub_core import Hub
from tests.core.catalog.test_service import shop
from tests.core.dashboard.test_statements import statements

NAMED = [(f"Mug {index:02}", f"MUG-{index:02}") for index in range(30)] + [("Lamp", "LAMP-1")]


async def test_a_page_reads_only_products_and_counts_only_when_full(hub: Hub) -> None:
    tenant_id, store_id = await shop(hub, NAMED)
    async with hub.unit(tenant_id) as unit:
        with statements(hub) as full:
            first = await unit.catalog.list_products(store_id, q="mug", per_page=10)
        with statements(hub) as short:
            last = await unit.catalog.list_products(store_id, q="mug", page=3, per_page=12)
        with statements(hub) as empty:
            none = await unit.catalog.list_products(store_id, q="teapot")
    assert (len(full), len(short), len(empty)) == (2, 1, 2), (full, short, empty)
    assert [item.name for item in first.items] == [f"Mug {index:02}" for index in range(10)]
    assert first.total == last.total == 30
    assert [item.sku for item in last.items] == [f"MUG-{index:02}" for index in range(24, 30)]
    assert (none.items, none.total) == ([], 0)
