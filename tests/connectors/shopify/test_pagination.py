"""Link-header pagination yields each product exactly once, whatever the catalog and page size."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from g4hub_connectors.testing import FakeShopifyStore
from g4hub_connectors.testing.shopify._catalog import product_id

from .conftest import FakeClock, connect


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(min_value=0, max_value=600),
    limit=st.integers(min_value=1, max_value=300),
    deleted=st.sets(st.integers(min_value=0, max_value=599), max_size=20),
)
def test_cursors_yield_each_product_once(size: int, limit: int, deleted: set[int]) -> None:
    # A shared fake clock: the bucket drains without real waiting, however many pages.
    clock = FakeClock()
    store = FakeShopifyStore(products=size, clock=clock)
    for index in sorted(deleted):
        if index < size:
            store.delete_product(str(product_id(index)))

    async def walk() -> tuple[list[str], list[str], int]:
        async with connect(store, clock=clock) as connector:
            paged: list[str] = []
            cursor: str | None = None
            pages = 0
            while True:
                page = await connector.get_products(cursor=cursor, limit=limit)
                pages += 1
                assert len(page.products) <= min(limit, 250)
                paged += [p.id for p in page.products]
                cursor = page.next_cursor
                if cursor is None:
                    break
            streamed = [p.id async for p in connector.iter_products()]
            return paged, streamed, pages

    paged, streamed, pages = asyncio.run(walk())
    expected = store.product_ids()
    assert paged == expected
    assert streamed == expected
    assert pages == max(1, -(-len(expected) // min(limit, 250)))
    assert store.bucket.rejected == 0


@settings(max_examples=25, deadline=None)
@given(size=st.integers(min_value=0, max_value=600), days=st.integers(min_value=0, max_value=400))
def test_updated_since_yields_exactly_the_changed_products(size: int, days: int) -> None:
    store = FakeShopifyStore(products=size)
    since = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=days, seconds=days * 37)

    async def walk() -> list[str]:
        async with connect(store) as connector:
            return [p.id async for p in connector.iter_products(updated_since=since)]

    got = asyncio.run(walk())
    assert len(got) == len(set(got))
    assert set(got) == store.ids_updated_since(since)
