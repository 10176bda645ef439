"""The WooCommerce connector end to end against the fake store: store info, counting, listing
(concurrent, in order, bounded), variations, cursors, updates, and a real loopback socket."""

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
from g4hub_connectors.testing import FakeWooCommerceStore
from g4hub_connectors.woocommerce.client import WooCommerceClient
from g4hub_connectors.woocommerce.writes import update_body

from .conftest import connect, wc_requests


def page_requests(store: FakeWooCommerceStore) -> list[Any]:
    return [
        r
        for r in wc_requests(store, "/products")
        if "variations" not in r.path and dict(r.query).get("per_page") == "100"
    ]


# -- store info ----------------------------------------------------------------------------------


async def test_connection_reports_name_version_currency_and_count() -> None:
    store = FakeWooCommerceStore(
        products=42, store_name="Café Olé", currency="JPY", wc_version="9.9.1"
    )
    async with connect(store) as connector:
        result = await connector.test_connection()
    assert result.success, result.error_message
    assert result.store_name == "Café Olé"
    assert result.products_count == 42
    assert result.warnings == []
    info = result.store_info
    assert info is not None
    assert (info.currency, info.platform_version, info.api_version) == ("JPY", "9.9.1", "wc/v3")
    assert info.url == "https://fake-store.example"
    assert info.domain == "fake-store.example"
    status = wc_requests(store, "system_status")
    assert [dict(r.query)["_fields"] for r in status] == ["environment,settings"]
    count = wc_requests(store, "/products")
    assert [dict(r.query) for r in count] == [{"per_page": "1"}]


async def test_refused_system_status_is_only_a_warning() -> None:
    store = FakeWooCommerceStore(products=7, user_role="product_editor")
    async with connect(store) as connector:
        result = await connector.test_connection()
        product = await connector.get_product(store.product_ids()[0])
    assert result.success, result.error_message
    assert result.store_name == "Fake WooCommerce Store"
    assert result.products_count == 7
    assert result.store_info is not None
    assert result.store_info.currency is None
    assert result.store_info.platform_version is None
    assert len(result.warnings) == 1
    assert "manage_woocommerce" in result.warnings[0]
    assert product.currency is None


async def test_a_user_who_may_not_read_products_is_permission_denied() -> None:
    store = FakeWooCommerceStore(products=7, user_role="customer")
    async with connect(store) as connector:
        result = await connector.test_connection()
        with pytest.raises(gc.PermissionDeniedError) as caught:
            await connector.count_products()
    assert result.error_code == "permission_denied"
    assert caught.value.status_code == 403
    assert caught.value.platform_code == "woocommerce_rest_cannot_view"


async def test_every_product_has_the_currency_without_asking_for_store_info() -> None:
    store = FakeWooCommerceStore(products=130, currency="GBP")
    async with connect(store) as connector:
        listed = [p async for p in connector.iter_products(include_variants=True)]
        page = await connector.get_products()
        one = await connector.get_product(store.product_ids()[0])
    assert {p.currency for p in [*listed, *page.products, one]} == {"GBP"}
    assert len(wc_requests(store, "data/currencies/current")) == 1  # once per connector
    assert wc_requests(store, "system_status") == []  # never the slow report for this


async def test_store_info_settles_the_currency_too() -> None:
    store = FakeWooCommerceStore(products=3, currency="USD")
    async with connect(store) as connector:
        await connector.get_store_info()
        page = await connector.get_products()
    assert {p.currency for p in page.products} == {"USD"}
    assert wc_requests(store, "data/currencies") == []


async def test_a_key_that_may_not_read_the_currency_lists_without_it() -> None:
    store = FakeWooCommerceStore(products=30, user_role="product_editor")
    async with connect(store) as connector:
        listed = [p async for p in connector.iter_products()]
        assert len(connector.warnings()) == 1
        assert "manage_woocommerce" in connector.warnings()[0]
    assert len(listed) == 30
    assert {p.currency for p in listed} == {None}


# -- listing -------------------------------------------------------------------------------------


async def test_pages_are_fetched_concurrently_and_yielded_in_order() -> None:
    store = FakeWooCommerceStore(products=2000, latency=0.05)  # 20 pages
    async with connect(store) as connector:
        ids = [int(p.id) async for p in connector.iter_products()]
    assert ids == sorted(ids)
    assert len(ids) == 2000
    pages = page_requests(store)
    assert sorted(int(dict(r.query)["page"]) for r in pages) == list(range(1, 21))
    # Counted by the store, not timed: several pages were in flight at once, never more than
    # max_concurrency's default.
    assert 3 <= store.max_in_flight <= 4


