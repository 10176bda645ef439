"""Writes WooCommerce can apply, and the check that it did: a quantity turns stock management on
in the same request, and a field the store answered 200 to but kept is an error, never a silent
success."""

from __future__ import annotations

from decimal import Decimal

import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_connectors.woocommerce.payloads import WCProduct
from g4hub_connectors.woocommerce.writes import ignored_fields, update_body

from .conftest import connect

API = "https://fake-store.example/wp-json/wc/v3"


def unmanaged_simple_id(store: FakeWooCommerceStore) -> str:
    return next(
        i
        for i in store.product_ids()
        if i not in store.variable_product_ids()
        and not store.catalog.get(int(i) - 10).seed.manage_stock
    )


# -- the body ------------------------------------------------------------------------------------


def test_a_quantity_comes_with_stock_management() -> None:
    assert update_body(gc.ProductUpdate(stock_quantity=7)) == {
        "manage_stock": True,
        "stock_quantity": 7,
    }
    assert update_body(gc.ProductUpdate(manage_stock=False)) == {"manage_stock": False}
    assert update_body(gc.ProductUpdate(stock_quantity=None)) == {}


def test_a_quantity_with_stock_management_off_is_refused() -> None:
    with pytest.raises(gc.InvalidRequestError) as caught:
        update_body(gc.ProductUpdate(stock_quantity=7, manage_stock=False))
    assert caught.value.remedy == gc.Remedy.FIX_REQUEST
    assert "manages its stock" in caught.value.user_message
    assert caught.value.fields == {"stock_quantity": 7, "manage_stock": False}


def test_prices_compare_as_amounts() -> None:
    answer = WCProduct(
        id=1, regular_price="9.50", sale_price="", manage_stock=True, stock_quantity=3
    )
    update = gc.ProductUpdate(price=Decimal("9.5"), sale_price=None, stock_quantity=3)
    assert ignored_fields(update, answer) == []
    kept = gc.ProductUpdate(price=Decimal("9.49"), stock_quantity=4, manage_stock=True)
    assert ignored_fields(kept, answer) == ["price", "stock_quantity"]


# -- against the store ---------------------------------------------------------------------------


async def test_the_fake_ignores_a_quantity_without_stock_management_as_woocommerce_does() -> None:
    store = FakeWooCommerceStore(products=10)
    product_id = unmanaged_simple_id(store)
    async with store.http_client() as http:
        answer = await http.put(
            f"{API}/products/{product_id}",
            json={"stock_quantity": 7, "regular_price": "3.00"},
            auth=(store.consumer_key, store.consumer_secret),
        )
    assert answer.status_code == 200
    assert (answer.json()["stock_quantity"], answer.json()["regular_price"]) == (None, "3.00")


async def test_setting_a_quantity_turns_stock_management_on() -> None:
    store = FakeWooCommerceStore(products=10)
    product_id = unmanaged_simple_id(store)
    async with connect(store) as connector:
        updated = await connector.update_product(product_id, gc.ProductUpdate(stock_quantity=7))
    assert (updated.stock_quantity, updated.manage_stock) == (7, True)
    assert store.catalog.get(int(product_id) - 10).seed.stock == 7
    puts = [r for r in store.requests if r.method == "PUT"]
    assert len(puts) == 1


async def test_a_refused_combination_sends_nothing() -> None:
    store = FakeWooCommerceStore(products=10)
    async with connect(store) as connector:
        with pytest.raises(gc.InvalidRequestError):
            await connector.update_product(
                unmanaged_simple_id(store), gc.ProductUpdate(stock_quantity=7, manage_stock=False)
            )
    assert store.count_requests(method="PUT") == 0


async def test_a_field_a_plugin_resets_is_write_not_applied() -> None:
    store = FakeWooCommerceStore(products=10, ignored_update_fields=["sale_price"])
    product_id = unmanaged_simple_id(store)
    before = store.catalog.get(int(product_id) - 10).seed.sale_price
    async with connect(store) as connector:
        with pytest.raises(gc.WriteNotAppliedError) as caught:
            await connector.update_product(
                product_id, gc.ProductUpdate(price=Decimal("80"), sale_price=Decimal("12.34"))
            )
    error = caught.value
    assert error.code == "write_not_applied"
    assert error.remedy == gc.Remedy.FIX_REQUEST
    assert error.ignored_fields == ("sale_price",)
    assert "sale_price" in error.user_message
    assert "plugin" in error.user_message
    applied = error.applied
    assert isinstance(applied, gc.Product)
    assert applied.id == product_id
    assert applied.regular_price == Decimal("80")  # what the store did take
    assert applied.sale_price == (Decimal(before) if before else None)


async def test_a_variation_that_keeps_its_quantity_is_write_not_applied() -> None:
    store = FakeWooCommerceStore(products=40, ignored_update_fields=["stock_quantity"])
    product_id = sorted(store.variable_product_ids())[0]
    variation_id = str(store.catalog.get(int(product_id) - 10).variation_ids[0])
    async with connect(store) as connector:
        with pytest.raises(gc.WriteNotAppliedError) as caught:
            await connector.update_product(
                product_id, gc.ProductUpdate(variant_id=variation_id, stock_quantity=5)
            )
    assert caught.value.ignored_fields == ("stock_quantity",)
    applied = caught.value.applied
    assert isinstance(applied, gc.Product)
    assert applied.id == product_id
    assert any(v.id == variation_id for v in applied.variants)


async def test_prices_on_a_variable_product_say_where_prices_live() -> None:
    store = FakeWooCommerceStore(products=40)
    product_id = sorted(store.variable_product_ids())[0]
    async with connect(store) as connector:
        with pytest.raises(gc.WriteNotAppliedError) as caught:
            await connector.update_product(product_id, gc.ProductUpdate(price=Decimal("5")))
    assert caught.value.ignored_fields == ("price",)
    assert "variations" in caught.value.user_message
