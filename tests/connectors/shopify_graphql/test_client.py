"""The GraphQL client: errors by code, scopes named, the query documents shipped."""

from __future__ import annotations

from importlib import resources

import pytest

import g4hub_connectors as gc
from g4hub_connectors.shopify_graphql.client import load_query
from g4hub_connectors.testing import FakeShopifyGraphQLStore

from .conftest import VirtualClock, connect, make_store


def test_queries_ship_as_graphql_files_with_their_fragments() -> None:
    folder = resources.files("g4hub_connectors.shopify_graphql") / "queries"
    names = {path.name for path in folder.iterdir()}
    assert {"products.graphql", "product_fields.graphql", "inventory_set.graphql"} <= names
    products = load_query("products")
    assert "fragment ProductFields on Product" in products
    assert "fragment VariantFields on ProductVariant" in products
    variants = load_query("product_variants")
    # GraphQL refuses unused fragments: each document carries only the ones it spreads.
    assert "fragment ProductFields" not in variants
    assert "fragment VariantFields" in variants


async def test_a_missing_scope_is_named_in_the_seed_message(clock: VirtualClock) -> None:
    store = FakeShopifyGraphQLStore(products=5, clock=clock, scopes={"read_inventory"})
    async with connect(store, clock) as connector:
        result = await connector.test_connection()
        with pytest.raises(gc.PermissionDeniedError) as caught:
            await connector.get_products()
    assert not result.success
    assert result.error_code == "permission_denied"
    assert result.error_message == (
        "Your Shopify access token doesn't have required permissions. "
        "Please regenerate with 'read_products' scope."
    )
    assert caught.value.missing_scopes == ("read_products",)
    assert caught.value.platform_code == "ACCESS_DENIED"


async def test_errors_are_classified_by_code_not_message(
    clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(clock, products=5)
    async with connect(store, clock) as connector:
        # The same message with another code must not read as a permission problem.
        error = connector.client.graphql_error(
            "Products",
            [
                gc_error("Access denied for products field.", "INTERNAL_SERVER_ERROR"),
            ],
            _response(),
        )
        assert isinstance(error, gc.PlatformUnavailableError)
        error = connector.client.graphql_error(
            "Products", [gc_error("Query cost is 1234", "MAX_COST_EXCEEDED")], _response()
        )
        assert isinstance(error, gc.UnexpectedResponseError)
        assert error.platform_code == "MAX_COST_EXCEEDED"


def gc_error(message: str, code: str) -> object:
    from g4hub_connectors.shopify_graphql.payloads import GraphQLError

    return GraphQLError(message=message, extensions={"code": code})


def _response() -> object:
    import httpx

    return httpx.Response(200, request=httpx.Request("POST", "https://x.myshopify.com/graphql"))


async def test_wrong_tokens_are_invalid_credentials(clock: VirtualClock) -> None:
    store = make_store(clock)
    async with connect(store, clock, config={"access_token": "shpat_" + "0" * 32}) as connector:
        with pytest.raises(gc.AuthenticationError) as caught:
            await connector.count_products()
    assert caught.value.status_code == 401


async def test_an_unserved_version_is_an_api_version_error(clock: VirtualClock) -> None:
    store = make_store(clock)
    async with connect(store, clock, config={"api_version": "2031-01"}) as connector:
        result = await connector.test_connection()
    assert result.error_code == "api_version_unsupported"


def test_the_fake_charges_connections_by_first() -> None:
    from g4hub_connectors.testing.shopify._graphql_doc import parse
    from g4hub_connectors.testing.shopify._graphql_exec import requested_cost

    document = parse(
        "query Q($n: Int!) { shop { name } products(first: $n) { nodes { id "
        "variants(first: 10) { nodes { id inventoryItem { id } } } } } }"
    )
    cost = requested_cost(document.operations[0].selections, document.fragments, {"n": 5})
    # shop 1; products 2 + 5 * (1 + variants (2 + 10 * (1 + inventoryItem 1)))
    assert cost == 1 + 2 + 5 * (1 + 2 + 10 * 2)


@pytest.mark.parametrize("status", [402, 423])
async def test_a_frozen_or_locked_shop_names_the_request_for_shopify_support(
    clock: VirtualClock, status: int
) -> None:
    store = FakeShopifyGraphQLStore(products=2, clock=clock)
    store.inject("status", status=status, times=None)
    async with connect(store, clock) as connector:
        result = await connector.test_connection()
    assert (result.error_code, result.remedy) == ("store_unavailable", gc.Remedy.FIX_SETTINGS)
    assert result.request_id  # Shopify's X-Request-Id, as the REST connector gives it
