"""WooCommerce payload → Product: exact money, empty strings as None, never a crash on data the
WooCommerce schema allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_connectors.testing.woocommerce._render import Site, render_product, render_variation
from g4hub_connectors.woocommerce.mapping import (
    map_product,
    map_status,
    map_stock_status,
    map_variant,
    parse_gmt,
    parse_money,
    parse_quantity,
)
from g4hub_connectors.woocommerce.payloads import (
    PRODUCT_LIST,
    VARIATION_LIST,
    WCProduct,
    WCVariation,
)

SITE = Site("https://shop.example", "https://shop.example/wp-json", "&euro;", timedelta(hours=2))


def mapped(raw: dict[str, Any], **kwargs: Any) -> gc.Product:
    return map_product(WCProduct.model_validate(raw), raw, **kwargs)


# -- strategies: what the wc/v3 schema allows ------------------------------------------------------

prices = st.one_of(
    st.just(""),
    st.none(),
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False).map(str),
    st.sampled_from(["9,50", "N/A", "free", "1e3", " 12.5 ", "NaN", "-Infinity", "0"]),
    st.integers(min_value=0, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
)
dates = st.one_of(
    st.none(),
    st.just(""),
    st.just("0000-00-00T00:00:00"),
    st.datetimes(
        min_value=datetime(1970, 1, 2),  # noqa: DTZ001 - WooCommerce's *_gmt dates are naive
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    ).map(lambda d: d.replace(microsecond=0).isoformat()),
    st.text(max_size=12),
)
texts = st.one_of(st.none(), st.text(max_size=30))
quantities = st.one_of(
    st.none(), st.integers(), st.floats(), st.sampled_from(["", "3", "2.5", "x", "1e400"])
)
unknown_keys = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda k: k not in WCProduct.model_fields),
    st.one_of(st.none(), st.integers(), st.text(max_size=10), st.lists(st.integers(), max_size=3)),
    max_size=4,
)


@st.composite
def product_payloads(draw: st.DrawFn) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": draw(st.integers(min_value=1, max_value=2**40)),
        "name": draw(texts),
        "type": draw(
            st.sampled_from(["simple", "variable", "grouped", "external", None, "bundle"])
        ),
        "status": draw(st.one_of(st.none(), st.sampled_from(["publish", "draft", "trash", "x"]))),
        "sku": draw(st.one_of(texts, st.just(""))),
        "price": draw(prices),
        "regular_price": draw(prices),
        "sale_price": draw(prices),
        "manage_stock": draw(st.one_of(st.booleans(), st.none(), st.just("parent"))),
        "stock_quantity": draw(quantities),
        "stock_status": draw(st.one_of(texts, st.sampled_from(["instock", "onbackorder"]))),
        "purchasable": draw(st.one_of(st.none(), st.booleans())),
        "date_created_gmt": draw(dates),
        "date_modified_gmt": draw(dates),
        "images": draw(
            st.one_of(st.none(), st.lists(st.fixed_dictionaries({"src": texts}), max_size=3))
        ),
        "variations": draw(st.one_of(st.none(), st.lists(st.integers(1, 10**6), max_size=4))),
    }
    optional = draw(st.sets(st.sampled_from(sorted(k for k in payload if k != "id"))))
    for key in optional:  # any key but `id` may be missing altogether
        payload.pop(key)
    payload.update(draw(unknown_keys))
    return payload


@settings(max_examples=300, deadline=None)
@given(product_payloads())
def test_mapping_never_raises_on_schema_valid_payloads(payload: dict[str, Any]) -> None:
    [product] = PRODUCT_LIST.validate_python([payload])
    result = map_product(product, payload, currency="EUR")
    assert result.id == str(payload["id"])
    assert result.raw is payload  # untouched, not a copy
    assert result.sku != ""
    assert result.price is None or result.price.is_finite()
    assert result.status in ("active", "draft", "archived", "other")
    assert result.stock_status in ("instock", "outofstock", "onbackorder")
    for when in (result.created_at, result.updated_at):
        assert when is None or when.utcoffset() == timedelta(0)
    # What mapping builds is a valid Product, field for field.
    again = gc.Product.model_validate(result.model_dump())
    assert again.model_dump(exclude={"raw"}) == result.model_dump(exclude={"raw"})


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_prices_are_exact_decimals(amount: Decimal) -> None:
    parsed = parse_money(str(amount))
    assert isinstance(parsed, Decimal)
    assert parsed == amount
    assert str(parsed) == str(amount)  # scale kept: "9.50" stays "9.50"


def test_money_is_never_a_float() -> None:
    product = mapped({"id": 1, "price": "0.10", "regular_price": "0.20", "sale_price": "0.10"})
    assert product.price == Decimal("0.10")
    assert isinstance(product.price, Decimal)
    assert product.regular_price is not None
    assert product.regular_price + product.price == Decimal("0.30")  # 0.1 + 0.2 as money


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_prices_are_none(text: str | None) -> None:
    product = mapped({"id": 1, "price": text, "regular_price": text, "sale_price": text})
    assert (product.price, product.regular_price, product.sale_price) == (None, None, None)


@pytest.mark.parametrize("text", ["9,50", "N/A", "NaN", "Infinity", "€9", "1.2.3"])
def test_unreadable_prices_are_none_not_a_guess(text: str) -> None:
    assert parse_money(text) is None


def test_numbers_from_plugins_become_exact_prices() -> None:
    assert parse_money(12) == Decimal("12")
    assert parse_money(9.5) == Decimal("9.5")
    assert parse_money(0.1) == Decimal("0.1")  # the shortest repr, not the binary fraction
    assert parse_money(True) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (7, 7),
        ("7", 7),
        (2.7, 2),
        ("2.5", 2),
        ("x", None),
        ("1e400", None),
    ],
)
def test_quantities(value: Any, expected: int | None) -> None:
    assert parse_quantity(value) == expected


def test_empty_sku_is_none_and_ids_are_strings() -> None:
    product = mapped({"id": 794, "sku": "", "name": "Premium Quality"})
    assert product.sku is None
    assert product.id == "794"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("publish", "active"),
        ("draft", "draft"),
        ("pending", "draft"),
        ("future", "draft"),
        ("private", "other"),
        ("trash", "archived"),
        ("wc-custom", "other"),
        (None, "other"),
    ],
)
def test_statuses(status: str | None, expected: str) -> None:
    assert map_status(status) == expected


def test_plugin_stock_statuses_fall_back_on_purchasable() -> None:
    assert map_stock_status("onbackorder", True) == "onbackorder"
    assert map_stock_status("preorder", True) == "instock"
    assert map_stock_status("preorder", False) == "outofstock"
    assert map_stock_status(None, None) == "instock"


def test_gmt_dates_are_aware_utc() -> None:
    assert parse_gmt("2017-03-23T20:01:14") == datetime(2017, 3, 23, 20, 1, 14, tzinfo=UTC)
    assert parse_gmt("2017-03-23T22:01:14+02:00") == datetime(2017, 3, 23, 20, 1, 14, tzinfo=UTC)
    assert parse_gmt("0000-00-00T00:00:00") is None
    assert parse_gmt(None) is None


def test_local_dates_are_not_used() -> None:
    product = mapped(
        {
            "id": 1,
            "date_created": "2024-01-01T02:00:00",  # the site's wall clock, UTC+2
            "date_created_gmt": "2024-01-01T00:00:00",
            "date_modified_gmt": "2024-02-01T10:00:00",
        }
    )
    assert product.created_at == datetime(2024, 1, 1, tzinfo=UTC)
    assert product.updated_at == datetime(2024, 2, 1, 10, tzinfo=UTC)


def test_images_are_their_urls() -> None:
    product = mapped({"id": 1, "images": [{"id": 3, "src": "https://x/a.jpg"}, {"src": ""}, {}]})
    assert product.images == ["https://x/a.jpg"]


def test_variations_become_variants() -> None:
    raw = {
        "id": 732,
        "sku": "",
        "price": "9.00",
        "regular_price": "9.00",
        "sale_price": "",
        "manage_stock": "parent",
        "stock_quantity": 12,
        "attributes": [{"id": 6, "name": "Color", "option": "Black"}],
    }
    variant = map_variant(WCVariation.model_validate(raw))
    assert variant.id == "732"
    assert variant.sku is None
    assert variant.price == Decimal("9.00")
    assert variant.sale_price is None
    # "parent": the parent product tracks the stock, the variation itself does not.
    assert variant.manage_stock is False
    assert variant.stock_quantity == 12
    assert variant.title == "Black"
    assert variant.inventory_item_id is None


def test_currency_comes_from_the_caller() -> None:
    assert mapped({"id": 1}, currency="JPY").currency == "JPY"
    assert mapped({"id": 1}).currency is None


def test_every_fake_store_product_maps() -> None:
    store = FakeWooCommerceStore(products=300)
    raws = [render_product(store.catalog.get(i), SITE) for i in range(300)]
    products = [
        map_product(p, r, currency="EUR")
        for p, r in zip(PRODUCT_LIST.validate_python(raws), raws, strict=True)
    ]
    by_status = {p.status for p in products}
    assert by_status == {"active", "draft", "other"}  # publish, draft/pending, private
    variable = [
        (p, store.catalog.get(i)) for i, p in enumerate(products) if p.raw["type"] == "variable"
    ]
    assert variable
    for product, record in variable:
        assert product.regular_price is None  # a variable product has no price of its own
        variations = [
            render_variation(record, v, vid, SITE)
            for vid, v in zip(record.variation_ids, record.seed.variants, strict=True)
        ]
        with_variants = map_product(
            WCProduct.model_validate(product.raw),
            product.raw,
            variations=VARIATION_LIST.validate_python(variations),
        )
        assert [v.id for v in with_variants.variants] == [str(i) for i in record.variation_ids]
        assert with_variants.price == min(v.price for v in with_variants.variants if v.price)
