"""The Shopify connector end to end against the fake store: listing, reading, updating."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeShopifyStore
from g4hub_connectors.testing.shopify._catalog import (
    PRIMARY_LOCATION,
    WAREHOUSE_LOCATION,
    VariantState,
    product_index,
)

from .conftest import connect, secrets_of


@pytest.fixture
def store() -> FakeShopifyStore:
    return FakeShopifyStore(products=40)


def variants_of(store: FakeShopifyStore, product_id: str) -> list[VariantState]:
    index = product_index(product_id)
    assert index is not None
    return list(store.catalog.state(index).variants)


def simple_ids(store: FakeShopifyStore) -> list[str]:
    variable = store.variable_product_ids()
    return [i for i in store.product_ids() if i not in variable]


# -- reading --------------------------------------------------------------------------------------


async def test_get_products_caps_the_limit_and_follows_cursors() -> None:
    store = FakeShopifyStore(products=260)
    async with connect(store) as connector:
        first = await connector.get_products(limit=1000)
        assert len(first.products) == 250
        assert first.next_cursor is not None
        second = await connector.get_products(cursor=first.next_cursor, limit=1000)
    assert len(second.products) == 10
    assert second.next_cursor is None
    assert first.total_items is None  # Shopify's listing does not say
    seen = [p.id for p in first.products + second.products]
    assert seen == store.product_ids()
    next_page = [r for r in store.requests if r.path.endswith("products.json")][1]
    assert sorted(k for k, _ in next_page.query) == ["limit", "page_info"]


async def test_a_cursor_from_elsewhere_is_refused(store: FakeShopifyStore) -> None:
    async with connect(store) as connector:
        with pytest.raises(gc.InvalidRequestError):
            await connector.get_products(cursor="!!not-a-cursor!!")


async def test_iter_products_asks_250_a_page_and_follows_link_headers() -> None:
    store = FakeShopifyStore(products=600)
    async with connect(store) as connector:
        ids = [p.id async for p in connector.iter_products()]
    assert ids == store.product_ids()
    pages = [r for r in store.requests if r.path.endswith("products.json")]
    assert len(pages) == 3
    assert all(dict(r.query)["limit"] == "250" for r in pages)


async def test_updated_since_is_exclusive_to_the_second(store: FakeShopifyStore) -> None:
    some = store.catalog.meta(7)[1]  # a product's exact updated_at
    async with connect(store) as connector:
        got = {p.id async for p in connector.iter_products(updated_since=some)}
        naive = {
            p.id async for p in connector.iter_products(updated_since=some.replace(tzinfo=None))
        }
    assert got == store.ids_updated_since(some)
    assert store.product_ids()[7] not in got
    assert naive == got  # a naive datetime is read as UTC
    first = next(r for r in store.requests if r.path.endswith("products.json"))
    assert dict(first.query)["updated_at_min"] == some.astimezone(UTC).isoformat()


async def test_every_product_carries_the_shops_currency_read_once() -> None:
    store = FakeShopifyStore(products=40, currency="COP")
    async with connect(store) as connector:
        # A sync lists without ever asking for the store's info.
        listed = [p.currency async for p in connector.iter_products()]
        page = await connector.get_products(limit=2)
        one = await connector.get_product(store.product_ids()[0])
        await connector.test_connection()
    assert set(listed) == {"COP"}
    assert {p.currency for p in page.products} == {"COP"}
    assert one.currency == "COP"
    assert store.count_requests("shop.json") == 2  # once for the products, once for the test


async def test_a_failed_listing_fails_on_its_own_request() -> None:
    store = FakeShopifyStore(products=5, scopes={"read_locations"})
    async with connect(store) as connector:
        with pytest.raises(gc.PermissionDeniedError):
            await connector.get_products()
    assert store.count_requests("shop.json") == 0


async def test_get_product_takes_gids_and_has_variants(store: FakeShopifyStore) -> None:
    variable = sorted(store.variable_product_ids())[0]
    async with connect(store) as connector:
        by_gid = await connector.get_product(f"gid://shopify/Product/{variable}")
    assert by_gid.id == variable
    assert len(by_gid.variants) == len(variants_of(store, variable)) >= 2
    assert all(int(v.id) > 2**53 for v in by_gid.variants)


async def test_store_info(store: FakeShopifyStore) -> None:
    async with connect(store) as connector:
        info = await connector.get_store_info()
    assert info.name == "G4 Fake Shopify Store"
    assert info.primary_location_id == str(PRIMARY_LOCATION)
    assert info.currency == "EUR"
    assert info.plan == "shopify_plus"
    assert info.timezone == "America/Bogota"
    assert info.extra["myshopify_domain"] == "fake-store.myshopify.com"


# -- updating -------------------------------------------------------------------------------------


async def test_price_on_a_variant_without_sale(store: FakeShopifyStore) -> None:
    product_id = next(i for i in simple_ids(store) if not _on_sale(store, i))
    async with connect(store) as connector:
        updated = await connector.update_product(product_id, gc.ProductUpdate(price=Decimal("9.5")))
    assert (updated.price, updated.regular_price, updated.sale_price) == (
        Decimal("9.50"),
        Decimal("9.50"),
        None,
    )
    assert store.count_requests("inventory") == 0  # only what changed is sent


def _on_sale(store: FakeShopifyStore, product_id: str) -> bool:
    index = product_index(product_id)
    assert index is not None
    return store.catalog.state(index).variants[0].compare_at_price is not None


async def test_price_during_a_sale_moves_the_compare_at_price(store: FakeShopifyStore) -> None:
    product_id = next(i for i in simple_ids(store) if not _on_sale(store, i))
    async with connect(store) as connector:
        await connector.update_product(
            product_id, gc.ProductUpdate(price=Decimal("50"), sale_price=Decimal("40"))
        )
        raised = await connector.update_product(product_id, gc.ProductUpdate(price=Decimal("60")))
        below = await connector.update_product(product_id, gc.ProductUpdate(price=Decimal("30")))
    assert (raised.regular_price, raised.sale_price) == (Decimal("60.00"), Decimal("40.00"))
    # A regular price under the sale price ends the sale.
    assert (below.price, below.regular_price, below.sale_price) == (
        Decimal("30.00"),
        Decimal("30.00"),
        None,
    )


async def test_sale_starts_from_the_current_regular_price_and_ends(
    store: FakeShopifyStore,
) -> None:
    product_id = next(i for i in simple_ids(store) if not _on_sale(store, i))
    async with connect(store) as connector:
        regular = (await connector.get_product(product_id)).regular_price
        assert regular is not None
        sale = (regular / 2).quantize(Decimal("0.01"))
        started = await connector.update_product(product_id, gc.ProductUpdate(sale_price=sale))
        ended = await connector.update_product(product_id, gc.ProductUpdate(sale_price=None))
    assert (started.price, started.regular_price, started.sale_price) == (sale, regular, sale)
    variant = started.raw["variants"][0]
    assert (variant["price"], variant["compare_at_price"]) == (f"{sale:.2f}", f"{regular:.2f}")
    assert (ended.price, ended.regular_price, ended.sale_price) == (regular, regular, None)
    assert ended.raw["variants"][0]["compare_at_price"] is None


async def test_stock_goes_to_the_primary_location_by_default(store: FakeShopifyStore) -> None:
    product_id = next(i for i in simple_ids(store) if variants_of(store, i)[0].tracked)
    async with connect(store) as connector:
        first = await connector.update_product(product_id, gc.ProductUpdate(stock_quantity=11))
        second = await connector.update_product(product_id, gc.ProductUpdate(stock_quantity=12))
    levels = variants_of(store, product_id)[0].levels
    assert levels == {PRIMARY_LOCATION: 12}
    assert (first.stock_quantity, second.stock_quantity) == (11, 12)
    assert store.count_requests("shop.json") == 1  # the primary location is fetched once
    assert store.count_requests("variants") == 0


async def test_stock_at_a_given_location_adds_up(store: FakeShopifyStore) -> None:
    product_id = next(i for i in simple_ids(store) if variants_of(store, i)[0].tracked)
    async with connect(store) as connector:
        await connector.update_product(product_id, gc.ProductUpdate(stock_quantity=5))
        updated = await connector.update_product(
            product_id,
            gc.ProductUpdate(stock_quantity=7, location_id=str(WAREHOUSE_LOCATION)),
        )
    levels = variants_of(store, product_id)[0].levels
    assert levels == {PRIMARY_LOCATION: 5, WAREHOUSE_LOCATION: 7}
    assert updated.stock_quantity == 12  # Shopify's inventory_quantity spans locations


async def test_manage_stock_switches_tracking_and_then_stock_can_be_set(
    store: FakeShopifyStore,
) -> None:
    product_id = next(i for i in simple_ids(store) if not variants_of(store, i)[0].tracked)
    async with connect(store) as connector:
        tracked = await connector.update_product(
            product_id, gc.ProductUpdate(manage_stock=True, stock_quantity=3)
        )
        untracked = await connector.update_product(product_id, gc.ProductUpdate(manage_stock=False))
    assert (tracked.manage_stock, tracked.stock_quantity) == (True, 3)
    assert (untracked.manage_stock, untracked.stock_quantity) == (False, None)


async def test_a_quantity_turns_tracking_on_as_woocommerce_does(store: FakeShopifyStore) -> None:
    product_id = next(i for i in simple_ids(store) if not variants_of(store, i)[0].tracked)
    async with connect(store) as connector:
        updated = await connector.update_product(product_id, gc.ProductUpdate(stock_quantity=3))
    assert (updated.manage_stock, updated.stock_quantity) == (True, 3)
    assert variants_of(store, product_id)[0].tracked is True
    assert store.count_requests("inventory_items") == 1


async def test_a_quantity_with_manage_stock_false_is_refused_before_sending(
    store: FakeShopifyStore,
) -> None:
    product_id = simple_ids(store)[0]
    async with connect(store) as connector:
        with pytest.raises(gc.InvalidRequestError) as caught:
            await connector.update_product(
                product_id, gc.ProductUpdate(stock_quantity=3, manage_stock=False)
            )
    assert "manage_stock" in caught.value.user_message
    assert store.requests == []


async def test_variant_id_aims_at_one_variant(store: FakeShopifyStore) -> None:
    product_id = sorted(store.variable_product_ids())[0]
    async with connect(store) as connector:
        before = await connector.get_product(product_id)
        target = before.variants[1]
        after = await connector.update_product(
            product_id, gc.ProductUpdate(price=Decimal("77.70"), variant_id=target.id)
        )
        with pytest.raises(gc.NotFoundError):
            await connector.update_product(
                product_id, gc.ProductUpdate(price=Decimal("1"), variant_id="123")
            )
    assert after.variants[1].price == Decimal("77.70")
    assert after.variants[0].price == before.variants[0].price


async def test_writes_need_write_scopes() -> None:
    store = FakeShopifyStore(products=5, scopes={"read_products", "read_inventory"})
    product_id = store.product_ids()[0]
    async with connect(store) as connector:
        with pytest.raises(gc.PermissionDeniedError) as price:
            await connector.update_product(product_id, gc.ProductUpdate(price=Decimal("1")))
        with pytest.raises(gc.PermissionDeniedError) as stock:
            await connector.update_product(product_id, gc.ProductUpdate(manage_stock=True))
    assert price.value.missing_scopes == ("write_products",)
    assert "'write_products' scope" in price.value.user_message
    assert stock.value.missing_scopes == ("write_inventory",)


async def test_a_failed_stock_post_is_not_sent_twice(store: FakeShopifyStore) -> None:
    product_id = next(i for i in simple_ids(store) if variants_of(store, i)[0].tracked)
    fault = store.inject("status", status=503, times=1, method="POST")
    put_fault = store.inject("status", status=503, times=1, method="PUT")
    async with connect(store) as connector:
        with pytest.raises(gc.PlatformUnavailableError):
            await connector.update_product(product_id, gc.ProductUpdate(stock_quantity=2))
        # A PUT sets the same values again when repeated: it is retried.
        updated = await connector.update_product(product_id, gc.ProductUpdate(price=Decimal("3")))
    assert fault.fired == 1
    assert store.count_requests("inventory_levels/set.json") == 1
    assert put_fault.fired == 1
    assert updated.price == Decimal("3.00")


async def test_updating_with_nothing_only_reads(store: FakeShopifyStore) -> None:
    product_id = store.product_ids()[0]
    async with connect(store) as connector:
        product = await connector.update_product(product_id, gc.ProductUpdate())
    assert product.id == product_id
    assert {r.method for r in store.requests} == {"GET"}


# -- over a socket, and secrets -------------------------------------------------------------------


async def test_works_over_a_loopback_port_with_client_credentials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store = FakeShopifyStore(products=30)
    with store.serve() as url:
        async with gc.create_connector(store.client_credentials()) as connector:
            result = await connector.test_connection()
            ids = [p.id async for p in connector.iter_products()]
            page = await connector.get_products(limit=7)
            next_page = await connector.get_products(cursor=page.next_cursor, limit=7)
    assert url.startswith("http://127.0.0.1:")
    assert result.success, result.error_message
    assert result.products_count == 30
    assert ids == store.product_ids()
    assert [p.id for p in next_page.products] == store.product_ids()[7:14]
    assert "httpcore" in caplog.text  # a real socket, with its transport's debug logs
    for secret in secrets_of(store):
        assert secret not in caplog.text


async def test_no_secret_in_logs_at_debug(
    store: FakeShopifyStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with connect(store, api_version="2024-01") as connector:
        await connector.test_connection()
        [p async for p in connector.iter_products(updated_since=datetime.now(UTC) - timedelta(1))]
        store.inject("status", status=500, times=None)
        with pytest.raises(gc.PlatformUnavailableError) as caught:
            await connector.count_products()
    assert "GET" in caplog.text  # requests were logged
    for secret in secrets_of(store):
        for text in (caplog.text, str(caught.value), repr(caught.value), repr(connector)):
            assert secret not in text
