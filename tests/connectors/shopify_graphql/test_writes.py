"""Writes over GraphQL: prices by productVariantsBulkUpdate, stock by inventorySetQuantities with
compare-and-set and an idempotency key, every result re-read and verified."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeShopifyGraphQLStore
from g4hub_connectors.testing.shopify._catalog import PRIMARY_LOCATION, WAREHOUSE_LOCATION

from .conftest import VirtualClock, connect


async def _tracked_simple(connector: Any, store: FakeShopifyGraphQLStore) -> gc.Product:
    variable = store.variable_product_ids()
    async for product in connector.iter_products():
        if product.id not in variable and product.manage_stock:
            return product  # type: ignore[no-any-return]
    raise AssertionError("no tracked simple product")


async def test_price_and_stock_are_written_and_verified(
    store: FakeShopifyGraphQLStore, clock: VirtualClock
) -> None:
    async with connect(store, clock) as connector:
        product = await _tracked_simple(connector, store)
        updated = await connector.update_product(
            product.id, gc.ProductUpdate(price=Decimal("12.40"), stock_quantity=7)
        )
    assert updated.regular_price == Decimal("12.40")
    assert updated.stock_quantity == 7
    names = [name for name, _, _ in store.graphql.queries]
    assert "VariantsUpdate" in names
    assert "InventorySet" in names


async def test_a_stale_change_from_quantity_is_refused_with_nothing_changed(
    store: FakeShopifyGraphQLStore, clock: VirtualClock
) -> None:
    async with connect(store, clock) as connector:
        product = await _tracked_simple(connector, store)
        variant = product.variants[0]
        assert variant.inventory_item_id is not None
        read = variant.stock_quantity
        assert read is not None
        # Someone sells one in the shop between our read and our write.
        await connector.set_stock(variant.inventory_item_id, read - 1, change_from=read)
        with pytest.raises(gc.WriteConflictError) as caught:
            await connector.set_stock(variant.inventory_item_id, 100, change_from=read)
        after = await connector.get_product(product.id)
    assert caught.value.code == "write_conflict"
    assert caught.value.platform_code == "CHANGE_FROM_QUANTITY_STALE"
    assert "nothing was written" in caught.value.user_message
    assert after.stock_quantity == read - 1
    assert store.graphql.writes.applied_sets == 1


async def test_stock_goes_to_the_location_asked_for(
    store: FakeShopifyGraphQLStore, clock: VirtualClock
) -> None:
    async with connect(store, clock) as connector:
        product = await _tracked_simple(connector, store)
        before = product.stock_quantity or 0
        updated = await connector.update_product(
            product.id, gc.ProductUpdate(stock_quantity=5, location_id=str(WAREHOUSE_LOCATION))
        )
    # The warehouse had no stock of it; the product's quantity sums both locations.
    assert updated.stock_quantity == before + 5
    index = int(product.id) - 9_100_000_000_000_001
    levels = store.graphql.views.state(index // 10).variants[0].levels
    assert levels == {PRIMARY_LOCATION: before, WAREHOUSE_LOCATION: 5}


async def test_a_repeated_idempotency_key_is_applied_once(
    store: FakeShopifyGraphQLStore, clock: VirtualClock
) -> None:
    async with connect(store, clock) as connector:
        product = await _tracked_simple(connector, store)
        variant = product.variants[0]
        assert variant.inventory_item_id is not None
        assert variant.stock_quantity is not None
        for _ in range(2):
            await connector.set_stock(
                variant.inventory_item_id,
                3,
                change_from=variant.stock_quantity,
                idempotency_key="sync-42-item-1",
            )
    assert store.graphql.writes.applied_sets == 1


async def test_user_errors_become_errors_by_code(
    store: FakeShopifyGraphQLStore, clock: VirtualClock
) -> None:
    async with connect(store, clock) as connector:
        product = await _tracked_simple(connector, store)
        with pytest.raises(gc.NotFoundError):
            await connector.set_stock("47300000000999999", 1, change_from=0)
        with pytest.raises(gc.NotFoundError):
            await connector.update_product(
                product.id, gc.ProductUpdate(variant_id="1", price=Decimal("1"))
            )
        with pytest.raises(gc.NotFoundError):
            await connector.update_product("999999999", gc.ProductUpdate(stock_quantity=1))


async def test_a_write_the_store_ignores_is_reported(
    store: FakeShopifyGraphQLStore, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A store that answers success and keeps its old price (an app or a bug in between).
    def ignore(args: dict[str, Any]) -> dict[str, Any]:
        return {"product": None, "productVariants": [], "userErrors": []}

    monkeypatch.setattr(store.graphql.writes, "variants_bulk_update", ignore)
    async with connect(store, clock) as connector:
        product = await _tracked_simple(connector, store)
        with pytest.raises(gc.WriteNotAppliedError) as caught:
            await connector.update_product(product.id, gc.ProductUpdate(price=Decimal("1.11")))
    assert caught.value.ignored_fields == ("price",)
    assert isinstance(caught.value.applied, gc.Product)
    assert caught.value.applied.regular_price == product.regular_price


async def test_writing_needs_the_write_scope_and_names_it(clock: VirtualClock) -> None:
    store = FakeShopifyGraphQLStore(
        products=10, clock=clock, scopes={"read_products", "read_inventory"}
    )
    async with connect(store, clock) as connector:
        product = await _tracked_simple(connector, store)
        with pytest.raises(gc.PermissionDeniedError) as caught:
            await connector.update_product(product.id, gc.ProductUpdate(price=Decimal("2")))
    assert caught.value.missing_scopes == ("write_products",)
    assert "'write_products' scope" in caught.value.user_message
