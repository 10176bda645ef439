"""The Shopify REST connector against the answers Shopify's REST Admin API reference prints.

Each test replays one cassette (see its header for the doc page) through a plain
`httpx.AsyncClient` and checks what the documentation implies the SDK must make of it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

import g4hub_connectors as gc
from tests.connectors.recorded.conftest import (
    FAST_RETRY,
    SHOPIFY_STORE,
    SHOPIFY_TOKEN,
    Replay,
    documented,
)

DOCS_VERSION = "2025-07"
"""The version of the REST Admin API reference the cassettes' examples come from."""


def shopify(http: httpx.AsyncClient, api_version: str = DOCS_VERSION) -> gc.BaseConnector[Any]:
    return gc.create_connector(
        {
            "platform": "shopify",
            "store_url": SHOPIFY_STORE,
            "access_token": SHOPIFY_TOKEN,
            "api_version": api_version,
            "api": "rest",
            "retry": FAST_RETRY,
        },
        http_client=http,
    )


@pytest.fixture
def shop(http: httpx.AsyncClient) -> gc.BaseConnector[Any]:
    return shopify(http)


def assert_no_secret(text: str) -> None:
    assert SHOPIFY_TOKEN not in text


# -- store ---------------------------------------------------------------------------------------


async def test_connection_reads_the_shop_and_the_count(
    shop: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("shopify_test_connection"):
        result = await shop.test_connection()

    assert result.success, result.error_message
    assert result.platform == "shopify"
    assert result.store_name == "John Smith Test Store"
    assert result.products_count == 2  # products/count.json
    assert result.warnings == []  # X-Shopify-API-Version is the version asked for
    info = result.store_info
    assert info is not None
    assert info.name == "John Smith Test Store"
    assert info.currency == "USD"
    # an integer in the JSON; ids are strings end to end
    assert info.primary_location_id == "655441491"
    assert info.api_version == DOCS_VERSION
    assert info.url == SHOPIFY_STORE


async def test_served_version_differing_from_the_requested_one_is_a_warning(
    http: httpx.AsyncClient, replay: Replay
) -> None:
    connector = shopify(http, api_version="2024-07")
    with replay("shopify_version_fall_forward"):
        result = await connector.test_connection()

    assert result.success, result.error_message
    assert result.store_name == "John Smith Test Store"
    assert result.products_count == 2
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert "2024-07" in warning
    assert "2025-07" in warning
    assert connector.warnings() == result.warnings


# -- products ------------------------------------------------------------------------------------


async def test_product_pages_follow_the_link_header(
    shop: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("shopify_products_pages"):
        first = await shop.get_products(limit=1)
        assert first.next_cursor is not None
        second = await shop.get_products(cursor=first.next_cursor, limit=1)

    assert [p.id for p in first.products] == ["632910392"]
    nano = first.products[0]
    assert nano.platform == "shopify"
    assert nano.name == "IPod Nano - 8GB"
    assert nano.status == "active"
    # the first variant's SKU and price stand for the product
    assert nano.sku == "IPOD2008PINK"
    assert nano.price == Decimal("199.00")
    assert isinstance(nano.price, Decimal)
    # REST products have no currency: the shop's, read once for both pages
    assert nano.currency == "USD"
    # compare_at_price null: no sale
    assert nano.regular_price == Decimal("199.00")
    assert nano.sale_price is None
    assert nano.stock_status == "instock"
    # all four variants are tracked by Shopify: 10 + 20 + 30 + 40
    assert nano.manage_stock is True
    assert nano.stock_quantity == 100
    assert nano.images == [
        "https://cdn.shopify.com/s/files/1/0005/4838/0009/products/ipod-nano.png?v=1735835399",
        "https://cdn.shopify.com/s/files/1/0005/4838/0009/products/ipod-nano-2.png?v=1735835399",
        "https://cdn.shopify.com/s/files/1/0005/4838/0009/products/ipod-nano.png?v=1735835399",
    ]
    assert [v.id for v in nano.variants] == ["808950810", "49148385", "39072856", "457924702"]
    assert [v.sku for v in nano.variants] == [
        "IPOD2008PINK",
        "IPOD2008RED",
        "IPOD2008GREEN",
        "IPOD2008BLACK",
    ]
    assert [v.stock_quantity for v in nano.variants] == [10, 20, 30, 40]
    assert [v.inventory_item_id for v in nano.variants] == [
        "808950810",
        "49148385",
        "39072856",
        "457924702",
    ]
    assert all(v.price == Decimal("199.00") and v.manage_stock for v in nano.variants)
    assert nano.created_at == datetime(2025, 7, 2, 16, 29, 59, tzinfo=UTC)
    assert nano.updated_at == datetime(2025, 7, 2, 16, 29, 59, tzinfo=UTC)
    assert nano.raw == documented("shopify_products_pages", 0)["products"][0]

    assert [p.id for p in second.products] == ["921728736"]
    touch = second.products[0]
    assert touch.name == "IPod Touch 8GB"
    assert touch.sku == "IPOD2009BLACK"
    assert touch.stock_quantity == 13
    assert touch.currency == "USD"
    assert touch.images == []
    assert [v.inventory_item_id for v in touch.variants] == ["447654529"]
    # only rel="previous" is left: the listing is over
    assert second.next_cursor is None


async def test_iter_products_reads_the_documented_list(
    shop: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("shopify_iter_products"):
        products = [p async for p in shop.iter_products()]

    assert [p.id for p in products] == ["632910392", "921728736"]
    assert [p.stock_quantity for p in products] == [100, 13]
    assert [p.sku for p in products] == ["IPOD2008PINK", "IPOD2009BLACK"]
    # a listing that never asked for the store's info still carries the shop's currency
    assert [p.currency for p in products] == ["USD", "USD"]
    documented_list = documented("shopify_iter_products", 0)["products"]
    assert [p.raw for p in products] == documented_list


async def test_draft_product_without_sku_or_tracking(
    shop: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("shopify_product_draft"):
        product = await shop.get_product("1072481050")

    assert product.id == "1072481050"
    assert product.name == "Burton Custom Freestyle 151"
    assert product.status == "draft"
    assert product.sku is None  # "" in the payload
    assert product.price == Decimal("0.00")
    assert product.currency == "USD"
    # inventory_management null: nothing is tracked, so there is no stock figure
    assert product.manage_stock is False
    assert product.stock_quantity is None
    assert product.images == []
    [variant] = product.variants
    assert variant.id == "1070325028"
    assert variant.sku is None
    assert variant.manage_stock is False
    assert variant.inventory_item_id == "1070325028"
    assert product.raw == documented("shopify_product_draft", 0)["product"]


# -- errors --------------------------------------------------------------------------------------


async def test_invalid_token_fails_the_connection_test(
    shop: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("shopify_unauthorized"):
        result = await shop.test_connection()

    assert result.success is False
    assert result.error_code == "invalid_credentials"
    assert result.error_message is not None
    assert "access token" in result.error_message
    assert_no_secret(result.error_message)


async def test_invalid_token_is_an_authentication_error(
    shop: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("shopify_unauthorized"), pytest.raises(gc.AuthenticationError) as caught:
        await shop.get_store_info()

    error = caught.value
    assert error.code == "invalid_credentials"
    assert error.status_code == 401
    assert error.platform == "shopify"
    assert_no_secret(str(error))
    assert_no_secret(error.user_message)


async def test_missing_read_products_scope_is_named(
    shop: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("shopify_missing_scope"):
        info = await shop.get_store_info()
        with pytest.raises(gc.PermissionDeniedError) as caught:
            await shop.count_products()

    assert info.name == "John Smith Test Store"
    error = caught.value
    assert error.code == "permission_denied"
    assert error.status_code == 403
    assert error.missing_scopes == ("read_products",)
    assert error.user_message == (
        "Your Shopify access token doesn't have required permissions. "
        "Please regenerate with 'read_products' scope."
    )


async def test_missing_scope_fails_the_connection_test_with_the_scope(
    shop: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("shopify_missing_scope"):
        result = await shop.test_connection()

    assert result.success is False
    assert result.error_code == "permission_denied"
    assert result.error_message is not None
    assert "'read_products'" in result.error_message


async def test_unknown_product_is_not_found(shop: gc.BaseConnector[Any], replay: Replay) -> None:
    with replay("shopify_product_not_found"), pytest.raises(gc.NotFoundError) as caught:
        await shop.get_product("99999")

    assert caught.value.code == "not_found"
    assert caught.value.status_code == 404
    assert caught.value.platform == "shopify"


async def test_429_is_retried_then_raised_with_retry_after(
    shop: gc.BaseConnector[Any], replay: Replay
) -> None:
    # FAST_RETRY allows two attempts: the cassette holds two 429s and both must be asked for.
    with replay("shopify_rate_limited"), pytest.raises(gc.RateLimitedError) as caught:
        await shop.count_products()

    error = caught.value
    assert error.code == "rate_limited"
    assert error.status_code == 429
    assert error.retry_after == 2.0  # Retry-After: 2.0, a float in seconds
    assert error.retryable is True
