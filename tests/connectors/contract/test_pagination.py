"""Pagination yields each product exactly once for any catalog and page size (property-based,
beyond the fixed sizes the shipped contract checks)."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from g4hub_connectors.testing.contract._base import connect
from tests.connectors.contract.conftest import FAKE_STORES


@pytest.mark.parametrize("platform", sorted(FAKE_STORES))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(min_value=0, max_value=260), limit=st.integers(min_value=1, max_value=120))
def test_pagination_yields_each_product_exactly_once(platform: str, size: int, limit: int) -> None:
    store = FAKE_STORES[platform](products=size)

    async def walk() -> list[str]:
        seen: list[str] = []
        async with connect(store) as c:
            cursor: str | None = None
            while True:
                page = await c.get_products(cursor=cursor, limit=limit)
                seen.extend(p.id for p in page.products)
                if page.next_cursor is None:
                    return seen
                cursor = page.next_cursor

    seen = asyncio.run(walk())
    assert len(seen) == len(set(seen)) == size
    assert set(seen) == set(store.product_ids())
