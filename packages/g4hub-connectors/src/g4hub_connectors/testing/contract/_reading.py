"""What every connector promises about connecting, reading, writing and secrets (DESIGN.md: the
SDK contract)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing._asgi import FakeStore
from g4hub_connectors.testing.contract._base import ContractBase, connect, secrets_of

Connector = gc.BaseConnector[Any]


async def first_simple_product(store: FakeStore, connector: Connector) -> str:
    variable = store.variable_product_ids()
    async for product in connector.iter_products():
        if product.id not in variable:
            return product.id
    raise AssertionError("the catalog has no simple product")


class ReadingContract(ContractBase):
    """Connection tests, listings, single products, writes and secrets."""

    # -- connection test ---------------------------------------------------------------------------

    async def test_connection_reports_the_store(
        self, store: FakeStore, connector: Connector
    ) -> None:
        result = await connector.test_connection()
        assert result.success, result.error_message
        assert result.platform == connector.platform
        assert result.store_name
        assert result.products_count == len(store.product_ids())
        assert result.store_info is not None
        assert result.error_code is None
        assert result.error_message is None

    async def test_wrong_credentials_fail_with_the_seed_message(self, store: FakeStore) -> None:
        async with gc.create_connector(
            store.wrong_credentials(), http_client=store.http_client()
        ) as c:
            result = await c.test_connection()
        assert not result.success
        assert result.error_code == "invalid_credentials"
        assert result.error_message is not None
        assert result.error_message.startswith("Unable to connect to your")
        assert "Please check your" in result.error_message

    async def test_wrong_credentials_raise_authentication_error(self, store: FakeStore) -> None:
        async with gc.create_connector(
            store.wrong_credentials(), http_client=store.http_client()
        ) as c:
            with pytest.raises(gc.AuthenticationError) as caught:
                await c.count_products()
        assert caught.value.code == "invalid_credentials"
        assert caught.value.platform == c.platform
        assert caught.value.status_code == 401
        assert not caught.value.retryable

    async def test_a_dead_store_fails_the_test_with_a_message(self, store: FakeStore) -> None:
        store.inject("status", status=503, times=None)
        async with connect(store) as c:
            result = await c.test_connection()
        assert not result.success
        assert result.error_code == "platform_unavailable"
        assert result.error_message

    # -- reading -----------------------------------------------------------------------------------

    async def test_count_matches_the_catalog(self, store: FakeStore, connector: Connector) -> None:
        assert await connector.count_products() == len(store.product_ids())

    async def test_pages_follow_cursors_to_the_end(
        self, store: FakeStore, connector: Connector
    ) -> None:
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
        self, store: FakeStore, connector: Connector
    ) -> None:
        ids = [p.id async for p in connector.iter_products()]
        assert len(ids) == len(set(ids))
        assert set(ids) == set(store.product_ids())

    async def test_products_are_normalized(self, connector: Connector) -> None:
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
        self, store: FakeStore, connector: Connector
    ) -> None:
        since = datetime(2024, 6, 1, tzinfo=UTC)
        expected = store.ids_updated_since(since)
        assert 0 < len(expected) < len(store.product_ids())
        got = [p.id async for p in connector.iter_products(updated_since=since)]
        assert sorted(got) == sorted(expected)

    async def test_variants_are_included_on_request(
        self, store: FakeStore, connector: Connector
    ) -> None:
        variable = store.variable_product_ids()
        assert variable, "the generated catalog has variable products"
        products = {p.id: p async for p in connector.iter_products(include_variants=True)}
        for product_id in variable:
            variants = products[product_id].variants
            assert len(variants) >= 2
            assert all(isinstance(v.id, str) for v in variants)

    async def test_get_product_matches_the_listing(
        self, store: FakeStore, connector: Connector
    ) -> None:
        listed = {p.id: p async for p in connector.iter_products(include_variants=True)}
        some_id = sorted(store.variable_product_ids())[0]
        fetched = await connector.get_product(some_id)
        assert fetched.model_dump(exclude={"raw"}) == listed[some_id].model_dump(exclude={"raw"})

    async def test_missing_product_is_not_found(self, connector: Connector) -> None:
        with pytest.raises(gc.NotFoundError) as caught:
            await connector.get_product("999999999")
        assert caught.value.code == "not_found"
        assert caught.value.status_code == 404

    async def test_deleted_products_disappear(self, store: FakeStore, connector: Connector) -> None:
        gone = store.product_ids()[3]
        store.delete_product(gone)
        ids = {p.id async for p in connector.iter_products()}
        assert gone not in ids
        assert len(ids) == len(store.product_ids())
        with pytest.raises(gc.NotFoundError):
            await connector.get_product(gone)

    async def test_store_info(self, connector: Connector) -> None:
        info = await connector.get_store_info()
        assert info.platform == connector.platform
        assert info.name
        assert info.currency
        assert info.api_version

    # -- writing -----------------------------------------------------------------------------------

    async def test_update_price_and_stock(self, store: FakeStore, connector: Connector) -> None:
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

    async def test_sale_price_starts_and_ends_a_sale(
        self, store: FakeStore, connector: Connector
    ) -> None:
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

    async def test_updating_a_missing_product_is_not_found(self, connector: Connector) -> None:
        with pytest.raises(gc.NotFoundError):
            await connector.update_product("999999999", gc.ProductUpdate(stock_quantity=1))

    # -- secrets -----------------------------------------------------------------------------------

    async def test_secrets_never_show(
        self, store: FakeStore, connector: Connector, caplog: pytest.LogCaptureFixture
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
        async with gc.create_connector(
            store.wrong_credentials(), http_client=store.http_client()
        ) as c:
            result = await c.test_connection()
            shown.append(result.model_dump_json())
        shown.append(caplog.text)
        for secret in secrets:
            for text in shown:
                assert secret not in text

    def test_config_errors_do_not_echo_secrets(self, store: FakeStore) -> None:
        creds = store.credentials()
        creds.pop("store_url")
        with pytest.raises(gc.InvalidConfigError) as caught:
            gc.create_connector(creds)
        assert "store_url" in str(caught.value)
        for secret in secrets_of(store):
            assert secret not in str(caught.value)
