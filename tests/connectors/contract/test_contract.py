"""What every connector promises, whatever its platform (DESIGN.md: the SDK contract)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeStore

from .conftest import FAKE_STORES, StoreFactory, connect

Connector = gc.BaseConnector[Any]


def secrets_of(store: FakeStore) -> list[str]:
    creds = store.credentials()
    return [
        str(v)
        for k, v in creds.items()
        if k in ("consumer_key", "consumer_secret", "access_token", "client_secret") and v
    ]


# -- connection test ------------------------------------------------------------------------------


async def test_connection_reports_the_store(store: FakeStore, connector: Connector) -> None:
    result = await connector.test_connection()
    assert result.success, result.error_message
    assert result.platform == connector.platform
    assert result.store_name
    assert result.products_count == len(store.product_ids())
    assert result.store_info is not None
    assert result.error_code is None
    assert result.error_message is None


async def test_wrong_credentials_fail_with_the_seed_message(store: FakeStore) -> None:
    async with gc.create_connector(store.wrong_credentials(), http_client=store.http_client()) as c:
        result = await c.test_connection()
    assert not result.success
    assert result.error_code == "invalid_credentials"
    assert result.error_message is not None
    assert result.error_message.startswith("Unable to connect to your")
    assert "Please check your" in result.error_message


async def test_wrong_credentials_raise_authentication_error(store: FakeStore) -> None:
    async with gc.create_connector(store.wrong_credentials(), http_client=store.http_client()) as c:
        with pytest.raises(gc.AuthenticationError) as caught:
            await c.count_products()
    assert caught.value.code == "invalid_credentials"
    assert caught.value.platform == c.platform
    assert caught.value.status_code == 401
    assert not caught.value.retryable


async def test_a_dead_store_fails_the_test_with_a_message(store: FakeStore) -> None:
    store.inject("status", status=503, times=None)
    async with connect(store) as c:
        result = await c.test_connection()
    assert not result.success
    assert result.error_code == "platform_unavailable"
    assert result.error_message


# -- reading --------------------------------------------------------------------------------------


async def test_count_matches_the_catalog(store: FakeStore, connector: Connector) -> None:
    assert await connector.count_products() == len(store.product_ids())


async def test_pages_follow_cursors_to_the_end(store: FakeStore, connector: Connector) -> None:
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await connector.get_products(cursor=cursor, limit=10)
        pages += 1
        assert len(page.products) <= 10
        seen.extend(p.id for p in page.products)
        cursor = page.next_cursor
        if cursor is None:
            break
        assert isinstance(cursor, str)
    assert sorted(seen) == sorted(store.product_ids())
    assert pages == 4  # 37 products, 10 a page


async def test_iter_products_yields_each_product_once(
    store: FakeStore, connector: Connector
) -> None:
    ids = [p.id async for p in connector.iter_products()]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(store.product_ids())


async def test_products_are_normalized(connector: Connector) -> None:
    products = [p async for p in connector.iter_products()]
    assert {p.platform for p in products} == {connector.platform}
    for product in products:
        assert isinstance(product.id, str)
        assert product.name
        assert product.price is None or isinstance(product.price, Decimal)
        assert product.sku != ""
        assert product.stock_status in ("instock", "outofstock", "onbackorder")
        assert product.status in ("active", "draft", "archived", "other")
        assert all(isinstance(url, str) and url.startswith("http") for url in product.images)
        assert product.raw  # the platform's JSON, untouched
        assert product.updated_at is None or product.updated_at.tzinfo is not None


async def test_updated_since_returns_only_changed_products(
    store: FakeStore, connector: Connector
) -> None:
    since = datetime(2024, 6, 1, tzinfo=UTC)
    expected = store.ids_updated_since(since)
    assert 0 < len(expected) < len(store.product_ids())
    got = [p.id async for p in connector.iter_products(updated_since=since)]
    assert sorted(got) == sorted(expected)


async def test_variants_are_included_on_request(store: FakeStore, connector: Connector) -> None:
    variable = store.variable_product_ids()
    assert variable, "the generated catalog has variable products"
    products = {p.id: p async for p in connector.iter_products(include_variants=True)}
    for product_id in variable:
        variants = products[product_id].variants
        assert len(variants) >= 2
        assert all(isinstance(v.id, str) for v in variants)


async def test_get_product_matches_the_listing(store: FakeStore, connector: Connector) -> None:
    listed = {p.id: p async for p in connector.iter_products(include_variants=True)}
    some_id = sorted(store.variable_product_ids())[0]
    fetched = await connector.get_product(some_id)
    assert fetched.model_dump(exclude={"raw"}) == listed[some_id].model_dump(exclude={"raw"})


async def test_missing_product_is_not_found(connector: Connector) -> None:
    with pytest.raises(gc.NotFoundError) as caught:
        await connector.get_product("999999999")
    assert caught.value.code == "not_found"
    assert caught.value.status_code == 404


async def test_deleted_products_disappear(store: FakeStore, connector: Connector) -> None:
    gone = store.product_ids()[3]
    store.delete_product(gone)
    ids = {p.id async for p in connector.iter_products()}
    assert gone not in ids
    assert len(ids) == 36
    with pytest.raises(gc.NotFoundError):
        await connector.get_product(gone)


async def test_store_info(connector: Connector) -> None:
    info = await connector.get_store_info()
    assert info.platform == connector.platform
    assert info.name
    assert info.currency
    assert info.api_version


# -- writing --------------------------------------------------------------------------------------


async def first_simple_product(store: FakeStore, connector: Connector) -> str:
    variable = store.variable_product_ids()
    async for product in connector.iter_products():
        if product.id not in variable:
            return product.id
    raise AssertionError("the catalog has no simple product")


async def test_update_price_and_stock(store: FakeStore, connector: Connector) -> None:
    product_id = await first_simple_product(store, connector)
    update = gc.ProductUpdate(price=Decimal("9.50"), stock_quantity=4, manage_stock=True)
    updated = await connector.update_product(product_id, update)
    assert updated.id == product_id
    assert updated.regular_price == Decimal("9.50")
    assert updated.stock_quantity == 4
    assert updated.manage_stock
    again = await connector.get_product(product_id)
    assert again.regular_price == Decimal("9.50")
    assert again.stock_quantity == 4


async def test_sale_price_starts_and_ends_a_sale(store: FakeStore, connector: Connector) -> None:
    product_id = await first_simple_product(store, connector)
    on_sale = await connector.update_product(
        product_id, gc.ProductUpdate(price=Decimal("20.00"), sale_price=Decimal("15.00"))
    )
    assert on_sale.price == Decimal("15.00")
    assert on_sale.regular_price == Decimal("20.00")
    assert on_sale.sale_price == Decimal("15.00")
    ended = await connector.update_product(product_id, gc.ProductUpdate(sale_price=None))
    assert ended.price == Decimal("20.00")
    assert ended.sale_price is None


async def test_updating_a_missing_product_is_not_found(connector: Connector) -> None:
    with pytest.raises(gc.NotFoundError):
        await connector.update_product("999999999", gc.ProductUpdate(stock_quantity=1))


# -- faults ---------------------------------------------------------------------------------------


async def test_passing_server_errors_are_retried(store: FakeStore, connector: Connector) -> None:
    fault = store.inject("status", status=503, times=2)
    assert await connector.count_products() == len(store.product_ids())
    assert fault.fired == 2


async def test_lasting_server_errors_end_as_platform_unavailable(
    store: FakeStore, connector: Connector
) -> None:
    fault = store.inject("status", status=502, times=None)
    with pytest.raises(gc.PlatformUnavailableError) as caught:
        await connector.count_products()
    assert caught.value.retryable
    assert fault.fired == 3  # the bounded number of attempts


async def test_a_429_storm_ends_as_rate_limited(store: FakeStore, connector: Connector) -> None:
    store.inject("status", status=429, times=None, headers=[("Retry-After", "0.01")])
    with pytest.raises(gc.RateLimitedError) as caught:
        await connector.count_products()
    assert caught.value.retry_after == pytest.approx(0.01)
    assert caught.value.code == "rate_limited"


async def test_a_short_429_burst_is_absorbed(store: FakeStore, connector: Connector) -> None:
    store.inject("status", status=429, times=2, headers=[("Retry-After", "0.01")])
    assert await connector.count_products() == len(store.product_ids())


@pytest.mark.parametrize("kind", ["html", "truncated", "empty"])
async def test_unreadable_answers_say_what_came_back(
    store: FakeStore, connector: Connector, kind: Any
) -> None:
    store.inject(kind, status=200, times=None, path="products")
    with pytest.raises(gc.UnexpectedResponseError) as caught:
        await connector.get_products()
    words = {"html": "HTML page", "truncated": "cut off", "empty": "empty body"}[kind]
    assert words in str(caught.value)
    assert caught.value.user_message


async def test_dropped_connections_end_as_platform_unavailable(
    store: FakeStore, connector: Connector
) -> None:
    store.inject("drop", times=None, path="products")
    with pytest.raises(gc.PlatformUnavailableError, match="dropped"):
        await connector.get_products()


async def test_a_hung_store_times_out_within_the_timeout(store: FakeStore) -> None:
    store.inject("hang", times=None, path="products")
    retry = {"max_attempts": 2, "initial_delay": 0.001, "max_delay": 0.01}
    async with gc.create_connector(
        store.credentials(timeout=0.2, retry=retry), http_client=store.http_client()
    ) as c:
        async with asyncio.timeout(5):
            with pytest.raises(gc.ConnectorTimeoutError) as caught:
                await c.get_products()
    assert caught.value.code == "timeout"


# -- secrets --------------------------------------------------------------------------------------


async def test_secrets_never_show(
    store: FakeStore, connector: Connector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = secrets_of(store)
    assert secrets
    shown = [repr(connector), repr(connector.config), str(connector.config)]
    await connector.test_connection()
    store.inject("status", status=500, times=None)
    try:
        await connector.get_products()
    except gc.ConnectorError as exc:
        shown += [str(exc), repr(exc), exc.user_message]
    async with gc.create_connector(store.wrong_credentials(), http_client=store.http_client()) as c:
        result = await c.test_connection()
        shown.append(result.model_dump_json())
    shown.append(caplog.text)
    for secret in secrets:
        for text in shown:
            assert secret not in text


def test_config_errors_do_not_echo_secrets(store: FakeStore) -> None:
    creds = store.credentials()
    creds.pop("store_url")
    with pytest.raises(gc.InvalidConfigError) as caught:
        gc.create_connector(creds)
    assert "store_url" in str(caught.value)
    for secret in secrets_of(store):
        assert secret not in str(caught.value)


# -- over a real socket ---------------------------------------------------------------------------


async def test_works_over_a_loopback_port(make_store: StoreFactory) -> None:
    store = make_store(products=25)
    with store.serve() as url:
        assert url.startswith("http://127.0.0.1:")
        async with gc.create_connector(store.credentials()) as c:
            result = await c.test_connection()
            ids = [p.id async for p in c.iter_products()]
    assert result.success, result.error_message
    assert result.products_count == 25
    assert sorted(ids) == sorted(store.product_ids())


# -- pagination, for any catalog and page size ----------------------------------------------------


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
