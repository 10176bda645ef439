"""The GraphQL connector's reads: the same rows as over REST, every variant, pages by cost."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

import g4hub_connectors as gc
from g4hub_connectors.shopify.versions import SUPPORTED_API_VERSIONS
from g4hub_connectors.shopify_graphql import ShopifyGraphQLConnector
from g4hub_connectors.shopify_graphql.connector import MAX_PAGE_SIZE
from g4hub_connectors.testing import FakeShopifyGraphQLStore, FakeShopifyStore

from .conftest import VirtualClock, connect, make_store


def test_create_connector_picks_graphql_by_api() -> None:
    store = FakeShopifyStore()
    built = gc.create_connector(store.credentials(api="graphql"))
    assert isinstance(built, ShopifyGraphQLConnector)
    assert not isinstance(gc.create_connector(store.credentials()), ShopifyGraphQLConnector)


async def test_rows_keep_their_identity_across_rest_and_graphql(clock: VirtualClock) -> None:
    """A store switched from REST to GraphQL lists the same products with the same ids, prices,
    stock and variants (only `raw` differs: it is each API's own JSON)."""
    store = make_store(clock, products=30)
    async with gc.create_connector(
        store.credentials(api="rest"), http_client=store.http_client()
    ) as rest:
        await rest.get_store_info()
        over_rest = {p.id: p async for p in rest.iter_products()}
    async with connect(store, clock) as graphql:
        over_graphql = {p.id: p async for p in graphql.iter_products()}
    assert over_graphql.keys() == over_rest.keys()
    for product_id, product in over_graphql.items():
        assert product.model_dump(exclude={"raw"}) == over_rest[product_id].model_dump(
            exclude={"raw"}
        )


async def test_a_product_with_2048_variants_round_trips(clock: VirtualClock) -> None:
    store = make_store(clock, products=12, plan="plus")
    store.graphql.views.variant_counts[5] = 2_048
    big_id = store.product_ids()[5]
    async with connect(store, clock) as connector:
        listed = {p.id: p async for p in connector.iter_products()}
        fetched = await connector.get_product(big_id)
        variants = listed[big_id].variants
        assert len(variants) == 2_048
        assert len({v.id for v in variants}) == 2_048
        assert all(v.inventory_item_id for v in variants)
        assert fetched.model_dump(exclude={"raw"}) == listed[big_id].model_dump(exclude={"raw"})
        assert len(fetched.raw["variants"]["nodes"]) == 2_048
        # A variant far past the first page can be written and reads back.
        last = variants[2_045]
        assert last.manage_stock is False  # every fifth generated variant is untracked
        updated = await connector.update_product(
            big_id,
            gc.ProductUpdate(
                variant_id=last.id, price=Decimal("3.25"), stock_quantity=9, manage_stock=True
            ),
        )
    after = next(v for v in updated.variants if v.id == last.id)
    assert after.price == Decimal("3.25")
    assert after.stock_quantity == 9
    assert after.manage_stock


async def test_pages_stay_well_under_the_query_cost_cap(
    store: FakeShopifyGraphQLStore, clock: VirtualClock
) -> None:
    async with connect(store, clock) as connector:
        page = await connector.get_products(limit=250)
    assert len(page.products) == MAX_PAGE_SIZE
    costs = [requested for name, requested, _ in store.graphql.queries if name == "Products"]
    assert costs
    assert max(costs) <= 800


async def test_products_carry_the_shop_currency_without_store_info(
    store: FakeShopifyGraphQLStore, clock: VirtualClock
) -> None:
    async with connect(store, clock) as connector:
        page = await connector.get_products(limit=3)
    assert {p.currency for p in page.products} == {"EUR"}


async def test_updated_since_is_exclusive_and_exact(clock: VirtualClock) -> None:
    store = make_store(clock, products=60)
    since = datetime(2024, 6, 1, tzinfo=UTC)
    async with connect(store, clock) as connector:
        got = [p.id async for p in connector.iter_products(updated_since=since)]
    assert sorted(got) == sorted(store.ids_updated_since(since))
    searches = [r for r in store.requests if "graphql" in r.path]
    assert searches


async def test_a_foreign_cursor_is_refused(
    store: FakeShopifyGraphQLStore, clock: VirtualClock
) -> None:
    async with connect(store, clock) as connector:
        with pytest.raises(gc.InvalidRequestError) as caught:
            await connector.get_products(cursor="bm90LWEtY3Vyc29y")
    assert caught.value.code == "invalid_request"


async def test_store_info_over_graphql(store: FakeShopifyGraphQLStore, clock: VirtualClock) -> None:
    async with connect(store, clock) as connector:
        info = await connector.get_store_info()
    assert info.name == store.shop_name
    assert info.currency == "EUR"
    assert info.primary_location_id is not None
    assert info.primary_location_id.isdigit()
    assert info.api_version == "2026-10"
    assert info.extra["api"] == "graphql"


async def test_an_older_version_warns_that_shopify_answered_another(clock: VirtualClock) -> None:
    store = make_store(clock)
    async with connect(store, clock, config={"api_version": "2024-01"}) as connector:
        result = await connector.test_connection()
    assert result.success
    assert result.warnings
    assert f"answered with {SUPPORTED_API_VERSIONS[0]}" in result.warnings[0]