async def test_concurrency_is_bounded_with_variations_too() -> None:
    store = FakeWooCommerceStore(products=600, latency=0.01)
    async with connect(store, max_concurrency=3) as connector:
        products = [p async for p in connector.iter_products(include_variants=True)]
    assert len(products) == 600
    assert store.max_in_flight == 3
    variable = store.variable_product_ids()
    # One request per variable product: the store (before 10.3) cannot list them all at once.
    assert len(wc_requests(store, "/products/")) == len(variable)
    for product in products:
        assert bool(product.variants) == (product.id in variable)


async def test_memory_is_bounded_by_the_window_not_the_catalog() -> None:
    store = FakeWooCommerceStore(products=3000, latency=0.005)  # 30 pages
    async with connect(store, max_concurrency=2) as connector:
        stream = connector.iter_products()
        first = [await anext(stream) for _ in range(150)]  # pages 1 and 2
        await asyncio.sleep(0.1)  # a slow consumer: the listing must wait for it
        assert len(page_requests(store)) <= 2 + 2 + 1
        await stream.aclose()  # leaving early cancels what is in flight
    assert [int(p.id) for p in first] == sorted(int(p.id) for p in first)


async def test_a_failing_page_ends_the_listing_with_its_error() -> None:
    store = FakeWooCommerceStore(products=1000)
    store.inject("status", status=404, times=None, after=3, path="/products")
    async with connect(store) as connector:
        with pytest.raises(gc.NotFoundError):
            _ = [p async for p in connector.iter_products()]


async def test_variations_are_included_on_request() -> None:
    store = FakeWooCommerceStore(products=80)
    variable = sorted(store.variable_product_ids())
    async with connect(store) as connector:
        listed = {p.id: p async for p in connector.iter_products(include_variants=True)}
        plain = {p.id: p async for p in connector.iter_products()}
        fetched = await connector.get_product(variable[0])
        bare = await connector.get_product(variable[0], include_variants=False)
    record = store.catalog.get(int(variable[0]) - 10)
    assert [v.id for v in fetched.variants] == [str(i) for i in record.variation_ids]
    assert fetched.model_dump(exclude={"raw"}) == listed[variable[0]].model_dump(exclude={"raw"})
    assert all(not p.variants for p in plain.values())
    assert bare.variants == []
    assert {v.title for v in fetched.variants} == {v.title for v in record.seed.variants}


async def test_variation_pages_are_all_read(monkeypatch: pytest.MonkeyPatch) -> None:
    store = FakeWooCommerceStore(products=40)
    product_id = max(
        store.variable_product_ids(),
        key=lambda i: len(store.catalog.get(int(i) - 10).variation_ids),
    )
    expected = store.catalog.get(int(product_id) - 10).variation_ids
    assert len(expected) >= 3
    original = WooCommerceClient.list_variations

    async def one_per_page(
        self: WooCommerceClient, product_id: int, *, page: int, per_page: int = 100
    ) -> Any:
        return await original(self, product_id, page=page, per_page=1)

    monkeypatch.setattr(WooCommerceClient, "list_variations", one_per_page)
    async with connect(store) as connector:
        product = await connector.get_product(product_id)
    assert [v.id for v in product.variants] == [str(i) for i in expected]
    assert len(wc_requests(store, "/variations")) == len(expected)


async def test_updated_since_asks_for_gmt_modified_after() -> None:
    store = FakeWooCommerceStore(products=150)
    since = datetime(2024, 6, 1, 12, 30, 15, 999_000, tzinfo=UTC)
    async with connect(store) as connector:
        ids = {p.id async for p in connector.iter_products(updated_since=since)}
    assert ids == store.ids_updated_since(since)
    query = dict(page_requests(store)[0].query)
    assert query["modified_after"] == "2024-06-01T12:30:15"
    assert query["dates_are_gmt"] == "true"
    assert (query["status"], query["orderby"], query["order"]) == ("any", "id", "asc")


