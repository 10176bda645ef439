"""`ProductUpdate.expected_stock_quantity` over GraphQL: the caller's expectation is the
compare-and-set's `changeFromQuantity`, so a store holding another quantity refuses."""

from __future__ import annotations

import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeShopifyGraphQLStore

from .conftest import VirtualClock, connect
from .test_writes import _tracked_simple


async def test_a_stale_expected_stock_is_refused_and_the_store_keeps_its_quantity(
    store: FakeShopifyGraphQLStore, clock: VirtualClock
) -> None:
    async with connect(store, clock) as connector:
        product = await _tracked_simple(connector, store)
        held = product.stock_quantity
        assert held is not None
        with pytest.raises(gc.WriteConflictError):
            await connector.update_product(
                product.id, gc.ProductUpdate(stock_quantity=50, expected_stock_quantity=held + 3)
            )
        assert (await connector.get_product(product.id)).stock_quantity == held
        updated = await connector.update_product(
            product.id, gc.ProductUpdate(stock_quantity=50, expected_stock_quantity=held)
        )
    assert updated.stock_quantity == 50


def test_the_expectation_is_not_a_change() -> None:
    update = gc.ProductUpdate(stock_quantity=4, expected_stock_quantity=3)
    assert update.changes() == {"stock_quantity": 4}
