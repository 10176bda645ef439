"""How the client reaches a store: discovery through the WordPress index, the `?rest_route=`
fallback, the stripped-Authorization-header fallback, sub-folder installs, and errors."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeWooCommerceStore

from .conftest import connect, wc_requests

HEADER_WARNING = "your host strips the authorization header"


# -- the Authorization header fallback ------------------------------------------------------------


async def test_stripped_header_falls_back_to_query_auth_once() -> None:
    store = FakeWooCommerceStore(products=120, strip_authorization_header=True)
    async with connect(store) as connector:
        result = await connector.test_connection()
        ids = [p.id async for p in connector.iter_products()]
    assert result.success, result.error_message
    assert result.products_count == 120
    assert len(ids) == 120
    assert len(result.warnings) == 1
    assert HEADER_WARNING in result.warnings[0].lower()
    # One refused header-auth request, then query auth for good: no second retry, ever.
    assert store.auth_log.count(None) == 1
    assert set(store.auth_log[1:]) == {"query"}
    assert result.store_info is not None
    assert result.store_info.extra["authentication"] == "query"


async def test_unknown_key_is_retried_once_then_reported() -> None:
    store = FakeWooCommerceStore(products=5)
    async with gc.create_connector(store.wrong_credentials(), http_client=store.http_client()) as c:
        result = await c.test_connection()
        with pytest.raises(gc.AuthenticationError) as caught:
            await c.count_products()
    assert not result.success
    assert result.error_code == "invalid_credentials"
    assert result.error_message == (
        "Unable to connect to your WooCommerce store. Please check your Consumer Key and Secret."
    )
    assert result.warnings == []  # query auth did not help, so nothing to warn about
    assert caught.value.status_code == 401
    assert caught.value.platform_code == "woocommerce_rest_cannot_view"
    # header, query (the one retry), then header only: the key is wrong, not the host
    assert store.auth_log == [None, None, None]
    assert [dict(r.query).get("consumer_key") is not None for r in wc_requests(store)] == [
        False,
        True,
        False,
    ]


async def test_header_auth_is_kept_when_it_works() -> None:
    store = FakeWooCommerceStore(products=5)
    async with connect(store) as connector:
        await connector.test_connection()
    assert set(store.auth_log) == {"basic"}
    assert all("consumer_secret" not in dict(r.query) for r in store.requests)


async def test_query_auth_never_leaks_into_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = FakeWooCommerceStore(products=150, strip_authorization_header=True)
    async with connect(store) as connector:
        await connector.test_connection()
        _ = [p async for p in connector.iter_products()]
        store.inject("status", status=500, times=None, path="/products")
        with pytest.raises(gc.PlatformUnavailableError) as caught:
            await connector.get_products()
        shown = [str(caught.value), repr(caught.value), caught.value.user_message, repr(connector)]
        shown.append(repr(connector._client))
    assert any("consumer_secret" in dict(r.query) for r in store.requests)  # it was used
    logged = caplog.text
    assert "HTTP Request" in logged  # httpx logged the URLs, masked
    for secret in (store.consumer_secret, store.consumer_key):
        assert secret not in logged
        for text in shown:
            assert secret not in text


# -- plain permalinks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"strip_authorization_header": True},
        {"url": "http://shop.example"},  # OAuth 1.0a
        {"url": "http://x.example", "site_path": "/blog/shop"},
    ],
)
async def test_plain_permalinks_are_reported_with_their_remedy(options: dict[str, Any]) -> None:
    # WooCommerce 9.2 answers 401 to valid keys on ?rest_route=: falling back there can only
    # end in "check your keys", which sends the merchant the wrong way.
    store = FakeWooCommerceStore(products=20, pretty_permalinks=False, **options)
    async with connect(store) as connector:
        result = await connector.test_connection()
        with pytest.raises(gc.PermalinksRequiredError) as caught:
            _ = [p async for p in connector.iter_products()]
    assert not result.success
    assert result.error_code == "permalinks_required"
    assert "Settings → Permalinks" in (result.error_message or "")
    assert '"Plain"' in (result.error_message or "")
    assert caught.value.remedy == gc.Remedy.FIX_SETTINGS
    assert "index.php?rest_route=/" in str(caught.value)
    assert wc_requests(store) == []  # no key was sent where it cannot authenticate
    assert store.auth_log == []


async def test_a_rest_no_route_index_on_a_wordpress_site_is_permalinks_required() -> None:
    store = FakeWooCommerceStore(products=5)
    store.inject("status", status=404, times=1, path="/wp-json/")  # rest_no_route, as JSON
    async with connect(store) as connector:
        result = await connector.test_connection()
    assert result.error_code == "permalinks_required"
    assert wc_requests(store) == []


async def test_plain_permalinks_without_woocommerce_say_woocommerce_is_missing() -> None:
    store = FakeWooCommerceStore(products=5, pretty_permalinks=False, installed=False)
    async with connect(store) as connector:
        result = await connector.test_connection()
    assert result.error_code == "invalid_store_url"
    assert "WooCommerce" in (result.error_message or "")


async def test_sub_folder_installs_keep_their_path() -> None:
    store = FakeWooCommerceStore(products=15, site_path="/shop")
    assert store.credentials()["store_url"] == "https://fake-store.example/shop"
    async with connect(store) as connector:
        result = await connector.test_connection()
    assert result.success, result.error_message
    assert all(r.path.startswith("/shop/") for r in store.requests)


# -- discovery ------------------------------------------------------------------------------------


async def test_the_index_is_read_once_without_credentials() -> None:
    store = FakeWooCommerceStore(products=5)
    async with connect(store) as connector:
        await connector.test_connection()
        await connector.count_products()
    index = [r for r in store.requests if r.path == "/wp-json/"]
    assert len(index) == 1
    assert "authorization" not in index[0].headers
    assert dict(index[0].query)["_fields"].startswith("name,")


async def test_missing_api_version_is_an_api_version_error() -> None:
    store = FakeWooCommerceStore(products=5, api_versions=("wc/v1", "wc/v2"))
    async with connect(store) as connector:
        result = await connector.test_connection()
    assert result.error_code == "api_version_unsupported"
    assert result.error_message is not None
    assert "wc/v3" in result.error_message
    assert "wc/v1, wc/v2" in result.error_message


async def test_other_api_versions_can_be_asked_for() -> None:
    store = FakeWooCommerceStore(products=5)
    async with connect(store, api_version="wc/v2") as connector:
        assert await connector.count_products() == 5
    assert all("/wc/v2/" in r.path for r in wc_requests(store))


async def test_wordpress_without_woocommerce() -> None:
    store = FakeWooCommerceStore(products=5, installed=False)
    async with connect(store) as connector:
        with pytest.raises(gc.InvalidStoreURLError) as caught:
            await connector.get_store_info()
    assert "WooCommerce" in caught.value.user_message
    assert "WordPress site" in caught.value.user_message


async def test_not_wordpress_at_all_says_what_came_back_from_where() -> None:
    store = FakeWooCommerceStore(products=5)
    store.inject("html", status=404, times=None)
    async with connect(store) as connector:
        result = await connector.test_connection()
    assert result.error_code == "invalid_store_url"
    message = result.error_message or ""
    assert "https://fake-store.example/wp-json/" in message
    assert "index.php?rest_route=/" in message
    assert "404 with an HTML page" in message


async def test_a_json_answer_that_is_not_an_index() -> None:
    store = FakeWooCommerceStore(products=5)
    store.inject("status", status=200, body=b'{"status": "ok"}', times=2)
    async with connect(store) as connector:
        with pytest.raises(gc.InvalidStoreURLError) as caught:
            await connector.count_products()
    assert "/wp-json/ answered 200 with 16 bytes of application/json" in caught.value.user_message


async def test_an_index_closed_to_visitors_is_a_warning() -> None:
    store = FakeWooCommerceStore(products=5)
    body = {
        "code": "rest_login_required",
        "message": "REST API restricted.",
        "data": {"status": 401},
    }
    store.inject("status", status=401, body=json.dumps(body).encode(), times=1)
    async with connect(store) as connector:
        result = await connector.test_connection()
    assert result.success
    assert result.store_name is None
    assert result.products_count == 5
    assert any("index" in w for w in result.warnings)


async def test_a_redirect_is_reported_with_its_target() -> None:
    store = FakeWooCommerceStore(products=5)
    store.inject(
        "status", status=301, body=b"", headers=[("location", "https://www.shop.example/wp-json/")]
    )
    async with connect(store) as connector:
        with pytest.raises(gc.InvalidStoreURLError) as caught:
            await connector.count_products()
    assert "https://www.shop.example/wp-json/" in caught.value.user_message


# -- error answers ---------------------------------------------------------------------------------


def wp_error(code: str, message: str, status: int, **data: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "data": {"status": status, **data}}


@pytest.mark.parametrize(
    ("status", "body", "expected", "user_message"),
    [
        (
            401,
            wp_error("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", 401),
            gc.AuthenticationError,
            "Please check your Consumer Key and Secret.",
        ),
        (
            401,
            wp_error("woocommerce_rest_authentication_error", "Consumer secret is invalid.", 401),
            gc.AuthenticationError,
            "Please check your Consumer Key and Secret.",
        ),
        (
            403,
            wp_error("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", 403),
            gc.PermissionDeniedError,
            "Read/Write access",
        ),
        (
            404,
            wp_error("woocommerce_rest_product_invalid_id", "Invalid ID.", 404),
            gc.NotFoundError,
            "does not exist",
        ),
        (
            400,
            wp_error("woocommerce_rest_product_invalid_id", "Invalid ID.", 400),
            gc.NotFoundError,
            "does not exist",
        ),
        (
            404,
            wp_error(
                "rest_no_route", "No route was found matching the URL and request method.", 404
            ),
            gc.NotFoundError,
            "does not exist",
        ),
        (
            400,
            wp_error(
                "rest_invalid_param",
                "Invalid parameter(s): per_page",
                400,
                params={"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"},
            ),
            gc.InvalidRequestError,
            "per_page: per_page must be between 1",
        ),
        (
            413,
            wp_error(
                "woocommerce_rest_request_entity_too_large",
                "Unable to accept more than 100 items for this request.",
                413,
            ),
            gc.InvalidRequestError,
            "Unable to accept more than 100 items",
        ),
    ],
)
async def test_wp_errors_become_the_right_class(
    status: int, body: dict[str, Any], expected: type[gc.ConnectorError], user_message: str
) -> None:
    store = FakeWooCommerceStore(products=5)
    store.inject("status", status=status, body=json.dumps(body).encode(), times=2, path="/products")
    async with connect(store) as connector:
        with pytest.raises(expected) as caught:
            await connector.get_product("12")
    error = caught.value
    assert type(error) is expected
    assert error.platform == "woocommerce"
    assert error.status_code == status
    assert error.platform_code == body["code"]
    assert user_message in error.user_message
    if expected is gc.InvalidRequestError and "params" in body["data"]:
        assert isinstance(error, gc.InvalidRequestError)
        assert error.fields == body["data"]["params"]


async def test_a_real_per_page_refusal_names_the_parameter() -> None:
    store = FakeWooCommerceStore(products=5)
    async with connect(store) as connector:
        with pytest.raises(gc.InvalidRequestError) as caught:
            await connector._client.list_products(page=1, per_page=101)
    assert set(caught.value.fields) == {"per_page"}


@pytest.mark.parametrize(
    ("kind", "words"),
    [("html", "HTML page titled"), ("truncated", "cut off"), ("empty", "empty body")],
)
async def test_unreadable_bodies_say_what_came_back(kind: Any, words: str) -> None:
    store = FakeWooCommerceStore(products=5)
    store.inject(kind, status=200, times=None, path="/products")
    async with connect(store) as connector:
        with pytest.raises(gc.UnexpectedResponseError) as caught:
            await connector.count_products()
    assert words in str(caught.value)
    assert "/wp-json/wc/v3/products" in str(caught.value)


async def test_a_firewall_page_instead_of_an_error_is_not_blamed_on_the_key() -> None:
    store = FakeWooCommerceStore(products=5)
    page = b"<html><head><title>Attention Required! | Cloudflare</title></head><body></body></html>"
    store.inject("status", status=403, body=page, times=None, path="/products")
    async with connect(store) as connector:
        result = await connector.test_connection()
    assert result.error_code == "unexpected_response"
    assert "Attention Required! | Cloudflare" in (result.error_message or "")
    assert "403" in (result.error_message or "")


async def test_a_maintenance_page_is_retried_and_described() -> None:
    store = FakeWooCommerceStore(products=5)
    fault = store.inject("html", status=503, times=None, path="/products")
    async with connect(store) as connector:
        with pytest.raises(gc.PlatformUnavailableError) as caught:
            await connector.count_products()
    assert fault.fired == 3
    assert "HTML page" in str(caught.value)


async def test_missing_total_header_is_explained() -> None:
    store = FakeWooCommerceStore(products=5)
    transport = StripHeaders(store.transport(), "x-wp-total")
    config = store.credentials()
    async with gc.create_connector(config, http_client=httpx.AsyncClient(transport=transport)) as c:
        with pytest.raises(gc.UnexpectedResponseError) as caught:
            await c.count_products()
    assert "X-WP-Total" in caught.value.user_message


class StripHeaders(httpx.AsyncBaseTransport):
    """A proxy that drops some response headers, as some caches do with X-WP-*."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *names: str) -> None:
        self.inner = inner
        self.names = names

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        for name in self.names:
            response.headers.pop(name, None)
        return response