async def test_updated_since_converts_other_time_zones() -> None:
    from datetime import timedelta, timezone

    store = FakeWooCommerceStore(products=10)
    since = datetime(2024, 6, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    async with connect(store) as connector:
        _ = [p async for p in connector.iter_products(updated_since=since)]
    assert dict(page_requests(store)[0].query)["modified_after"] == "2024-06-01T12:00:00"


async def test_listing_without_page_count_goes_page_by_page() -> None:
    import httpx

    from .test_client import StripHeaders

    store = FakeWooCommerceStore(products=250)
    transport = StripHeaders(store.transport(), "x-wp-totalpages")
    async with gc.create_connector(
        store.credentials(), http_client=httpx.AsyncClient(transport=transport)
    ) as c:
        ids = [p.id async for p in c.iter_products()]
    assert ids == store.product_ids()
    assert [dict(r.query)["page"] for r in page_requests(store)] == ["1", "2", "3"]


async def test_page_one_tells_how_many_pages_to_ask_for() -> None:
    store = FakeWooCommerceStore(products=200)
    async with connect(store) as connector:
        ids = [p.id async for p in connector.iter_products()]
    assert len(ids) == 200
    assert [dict(r.query)["page"] for r in page_requests(store)] == ["1", "2"]


async def test_trashed_products_are_not_listed_but_readable_as_archived() -> None:
    store = FakeWooCommerceStore(products=12)
    gone = store.product_ids()[2]
    store.trash_product(gone)
    async with connect(store) as connector:
        ids = [p.id async for p in connector.iter_products()]
        count = await connector.count_products()
        trashed = await connector.get_product(gone)
    assert gone not in ids
    assert count == 11
    assert trashed.status == "archived"


# -- cursors -------------------------------------------------------------------------------------


async def test_cursors_are_opaque_and_keep_their_page_size() -> None:
    store = FakeWooCommerceStore(products=25)
    async with connect(store) as connector:
        first = await connector.get_products(limit=10)
        assert first.next_cursor is not None
        second = await connector.get_products(cursor=first.next_cursor, limit=99)
    assert first.total_items == 25
    assert len(second.products) == 10
    assert first.next_cursor.isascii()
    assert "page" not in first.next_cursor


async def test_limit_is_capped_at_100() -> None:
    store = FakeWooCommerceStore(products=150)
    async with connect(store) as connector:
        page = await connector.get_products(limit=500)
    assert len(page.products) == 100
    assert page.next_cursor is not None


@pytest.mark.parametrize(
    "cursor", ["", "nope", "eyJwYWdlIjogMH0", "e30", "eyJwYWdlIjoxLCJwZXJfcGFnZSI6MTAxfQ"]
)
async def test_foreign_cursors_are_refused(cursor: str) -> None:
    store = FakeWooCommerceStore(products=5)
    async with connect(store) as connector:
        with pytest.raises(gc.InvalidRequestError):
            await connector.get_products(cursor=cursor)
    assert wc_requests(store) == []


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(0, 450), concurrency=st.integers(1, 6))
def test_iteration_yields_each_product_once(size: int, concurrency: int) -> None:
    store = FakeWooCommerceStore(products=size)

    async def walk() -> list[str]:
        async with connect(store, max_concurrency=concurrency) as connector:
            return [p.id async for p in connector.iter_products()]

    assert asyncio.run(walk()) == store.product_ids()


async def test_ids_that_are_not_numbers_are_not_found_without_asking() -> None:
    store = FakeWooCommerceStore(products=5)
    async with connect(store) as connector:
        for bad in ("abc", "-1", "1.5", "١٢"):
            with pytest.raises(gc.NotFoundError):
                await connector.get_product(bad)
    assert wc_requests(store) == []


# -- updates -------------------------------------------------------------------------------------


def simple_id(store: FakeWooCommerceStore) -> str:
    return next(i for i in store.product_ids() if i not in store.variable_product_ids())


def test_update_body_sends_only_what_was_set_with_prices_as_strings() -> None:
    assert update_body(gc.ProductUpdate(price=Decimal("9.5"))) == {"regular_price": "9.5"}
    assert update_body(gc.ProductUpdate(sale_price=None)) == {"sale_price": ""}
    assert update_body(gc.ProductUpdate(price=Decimal("1E+2"))) == {"regular_price": "100"}
    assert update_body(gc.ProductUpdate(stock_quantity=4, manage_stock=True)) == {
        "stock_quantity": 4,
        "manage_stock": True,
    }
    assert update_body(gc.ProductUpdate()) == {}


async def test_update_prices_and_stock() -> None:
    store = FakeWooCommerceStore(products=10)
    product_id = simple_id(store)
    async with connect(store) as connector:
        sale = await connector.update_product(
            product_id, gc.ProductUpdate(price=Decimal("20.00"), sale_price=Decimal("15.50"))
        )
        ended = await connector.update_product(product_id, gc.ProductUpdate(sale_price=None))
        stocked = await connector.update_product(
            product_id, gc.ProductUpdate(manage_stock=True, stock_quantity=0)
        )
    assert (sale.price, sale.regular_price, sale.sale_price) == (
        Decimal("15.50"),
        Decimal("20.00"),
        Decimal("15.50"),
    )
    assert (ended.price, ended.sale_price) == (Decimal("20.00"), None)
    assert (stocked.stock_quantity, stocked.manage_stock) == (0, True)
    backorders = store.catalog.get(int(product_id) - 10).backorders
    assert stocked.stock_status == ("outofstock" if backorders == "no" else "onbackorder")
    puts = [r for r in store.requests if r.method == "PUT"]
    assert [r.path for r in puts] == [f"/wp-json/wc/v3/products/{product_id}"] * 3


