"""The WooCommerce connector against the answers the WooCommerce REST API docs print.

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
    WOO_KEY,
    WOO_SECRET,
    WOO_STORE,
    Replay,
    documented,
)


@pytest.fixture
def woo(http: httpx.AsyncClient) -> gc.BaseConnector[Any]:
    return gc.create_connector(
        {
            "platform": "woocommerce",
            "store_url": WOO_STORE,
            "consumer_key": WOO_KEY,
            "consumer_secret": WOO_SECRET,
            "retry": FAST_RETRY,
        },
        http_client=http,
    )


def assert_no_secret(error: gc.ConnectorError) -> None:
    for text in (str(error), repr(error), error.user_message):
        assert WOO_KEY not in text
        assert WOO_SECRET not in text


# -- store ---------------------------------------------------------------------------------------


async def test_connection_reads_name_version_currency_and_count(
    woo: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("woocommerce_test_connection"):
        result = await woo.test_connection()

    assert result.success, result.error_message
    assert result.error_code is None
    assert result.warnings == []  # header auth worked, /wp-json/ is there
    assert result.platform == "woocommerce"
    assert result.store_name == "Test Blog"  # `name` of the WordPress index
    # X-WP-Total, not the length of the one-item page that came with it
    assert result.products_count == 2
    info = result.store_info
    assert info is not None
    assert info.name == "Test Blog"
    assert info.platform == "woocommerce"
    assert info.platform_version == "3.0.0"  # system_status environment.version
    assert info.currency == "USD"  # system_status settings.currency
    assert info.api_version == "wc/v3"
    assert info.url == WOO_STORE


async def test_connection_with_an_unknown_key_fails_with_the_credentials_message(
    woo: gc.BaseConnector[Any], replay: Replay
) -> None:
    # header auth refused, then query-string auth refused too: the key itself is wrong
    with replay("woocommerce_unknown_key_connection"):
        result = await woo.test_connection()

    assert result.success is False
    assert result.error_code == "invalid_credentials"
    assert result.error_message is not None
    assert "Consumer Key and Secret" in result.error_message
    assert result.store_name is None
    assert result.products_count is None
    assert WOO_SECRET not in result.error_message


async def test_connection_survives_a_stripped_authorization_header(
    woo: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("woocommerce_header_stripped"):
        result = await woo.test_connection()

    assert result.success, result.error_message
    assert result.store_name == "Test Blog"
    assert result.products_count == 2
    assert result.store_info is not None
    assert result.store_info.currency == "USD"
    assert len(result.warnings) == 1
    assert "Authorization header" in result.warnings[0]


# -- products ------------------------------------------------------------------------------------


def assert_premium_quality(product: gc.Product, raw: dict[str, Any]) -> None:
    """Product 794 of the docs: a simple product, $21.99, no SKU, no sale, stock not managed."""
    assert product.id == "794"
    assert product.platform == "woocommerce"
    assert product.name == "Premium Quality"
    assert product.sku is None  # "" in the payload
    assert product.price == Decimal("21.99")
    assert isinstance(product.price, Decimal)
    assert product.regular_price == Decimal("21.99")
    assert product.sale_price is None  # "" in the payload
    assert product.manage_stock is False
    assert product.stock_quantity is None
    assert product.stock_status == "instock"
    assert product.status == "active"  # "publish"
    assert product.images == [
        "https://example.com/wp-content/uploads/2017/03/T_2_front-4.jpg",
        "https://example.com/wp-content/uploads/2017/03/T_2_back-2.jpg",
    ]
    assert product.variants == []
    # the *_gmt fields are the UTC instants; date_created is the site's wall clock
    assert product.created_at == datetime(2017, 3, 23, 20, 1, 14, tzinfo=UTC)
    assert product.updated_at == datetime(2017, 3, 23, 20, 1, 14, tzinfo=UTC)
    assert product.raw == raw


async def test_get_product_maps_the_documented_product(
    woo: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("woocommerce_product_794"):
        product = await woo.get_product("794")

    assert_premium_quality(product, documented("woocommerce_product_794", 1))
    assert product.currency == "USD"  # data/currencies/current, without get_store_info


async def test_product_pages_follow_to_the_last_page(
    woo: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("woocommerce_products_pages"):
        first = await woo.get_products(limit=1)
        assert first.next_cursor is not None
        second = await woo.get_products(cursor=first.next_cursor, limit=1)

    assert first.total_items == 2  # X-WP-Total
    assert [p.id for p in first.products] == ["794"]
    assert_premium_quality(first.products[0], documented("woocommerce_products_pages", 1)[0])

    assert [p.id for p in second.products] == ["799"]
    assert second.next_cursor is None  # page 2 of X-WP-TotalPages 2
    ship = second.products[0]
    assert ship.name == "Ship Your Idea"
    # a variable product has no price or SKU of its own: "" for all of them
    assert ship.price is None
    assert ship.regular_price is None
    assert ship.sale_price is None
    assert ship.sku is None
    assert ship.status == "active"
    assert ship.variants == []  # get_products never fetches variations
    assert len(ship.images) == 4
    assert ship.images[0] == "https://example.com/wp-content/uploads/2017/03/T_4_front-11.jpg"
    assert ship.created_at == datetime(2017, 3, 23, 20, 3, 12, tzinfo=UTC)
    assert ship.raw == documented("woocommerce_products_pages", 2)[0]


async def test_variable_product_comes_with_its_variations(
    woo: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("woocommerce_variable_product_22"):
        product = await woo.get_product("22", include_variants=True)

    assert product.id == "22"
    assert product.price is None
    assert [v.id for v in product.variants] == ["732", "733"]
    for variant in product.variants:
        assert variant.price == Decimal("9.00")
        assert variant.regular_price == Decimal("9.00")
        assert variant.sale_price is None  # ""
        assert variant.sku is None  # ""
        assert variant.manage_stock is False
        assert variant.stock_quantity is None
        assert variant.inventory_item_id is None
    assert [v.title for v in product.variants] == ["Black", "Green"]
    assert product.raw == documented("woocommerce_variable_product_22", 1)


async def test_iter_products_with_variants_lists_the_catalog_once(
    woo: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("woocommerce_iter_products"):
        products = [p async for p in woo.iter_products(include_variants=True)]

    assert [p.id for p in products] == ["22", "794"]
    ship, premium = products
    assert [v.id for v in ship.variants] == ["732", "733"]
    assert all(v.price == Decimal("9.00") for v in ship.variants)
    assert premium.variants == []  # a simple product: no variations request
    assert {p.currency for p in products} == {"USD"}  # read once, for every product
    assert_premium_quality(premium, documented("woocommerce_iter_products", 1)[1])


# -- errors --------------------------------------------------------------------------------------


async def test_unknown_key_is_an_authentication_error(
    woo: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("woocommerce_cannot_view"), pytest.raises(gc.AuthenticationError) as caught:
        await woo.count_products()

    error = caught.value
    assert error.code == "invalid_credentials"
    assert error.status_code == 401
    assert error.platform == "woocommerce"
    assert error.platform_code == "woocommerce_rest_cannot_view"
    assert error.retryable is False
    assert "Consumer Key and Secret" in error.user_message
    assert_no_secret(error)


async def test_wrong_secret_is_an_authentication_error(
    woo: gc.BaseConnector[Any], replay: Replay
) -> None:
    with replay("woocommerce_wrong_secret"), pytest.raises(gc.AuthenticationError) as caught:
        await woo.count_products()

    error = caught.value
    assert error.code == "invalid_credentials"
    assert error.status_code == 401
    assert error.platform_code == "woocommerce_rest_authentication_error"
    assert error.user_message == (
        "Unable to connect to your WooCommerce store. Please check your Consumer Key and Secret."
    )
    assert_no_secret(error)


async def test_unknown_product_is_not_found(woo: gc.BaseConnector[Any], replay: Replay) -> None:
    with replay("woocommerce_product_not_found"), pytest.raises(gc.NotFoundError) as caught:
        await woo.get_product("99999")

    error = caught.value
    assert error.code == "not_found"
    assert error.status_code == 404
    assert error.platform_code == "woocommerce_rest_product_invalid_id"
    assert error.user_message == "That item does not exist in your WooCommerce store."
    assert_no_secret(error)
