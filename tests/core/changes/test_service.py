"""The change feed: a day of changes replays from a cursor, in order, each once; a cursor it did
not give out is refused; a deleted store's products end the feed as deletions."""

from __future__ import annotations

import pytest

from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_core import InvalidInput
from tests.core.sync.helpers import HubFactory, add_store, sync


async def test_the_feed_replays_from_any_cursor_and_outlives_a_deleted_store(
    make_hub: HubFactory,
) -> None:
    store = FakeWooCommerceStore(products=25)
    hub = await make_hub(store)
    tenant_id, store_id = await add_store(hub, store)
    assert (await sync(hub, tenant_id, store_id, trigger="initial")).status == "succeeded"

    seen: list[str] = []
    cursor = None
    async with hub.unit(tenant_id) as unit:
        while True:
            page = await unit.changes.page(cursor, limit=7)
            seen += [c.platform_product_id for c in page.items]
            cursor = page.next_cursor
            if not page.has_more:
                break
        again = await unit.changes.page(cursor)
    assert sorted(seen) == sorted(store.product_ids())  # each once, across pages
    assert again.items == []
    assert again.next_cursor == cursor

    async with hub.unit(tenant_id) as unit:
        await unit.stores.delete(store_id)
    async with hub.unit(tenant_id) as unit:
        after = await unit.changes.page(cursor, limit=100)
        with pytest.raises(InvalidInput):
            await unit.changes.page("not-a-cursor")
    assert sorted(c.platform_product_id for c in after.items) == sorted(store.product_ids())
    assert {(c.kind, c.source, c.store_id) for c in after.items} == {
        ("deleted", "store_deleted", store_id)
    }
