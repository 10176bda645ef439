"""A page of a store's search costs one statement (it counts its matches); a page of a listing
without a search one, two when it is full (the count of every product); past the end, the count
is read apart; the store is looked up only when the page is empty (an unknown or another tenant's
store is then `NotFound`, see test_service)."""

from __future__ import annotations

from g4hub_core import Hub
from tests.core.catalog.test_service import shop
from tests.core.dashboard.test_statements import statements

NAMED = [(f"Mug {index:02}", f"MUG-{index:02}") for index in range(30)] + [("Lamp", "LAMP-1")]


async def test_a_page_reads_only_products_and_counts_only_when_full(hub: Hub) -> None:
    # A search's page counts its matches in its own statement (finding them is most of its
    # cost); a listing without a search reads its page from an index and counts apart, only
    # when the page is full.
    tenant_id, store_id = await shop(hub, NAMED)
    async with hub.unit(tenant_id) as unit:
        with statements(hub) as full:
            first = await unit.catalog.list_products(store_id, q="mug", per_page=10)
        with statements(hub) as short:
            last = await unit.catalog.list_products(store_id, q="mug", page=3, per_page=12)
        with statements(hub) as empty:
            none = await unit.catalog.list_products(store_id, q="teapot")
        with statements(hub) as past:
            beyond = await unit.catalog.list_products(store_id, q="mug", page=9, per_page=10)
        with statements(hub) as listing:
            unsearched = await unit.catalog.list_products(store_id, per_page=10)
        with statements(hub) as listing_end:
            unsearched_end = await unit.catalog.list_products(store_id, page=3, per_page=12)
    counts = (len(full), len(short), len(empty), len(past), len(listing), len(listing_end))
    assert counts == (1, 1, 2, 3, 2, 1), (full, short, empty, past, listing, listing_end)
    assert [item.name for item in first.items] == [f"Mug {index:02}" for index in range(10)]
    assert first.total == last.total == beyond.total == 30
    assert unsearched.total == unsearched_end.total == len(NAMED)
    assert [item.sku for item in last.items] == [f"MUG-{index:02}" for index in range(24, 30)]
    assert (none.items, none.total) == ([], 0)
