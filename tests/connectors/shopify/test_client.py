"""The Shopify client: every error status becomes the right error, unreadable answers say what
came back, and the API version the store really serves is noticed."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

import g4hub_connectors as gc
from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.errors import StoreUnavailableError
from g4hub_connectors.shopify import ShopifyConnector
from g4hub_connectors.shopify.versions import SUPPORTED_API_VERSIONS
from g4hub_connectors.testing import FakeShopifyStore
from g4hub_connectors.testing.shopify._catalog import product_id

from .conftest import FAST_RETRY, connect


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


@pytest.fixture
def store() -> FakeShopifyStore:
    return FakeShopifyStore(products=7)


# -- errors by status -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "errors", "cls", "code"),
    [
        (
            401,
            "[API] Invalid API key or access token (unrecognized login or wrong password)",
            gc.AuthenticationError,
            "invalid_credentials",
        ),
        (402, "Unavailable Shop", StoreUnavailableError, "store_unavailable"),
        (423, "Locked", StoreUnavailableError, "store_unavailable"),
        (400, {"limit": "Invalid value."}, gc.InvalidRequestError, "invalid_request"),
        (406, "Not Acceptable", gc.UnexpectedResponseError, "unexpected_response"),
        (500, "Internal Server Error", gc.PlatformUnavailableError, "platform_unavailable"),
        (502, "Bad Gateway", gc.PlatformUnavailableError, "platform_unavailable"),
        (503, "Service Unavailable", gc.PlatformUnavailableError, "platform_unavailable"),
        (504, "Gateway Timeout", gc.ConnectorTimeoutError, "timeout"),
    ],
)
async def test_every_status_becomes_its_error(
    store: FakeShopifyStore, status: int, errors: Any, cls: type[gc.ConnectorError], code: str
) -> None:
    fault = store.inject("status", status=status, times=None, body=body({"errors": errors}))
    async with connect(store) as connector:
        with pytest.raises(cls) as caught:
            await connector.count_products()
    error = caught.value
    assert type(error) is cls
    assert error.code == code
    assert error.status_code == status
    assert error.platform == "shopify"
    # Only passing troubles are retried: 5xx three times, a frozen shop or bad key once.
    assert fault.fired == (3 if error.retryable else 1)


async def test_missing_scope_names_it_with_the_seed_message(store: FakeShopifyStore) -> None:
    limited = FakeShopifyStore(products=3, scopes={"read_inventory"})
    async with connect(limited) as connector:
        result = await connector.test_connection()
        with pytest.raises(gc.PermissionDeniedError) as caught:
            await connector.count_products()
    assert caught.value.missing_scopes == ("read_products",)
    assert caught.value.status_code == 403
    assert result.error_code == "permission_denied"
    assert result.error_message == (
        "Your Shopify access token doesn't have required permissions. "
        "Please regenerate with 'read_products' scope."
    )


async def test_a_403_without_a_scope_name_is_still_permission_denied(
    store: FakeShopifyStore,
) -> None:
    store.inject("status", status=403, body=body({"errors": "Forbidden"}))
    async with connect(store) as connector:
        with pytest.raises(gc.PermissionDeniedError) as caught:
            await connector.count_products()
    assert caught.value.missing_scopes == ()


@pytest.mark.parametrize(("status", "says"), [(402, "frozen"), (423, "locked")])
async def test_frozen_and_locked_shops_say_what_to_do(
    store: FakeShopifyStore, status: int, says: str
) -> None:
    store.inject("status", status=status, times=None)
    async with connect(store) as connector:
        result = await connector.test_connection()
    assert not result.success
    assert result.error_code == "store_unavailable"
    assert result.error_message is not None
    assert says in result.error_message
    assert "Shopify admin" in result.error_message


async def test_422_keeps_the_field_errors(store: FakeShopifyStore) -> None:
    product_id = store.product_ids()[0]
    store.inject(
        "status",
        status=422,
        method="PUT",
        body=body({"errors": {"price": ["must be a number", "can't be blank"]}}),
    )
    async with connect(store) as connector:
        with pytest.raises(gc.InvalidRequestError) as caught:
            await connector.update_product(product_id, gc.ProductUpdate(price=1))
    assert caught.value.fields == {"price": ["must be a number", "can't be blank"]}
    assert "price: must be a number" in str(caught.value)


async def test_unknown_product_is_not_found(store: FakeShopifyStore) -> None:
    async with connect(store) as connector:
        for missing in ("9100000000000000003", "abc", "../shop", "gid://shopify/Product/7"):
            with pytest.raises(gc.NotFoundError):
                await connector.get_product(missing)
    assert store.count_requests("/products/") == 2  # ids that cannot exist are not sent


# -- answers that are not the API's ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("html", "HTML page titled “Service Temporarily Unavailable”"),
        ("truncated", "cut off"),
        ("empty", "empty body"),
    ],
)
async def test_unreadable_answers_say_what_came_back(
    store: FakeShopifyStore, kind: Any, says: str
) -> None:
    store.inject(kind, status=200, times=None, path="products.json")
    async with connect(store) as connector:
        with pytest.raises(gc.UnexpectedResponseError) as caught:
            await connector.get_products(limit=250)
    assert says in str(caught.value)
    assert says in caught.value.user_message
    assert "products.json" in caught.value.user_message


async def test_json_of_the_wrong_shape_says_so(store: FakeShopifyStore) -> None:
    store.inject("status", status=200, times=None, path="products.json", body=b'{"items": []}')
    async with connect(store) as connector:
        with pytest.raises(gc.UnexpectedResponseError, match="without “products”"):
            await connector.get_products()


async def test_a_next_link_without_a_cursor_is_an_unexpected_response() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={"products": [{"id": 1}]},
            headers={"Link": '<https://shop.myshopify.com/admin/api/x/products.json>; rel="next"'},
        )

    config = ShopifyConfig(store_url="shop", access_token="shpat_" + "1" * 32, retry=FAST_RETRY)
    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with ShopifyConnector(config, http_client=client) as connector:
        with pytest.raises(gc.UnexpectedResponseError, match="without a page_info"):
            await connector.get_products()


async def test_errors_carry_shopifys_request_id(store: FakeShopifyStore) -> None:
    async with connect(store) as connector:
        with pytest.raises(gc.NotFoundError) as missing:
            await connector.get_product(str(product_id(10_000)))
        store.inject("status", status=503, times=None)
        with pytest.raises(gc.PlatformUnavailableError) as down:
            await connector.count_products()
    for caught in (missing, down):
        request_id = caught.value.request_id
        assert request_id is not None
        assert len(request_id) == 36
        assert f"request id {request_id}" in str(caught.value)
        assert request_id in repr(caught.value)


@pytest.mark.parametrize("status", [200, 404, 500])
async def test_json_nested_50000_deep_is_no_recursion_error(
    store: FakeShopifyStore, status: int
) -> None:
    deep = b'{"errors":' * 50_000 + b'"x"' + b"}" * 50_000
    store.inject("status", status=status, times=None, path="products", body=deep)
    async with connect(store) as connector:
        with pytest.raises(gc.ConnectorError) as caught:
            await connector.get_products()
    if status == 200:
        assert isinstance(caught.value, gc.UnexpectedResponseError)
        assert "nested more than 200 levels" in caught.value.user_message
    else:
        # An error body too deep to read still gives the status's error.
        assert caught.value.status_code == status


# -- API versions ---------------------------------------------------------------------------------


async def test_an_old_version_falls_forward_with_a_warning(
    store: FakeShopifyStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with connect(store, api_version="2023-10") as connector:
        result = await connector.test_connection()
        await connector.count_products()
        info = await connector.get_store_info()
    oldest = store.versions.stable[0]
    assert result.success
    # The same warning as the GraphQL client's, naming the versions the SDK supports.
    assert result.warnings == [
        f"API version: requested 2023-10, the store answered with {oldest}: the requested version "
        "is no longer supported, so Shopify serves the oldest version it still supports. "
        f"Set this store's API version to {oldest} or newer "
        f"(supported: {', '.join(SUPPORTED_API_VERSIONS)})."
    ]
    assert info.api_version == oldest
    reasons = [r for r in caplog.records if "deprecation" in r.getMessage()]
    assert len(reasons) == 1  # logged once, not on every request
    assert "versioning#deprecation-practices" in reasons[0].getMessage()
    assert reasons[0].levelno == logging.WARNING


@pytest.mark.parametrize("version", [gc.DEFAULT_SHOPIFY_API_VERSION, "2027-01", "unstable"])
async def test_served_versions_warn_nothing(store: FakeShopifyStore, version: str) -> None:
    async with connect(store, api_version=version) as connector:
        result = await connector.test_connection()
    assert result.success
    assert result.warnings == []
    assert result.store_info is not None
    assert result.store_info.api_version == version


@pytest.mark.parametrize("version", ["2027-10", "2026-02", "2026-13"])
async def test_a_version_never_served_is_an_api_version_error(
    store: FakeShopifyStore, version: str
) -> None:
    async with connect(store, api_version=version) as connector:
        result = await connector.test_connection()
        with pytest.raises(gc.APIVersionError):
            await connector.get_products()
    assert result.error_code == "api_version_unsupported"
    assert result.error_message is not None
    assert version in result.error_message


async def test_a_404_page_is_no_store_at_that_address(store: FakeShopifyStore) -> None:
    store.inject("html", status=404, times=None)
    async with connect(store) as connector:
        result = await connector.test_connection()
    assert result.error_code == "invalid_store_url"


def test_graphql_gets_the_graphql_connector(store: FakeShopifyStore) -> None:
    from g4hub_connectors.shopify_graphql import ShopifyGraphQLConnector

    connector = gc.create_connector(store.credentials(api="graphql"))
    assert isinstance(connector, ShopifyGraphQLConnector)
