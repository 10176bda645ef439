"""Writes are verified: a field Shopify answers 200 to without applying raises
`WriteNotAppliedError` naming it, and what the store holds now comes with the error."""

from __future__ import annotations

from decimal import Decimal

import pytest

import g4hub_connectors as gc
from g4hub_connectors.shopify.payloads import VariantPayload
from g4hub_connectors.shopify.prices import price_fields, unapplied_prices
from g4hub_connectors.testing import FakeShopifyStore
from g4hub_connectors.testing.shopify._catalog import (
    PRIMARY_LOCATION,
    VariantState,
    product_index,
)

from .conftest import connect


@pytest.fixture
def store() -> FakeShopifyStore:
    return FakeShopifyStore(products=40)


def _first_variant(store: FakeShopifyStore, product_id: str) -> VariantState:
    index = product_index(product_id)
    assert index is not None
    return store.catalog.state(index).variants[0]


def _simple(store: FakeShopifyStore, *, tracked: bool) -> str:
    variable = store.variable_product_ids()
    return next(
        i
        for i in store.product_ids()
        if i not in variable and _first_variant(store, i).tracked is tracked
    )


async def test_a_price_the_store_ignores_is_named(store: FakeShopifyStore) -> None:
    product_id = _simple(store, tracked=True)
    before = _first_variant(store, product_id).price
    store.ignored_writes = frozenset({"price"})
    async with connect(store) as connector:
        with pytest.raises(gc.WriteNotAppliedError) as caught:
            await connector.update_product(product_id, gc.ProductUpdate(price=Decimal("12.34")))
    error = caught.value
    assert error.ignored_fields == ("price",)
    assert "price" in error.user_message
    assert "12.34" in str(error)
    assert isinstance(error.applied, gc.Product)
    assert error.applied.price == Decimal(before)  # what the store holds now


async def test_a_sale_the_store_half_applies_names_the_callers_fields(
    store: FakeShopifyStore,
) -> None:
    product_id = _simple(store, tracked=True)
    store.ignored_writes = frozenset({"compare_at_price"})
    async with connect(store) as connector:
        with pytest.raises(gc.WriteNotAppliedError) as caught:
            await connector.update_product(
                product_id, gc.ProductUpdate(price=Decimal("50"), sale_price=Decimal("40"))
            )
    assert caught.value.ignored_fields == ("price", "sale_price")
    assert "compare_at_price" in str(caught.value)


async def test_a_stock_level_the_store_keeps_is_named(store: FakeShopifyStore) -> None:
    product_id = _simple(store, tracked=True)
    store.ignored_writes = frozenset({"available"})
    async with connect(store) as connector:
        with pytest.raises(gc.WriteNotAppliedError) as caught:
            await connector.update_product(product_id, gc.ProductUpdate(stock_quantity=77))
    assert caught.value.ignored_fields == ("stock_quantity",)
    assert f"location {PRIMARY_LOCATION}" in str(caught.value)
    assert _first_variant(store, product_id).levels[PRIMARY_LOCATION] != 77


async def test_tracking_the_store_keeps_is_named(store: FakeShopifyStore) -> None:
    product_id = _simple(store, tracked=True)
    store.ignored_writes = frozenset({"tracked"})
    async with connect(store) as connector:
        with pytest.raises(gc.WriteNotAppliedError) as caught:
            await connector.update_product(product_id, gc.ProductUpdate(manage_stock=False))
    assert caught.value.ignored_fields == ("manage_stock",)
    applied = caught.value.applied
    assert isinstance(applied, gc.Product)
    assert applied.manage_stock is True


async def test_applied_writes_raise_nothing_and_rounding_is_no_loss(
    store: FakeShopifyStore,
) -> None:
    product_id = _simple(store, tracked=True)
    async with connect(store) as connector:
        # Shopify keeps cents: 9.999 is stored as 10.00, which is what was asked.
        updated = await connector.update_product(
            product_id, gc.ProductUpdate(price=Decimal("9.999"), stock_quantity=5)
        )
    assert updated.price == Decimal("10.00")
    assert updated.stock_quantity == 5


def test_price_comparison_allows_cent_rounding_only() -> None:
    variant: VariantPayload = {"id": 1, "price": "10.00", "compare_at_price": None}
    assert unapplied_prices({"price": "9.999"}, variant) == {}
    assert unapplied_prices({"price": "9.98"}, variant) == {"price": "10.00"}
    assert unapplied_prices({"compare_at_price": None}, variant) == {}
    assert unapplied_prices({"compare_at_price": "12.00"}, variant) == {"compare_at_price": "None"}


def test_price_fields_express_sales_shopifys_way() -> None:
    variant: VariantPayload = {"id": 1, "price": "30.00", "compare_at_price": None}
    assert price_fields(variant, {"sale_price": Decimal("20")}) == {
        "price": "20.00",
        "compare_at_price": "30.00",
    }
    on_sale: VariantPayload = {"id": 1, "price": "20.00", "compare_at_price": "30.00"}
    assert price_fields(on_sale, {"sale_price": None}) == {
        "compare_at_price": None,
        "price": "30.00",
    }
    assert price_fields(on_sale, {"price": Decimal("35")}) == {"compare_at_price": "35.00"}
