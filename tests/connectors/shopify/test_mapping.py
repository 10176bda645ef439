"""Shopify REST payloads → the normalized product (DESIGN.md's Shopify rules)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pydantic_core
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from g4hub_connectors.models import Product
from g4hub_connectors.shopify.mapping import map_product, map_products, map_store_info
from g4hub_connectors.shopify.payloads import ShopPayload, product_adapter, product_list_adapter
from g4hub_connectors.shopify.prices import money

BIG = 2**53 + 1  # the first integer a float cannot hold


def variant(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 1,
        "title": "Default Title",
        "price": "10.00",
        "compare_at_price": None,
        "sku": "SKU-1",
        "inventory_item_id": 11,
        "inventory_management": "shopify",
        "inventory_policy": "deny",
        "inventory_quantity": 5,
    }
    return {**base, **fields}


def product(*variants: dict[str, Any], **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 100,
        "title": "Mug",
        "status": "active",
        "created_at": "2025-07-02T11:36:28-05:00",
        "updated_at": "2025-07-02T11:36:28-05:00",
        "variants": list(variants) if variants else [variant()],
        "images": [{"src": "https://cdn.shopify.com/a.jpg"}],
    }
    return {**base, **fields}


def mapped(raw: dict[str, Any], currency: str | None = None) -> Product:
    return map_product(product_adapter.validate_python(raw), raw, currency=currency)


# -- prices ---------------------------------------------------------------------------------------


def test_price_and_sku_are_the_first_variants() -> None:
    p = mapped(product(variant(price="12.50", sku="A"), variant(id=2, price="99.00", sku="B")))
    assert p.price == Decimal("12.50")
    assert p.sku == "A"
    assert [v.sku for v in p.variants] == ["A", "B"]


def test_compare_at_above_price_is_a_sale() -> None:
    p = mapped(product(variant(price="8.00", compare_at_price="10.00")))
    assert (p.price, p.regular_price, p.sale_price) == (
        Decimal("8.00"),
        Decimal("10.00"),
        Decimal("8.00"),
    )


@pytest.mark.parametrize("compare_at", [None, "", "8.00", "10.00"])
def test_compare_at_not_above_price_is_no_sale(compare_at: str | None) -> None:
    p = mapped(product(variant(price="10.00", compare_at_price=compare_at)))
    assert p.regular_price == Decimal("10.00")
    assert p.sale_price is None


def test_empty_strings_become_none() -> None:
    p = mapped(product(variant(price="", sku="", compare_at_price="")))
    assert p.price is None
    assert p.regular_price is None
    assert p.sku is None
    assert p.variants[0].sku is None


def test_money_is_decimal_never_float() -> None:
    p = mapped(product(variant(price="0.10")))
    assert isinstance(p.price, Decimal)
    assert p.price == Decimal("0.10")
    assert money(0.1) == Decimal("0.1")  # a float's binary digits never reach the Decimal


# -- stock ----------------------------------------------------------------------------------------


def test_stock_is_summed_over_tracked_variants_only() -> None:
    p = mapped(
        product(
            variant(id=1, inventory_quantity=3),
            variant(id=2, inventory_quantity=4),
            variant(id=3, inventory_management=None, inventory_quantity=50),
        )
    )
    assert p.stock_quantity == 7
    assert p.manage_stock is True
    assert [v.stock_quantity for v in p.variants] == [3, 4, None]
    assert [v.manage_stock for v in p.variants] == [True, True, False]


def test_no_tracked_variant_means_no_stock_quantity() -> None:
    p = mapped(product(variant(inventory_management=None, inventory_quantity=9)))
    assert p.stock_quantity is None
    assert p.manage_stock is False
    assert p.stock_status == "instock"


@pytest.mark.parametrize(
    ("variants", "status"),
    [
        ([variant(inventory_quantity=0), variant(id=2, inventory_quantity=2)], "instock"),
        ([variant(inventory_quantity=0), variant(id=2, inventory_management=None)], "instock"),
        ([variant(inventory_quantity=0), variant(id=2, inventory_quantity=-3)], "outofstock"),
        (
            [
                variant(inventory_quantity=0, inventory_policy="continue"),
                variant(id=2, inventory_quantity=0),
            ],
            "onbackorder",
        ),
        ([variant(inventory_quantity=None)], "outofstock"),
    ],
)
def test_stock_status_is_derived(variants: list[dict[str, Any]], status: str) -> None:
    assert mapped(product(*variants)).stock_status == status


def test_a_product_without_variants() -> None:
    p = mapped(product(variants=[]) | {"variants": []})
    assert p.variants == []
    assert p.price is None
    assert p.sku is None
    assert p.stock_quantity is None
    assert p.manage_stock is False
    assert p.stock_status == "outofstock"


# -- the rest -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shopify", "ours"),
    [
        ("active", "active"),
        ("draft", "draft"),
        ("archived", "archived"),
        ("unlisted", "other"),
        (None, "other"),
    ],
)
def test_status(shopify: str | None, ours: str) -> None:
    assert mapped(product(status=shopify)).status == ours


def test_images_are_their_urls() -> None:
    p = mapped(
        product(images=[{"src": "https://x/1.jpg", "alt": None}, {"src": None}, {"src": ""}, {}])
    )
    assert p.images == ["https://x/1.jpg"]


def test_ids_above_2_53_stay_exact_from_json_text() -> None:
    text = json.dumps(
        {"products": [{"id": BIG, "variants": [{"id": BIG + 2, "inventory_item_id": BIG + 4}]}]}
    )
    assert str(BIG) in text
    for decoded in (json.loads(text), pydantic_core.from_json(text)):
        raws = decoded["products"]
        (p,) = map_products(product_list_adapter.validate_python(raws), raws)
        assert p.id == str(BIG)
        assert p.variants[0].id == str(BIG + 2)
        assert p.variants[0].inventory_item_id == str(BIG + 4)
        assert float(p.id) != BIG  # the id a float-parsing client would get is wrong


def test_currency_comes_from_the_caller_and_raw_is_untouched() -> None:
    raw = product(extra_field={"nested": [1, 2]})
    snapshot = json.dumps(raw, sort_keys=True)
    p = mapped(raw, currency="EUR")
    assert p.currency == "EUR"
    assert p.raw == raw
    assert json.dumps(raw, sort_keys=True) == snapshot


def test_store_info() -> None:
    shop = ShopPayload.model_validate(
        {
            "id": BIG,
            "name": "Shop",
            "domain": "shop.example",
            "myshopify_domain": "shop.myshopify.com",
            "currency": "USD",
            "primary_location_id": BIG + 2,
            "plan_name": "basic",
            "iana_timezone": "America/New_York",
            "shop_owner": "someone",
        }
    )
    info = map_store_info(shop, url="https://shop.myshopify.com", api_version="2026-10")
    assert info.primary_location_id == str(BIG + 2)
    assert info.extra["shop_id"] == str(BIG)
    assert (info.name, info.currency, info.plan, info.timezone) == (
        "Shop",
        "USD",
        "basic",
        "America/New_York",
    )
    assert "someone" not in info.model_dump_json()  # the owner's name is personal data


# -- any payload the REST schema allows -----------------------------------------------------------

ids = st.integers(min_value=1, max_value=2**63 - 1)
maybe_text = st.none() | st.just("") | st.just("   ") | st.text(max_size=20)
prices = (
    st.none()
    | st.just("")
    | st.decimals(
        min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False
    ).map(str)
)
# Shopify writes seconds and a whole-minute offset (the shop's zone), or Z.
EARLIEST, LATEST = datetime(2006, 1, 1), datetime(2100, 1, 1)  # noqa: DTZ001 (hypothesis wants naive bounds)
offsets = st.sampled_from(
    [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
)
timestamps = (
    st.none()
    | st.just("")
    | st.datetimes(EARLIEST, LATEST, timezones=offsets).map(
        lambda d: d.isoformat(timespec="seconds")
    )
    | st.datetimes(EARLIEST, LATEST, timezones=st.just(UTC)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
)
unknown = st.dictionaries(
    st.text(min_size=1, max_size=8).map(lambda k: f"x_{k}"),
    st.none() | st.integers() | st.text(max_size=5) | st.lists(st.integers(), max_size=2),
    max_size=3,
)

variants = st.fixed_dictionaries(
    {"id": ids},
    optional={
        "title": maybe_text,
        "sku": maybe_text,
        "price": prices,
        "compare_at_price": prices,
        "inventory_item_id": st.none() | ids,
        "inventory_management": st.none() | st.sampled_from(["shopify", "", "amazon_fba"]),
        "inventory_policy": st.none() | st.sampled_from(["deny", "continue", "other"]),
        "inventory_quantity": st.none() | st.integers(min_value=-1000, max_value=10**6),
        "position": st.none() | st.integers(min_value=1, max_value=100),
    },
).flatmap(lambda v: unknown.map(lambda extra: {**extra, **v}))

products = st.fixed_dictionaries(
    {"id": ids},
    optional={
        "title": maybe_text,
        "status": st.none() | st.sampled_from(["active", "draft", "archived", "unlisted", ""]),
        "created_at": timestamps,
        "updated_at": timestamps,
        "published_at": timestamps,
        "body_html": maybe_text,
        "variants": st.none() | st.lists(variants, max_size=5),
        "images": st.none()
        | st.lists(
            st.fixed_dictionaries({}, optional={"src": maybe_text, "alt": maybe_text}), max_size=3
        ),
        "options": st.none()
        | st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=4)), max_size=2),
    },
).flatmap(lambda p: unknown.map(lambda extra: {**extra, **p}))


@settings(max_examples=300, deadline=None)
@given(st.lists(products, max_size=4))
def test_mapping_never_fails_on_what_the_schema_allows(raws: list[dict[str, Any]]) -> None:
    # Through JSON text, as a store sends it: ids and prices as Shopify writes them.
    decoded = pydantic_core.from_json(json.dumps(raws))
    result = map_products(product_list_adapter.validate_python(decoded), decoded, currency="EUR")
    assert len(result) == len(raws)
    for raw, p in zip(raws, result, strict=True):
        assert p.id == str(raw["id"])
        assert p.raw == raw
        assert p.sku != ""
        tracked = [v for v in raw.get("variants") or [] if v.get("inventory_management")]
        expected = sum(v.get("inventory_quantity") or 0 for v in tracked) if tracked else None
        assert p.stock_quantity == expected
        assert p.manage_stock == bool(tracked)
        assert [v.id for v in p.variants] == [str(v["id"]) for v in raw.get("variants") or []]
        assert all(isinstance(v.price, Decimal | None) for v in p.variants)
        if p.sale_price is not None:
            assert p.regular_price is not None
            assert p.regular_price > p.sale_price