async def test_update_a_variation() -> None:
    store = FakeWooCommerceStore(products=40)
    product_id = sorted(store.variable_product_ids())[0]
    variation_id = str(store.catalog.get(int(product_id) - 10).variation_ids[1])
    async with connect(store) as connector:
        product = await connector.update_product(
            product_id,
            gc.ProductUpdate(
                variant_id=variation_id, price=Decimal("3.25"), stock_quantity=9, manage_stock=True
            ),
        )
    variant = next(v for v in product.variants if v.id == variation_id)
    assert (variant.price, variant.stock_quantity, variant.manage_stock) == (
        Decimal("3.25"),
        9,
        True,
    )
    assert any(
        r.path.endswith(f"/products/{product_id}/variations/{variation_id}") and r.method == "PUT"
        for r in store.requests
    )


async def test_a_read_only_key_may_not_write() -> None:
    store = FakeWooCommerceStore(products=5, read_only=True)
    async with connect(store) as connector:
        with pytest.raises(gc.PermissionDeniedError) as caught:
            await connector.update_product(simple_id(store), gc.ProductUpdate(stock_quantity=1))
    error = caught.value
    assert error.code == "permission_denied"
    assert error.status_code == 401
    assert error.platform_code == "woocommerce_rest_authentication_error"
    assert "Read/Write" in error.user_message
    assert "does not have write permissions" in error.detail


async def test_a_wrong_secret_on_a_write_stays_an_authentication_error() -> None:
    store = FakeWooCommerceStore(products=5, url="http://fake-store.example")
    async with connect(store, consumer_secret="cs_" + "9" * 40) as connector:
        with pytest.raises(gc.AuthenticationError):
            await connector.update_product("10", gc.ProductUpdate(stock_quantity=1))


@pytest.mark.parametrize("variation", [False, True])
async def test_a_put_of_absolute_values_is_retried(variation: bool) -> None:
    # The SDK's one rule (may_retry): a PUT the caller declares idempotent may be sent again.
    store = FakeWooCommerceStore(products=40)
    product_id = sorted(store.variable_product_ids())[0] if variation else simple_id(store)
    variations = store.catalog.get(int(product_id) - 10).variation_ids
    store.inject("status", status=503, times=1, method="PUT")
    update = gc.ProductUpdate(
        price=Decimal("4.20"),
        stock_quantity=3,
        variant_id=str(variations[0]) if variation else None,
    )
    async with connect(store) as connector:
        updated = await connector.update_product(product_id, update)
    target = updated.variants[0] if variation else updated
    assert (target.price, target.stock_quantity, target.manage_stock) == (Decimal("4.20"), 3, True)
    assert store.count_requests(method="PUT") == 2


async def test_the_put_follows_the_sdk_retry_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from g4hub_connectors import _http

    asked: list[tuple[str, bool | None]] = []
    original = _http.may_retry

    def spy(method: str, *, idempotent: bool | None = None) -> bool:
        asked.append((method, idempotent))
        return original(method, idempotent=idempotent)

    monkeypatch.setattr(_http, "may_retry", spy)
    store = FakeWooCommerceStore(products=5)
    async with connect(store) as connector:
        await connector.update_product(simple_id(store), gc.ProductUpdate(price=Decimal(2)))
    assert ("PUT", True) in asked


async def test_updating_a_missing_variation_is_not_found() -> None:
    store = FakeWooCommerceStore(products=40)
    product_id = sorted(store.variable_product_ids())[0]
    async with connect(store) as connector:
        with pytest.raises(gc.NotFoundError):
            await connector.update_product(
                product_id, gc.ProductUpdate(variant_id="1", price=Decimal(1))
            )


async def test_writes_through_a_stripped_header_fall_back_too() -> None:
    store = FakeWooCommerceStore(products=5, strip_authorization_header=True)
    async with connect(store) as connector:
        updated = await connector.update_product(
            simple_id(store), gc.ProductUpdate(price=Decimal("7"))
        )
        assert updated.regular_price == Decimal("7")
        assert len(connector.warnings()) == 1
    assert store.count_requests(method="PUT") == 2  # refused as a guest, then with query auth


# -- a real socket -------------------------------------------------------------------------------


async def test_served_on_a_loopback_port(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = FakeWooCommerceStore(products=230)
    with store.serve() as url:
        async with gc.create_connector(store.credentials()) as connector:
            result = await connector.test_connection()
            products = [p async for p in connector.iter_products(include_variants=True)]
            updated = await connector.update_product(
                products[0].id, gc.ProductUpdate(price=Decimal("1.99"))
            )
    assert url.startswith("http://127.0.0.1:")
    assert result.success, result.error_message
    assert len(products) == 230
    assert updated.regular_price == Decimal("1.99")
    assert set(store.auth_log) == {"oauth"}
    assert store.consumer_secret not in caplog.text
    assert store.consumer_key not in caplog.text
