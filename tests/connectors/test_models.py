"""The normalized models: exact money, immutable values, no secret in a repr."""

from __future__ import annotations

from decimal import Decimal

import pydantic
import pytest

import g4hub_connectors as gc


def test_product_update_sends_only_what_was_set() -> None:
    assert gc.ProductUpdate(price=Decimal("9.50")).changes() == {"price": Decimal("9.50")}
    assert gc.ProductUpdate(sale_price=None).changes() == {"sale_price": None}
    assert gc.ProductUpdate(stock_quantity=4, variant_id="7").changes() == {"stock_quantity": 4}


def test_negative_prices_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        gc.ProductUpdate(price=Decimal("-1"))


def test_products_are_frozen_and_keep_money_exact() -> None:
    product = gc.Product(id="1", name="Mug", platform="woocommerce", price=Decimal("0.10"))
    assert product.price is not None
    assert product.price * 3 == Decimal("0.30")
    with pytest.raises(pydantic.ValidationError):
        product.name = "Cup"  # type: ignore[misc]


def test_raw_is_kept_out_of_repr() -> None:
    product = gc.Product(id="1", name="Mug", platform="shopify", raw={"huge": "x" * 1000})
    assert "huge" not in repr(product)
