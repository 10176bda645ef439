"""Every error path of the seed's section 7 answers its message over the API: invalid
credentials, missing permissions, rate limiting, timeouts, invalid store URLs, API version
mismatches.

The same failure answers differently by route, on purpose: the wizard's check
(`POST /api/stores/test-connection`) answers 200 with `success: false` and the error, adding a
store answers the error's status (422 for settings to fix, 502 for a store that failed, 504 for one
that timed out), and testing a saved store records the error on it.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from g4hub_connectors import ConnectorTimeoutError, PlatformUnavailableError, RateLimitedError
from g4hub_connectors.testing import FakeShopifyStore, FakeStore, FakeWooCommerceStore
from g4hub_core import Hub, HubSettings
from hub_api.app import create_app
from hub_api.settings import ApiSettings
from tests.api.stores.helpers import Account, add_store, sign_up
from tests.api.sync.helpers import wait_for_sync

WOO_BAD_KEYS = (
    "Unable to connect to your WooCommerce store. Please check your Consumer Key and Secret."
)
SHOPIFY_NO_READ_PRODUCTS = (
    "Your Shopify access token doesn't have required permissions. "
    "Please regenerate with 'read_products' scope."
)
# The SDK honours Retry-After, so a store asking for no wait lets its retries run at once.
NO_WAIT = [("Retry-After", "0")]


@pytest.fixture
async def account(client: AsyncTestClient[Any]) -> Account:
    return await sign_up(client)


@pytest.fixture
def woo() -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=8)
    with store.serve():
        yield store


@pytest.fixture
def shop() -> Iterator[FakeShopifyStore]:
    store = FakeShopifyStore(products=8)
    with store.serve():
        yield store


@pytest.fixture
def dead_url() -> str:
    """A loopback address nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def check(
    client: AsyncTestClient[Any], account: Account, credentials: dict[str, Any]
) -> dict[str, Any]:
    """The wizard's check: always 200 for settings that can be tried."""
    response = await client.post(
        "/api/stores/test-connection", json=credentials, headers=account.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is False
    return body


async def add(
    client: AsyncTestClient[Any], account: Account, credentials: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        "/api/stores", json={"name": "Shop", **credentials}, headers=account.headers
    )


async def assert_no_store(client: AsyncTestClient[Any], account: Account) -> None:
    assert (await client.get("/api/stores", headers=account.headers)).json() == {"items": []}


def error_of(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    return error


# -- invalid API credentials --------------------------------------------------------------------


async def test_wrong_woocommerce_keys_answer_the_seeds_message(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    checked = await check(client, account, woo.wrong_credentials())
    assert checked["error"] == {"code": "invalid_credentials", "message": WOO_BAD_KEYS}

    added = await add(client, account, woo.wrong_credentials())
    assert added.status_code == 422
    assert (error_of(added)["code"], error_of(added)["message"]) == (
        "invalid_credentials",
        WOO_BAD_KEYS,
    )
    await assert_no_store(client, account)


async def test_a_wrong_shopify_token_names_the_token(
    client: AsyncTestClient[Any], account: Account, shop: FakeShopifyStore
) -> None:
    checked = await check(client, account, shop.wrong_credentials())
    assert checked["error"]["code"] == "invalid_credentials"
    assert "Unable to connect to your Shopify store" in checked["error"]["message"]
    assert "access token" in checked["error"]["message"]


async def test_keys_revoked_after_saving_are_recorded_on_the_store(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    woo.keys.clear()  # the merchant revoked the key in WooCommerce

    tested = await client.post(f"/api/stores/{store['id']}/test", headers=account.headers)
    assert tested.status_code == 200
    assert tested.json()["connection_status"] == "failed"
    assert tested.json()["last_error_code"] == "invalid_credentials"
    assert tested.json()["last_error_message"] == WOO_BAD_KEYS


# -- missing required permissions ---------------------------------------------------------------


async def test_a_shopify_token_without_read_products_answers_the_seeds_message(
    client: AsyncTestClient[Any], account: Account
) -> None:
    shop = FakeShopifyStore(products=8, scopes={"read_inventory", "read_locations"})
    with shop.serve():
        checked = await check(client, account, shop.credentials())
        added = await add(client, account, shop.credentials())

    assert checked["error"] == {"code": "permission_denied", "message": SHOPIFY_NO_READ_PRODUCTS}
    assert added.status_code == 422
    assert error_of(added)["message"] == SHOPIFY_NO_READ_PRODUCTS
    await assert_no_store(client, account)


async def test_a_scope_removed_later_is_recorded_on_the_store(
    client: AsyncTestClient[Any], account: Account, shop: FakeShopifyStore
) -> None:
    store = await add_store(client, account, shop)
    shop.scopes = frozenset({"read_inventory"})

    tested = await client.post(f"/api/stores/{store['id']}/test", headers=account.headers)
    assert tested.json()["connection_status"] == "failed"
    assert tested.json()["last_error_code"] == "permission_denied"
    assert tested.json()["last_error_message"] == SHOPIFY_NO_READ_PRODUCTS


# -- rate limiting (429) ------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["woocommerce", "shopify"])
async def test_a_few_429s_are_retried_away(
    client: AsyncTestClient[Any],
    account: Account,
    woo: FakeWooCommerceStore,
    shop: FakeShopifyStore,
    platform: str,
) -> None:
    store: FakeStore = woo if platform == "woocommerce" else shop
    fault = store.inject("status", status=429, times=2, headers=NO_WAIT)

    added = await add(client, account, store.credentials())
    assert added.status_code == 201, added.text
    assert added.json()["connection_status"] == "connected"
    assert fault.fired == 2


@pytest.mark.parametrize("platform", ["woocommerce", "shopify"])
async def test_429s_that_outlast_the_retries_answer_rate_limited(
    client: AsyncTestClient[Any],
    account: Account,
    woo: FakeWooCommerceStore,
    shop: FakeShopifyStore,
    platform: str,
) -> None:
    store: FakeStore = woo if platform == "woocommerce" else shop
    store.inject("status", status=429, times=None, headers=NO_WAIT)
    message = RateLimitedError("429", platform=platform).user_message

    checked = await check(client, account, store.credentials())
    assert checked["error"] == {"code": "rate_limited", "message": message}

    added = await add(client, account, store.credentials())
    assert added.status_code == 502
    assert (error_of(added)["code"], error_of(added)["message"]) == ("rate_limited", message)
    await assert_no_store(client, account)


async def test_a_sync_rate_limited_to_the_end_fails_with_the_message(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    store = await add_store(client, account, woo)
    woo.inject("status", status=429, times=None, headers=NO_WAIT, path="/products")

    requested = await client.post(f"/api/stores/{store['id']}/sync", headers=account.headers)
    assert requested.status_code == 202
    log = await wait_for_sync(client, account, requested.json()["id"])

    assert (log["status"], log["error_code"]) == ("failed", "rate_limited")
    assert log["error_message"] == RateLimitedError("429", platform="woocommerce").user_message
    overview = (await client.get("/api/dashboard/overview", headers=account.headers)).json()
    assert overview["stores"][0]["indicator"] == "warning"
    assert overview["recent_activity"][0]["error_code"] == "rate_limited"


# -- network timeouts ---------------------------------------------------------------------------


class _ImpatientTransport(httpx.AsyncHTTPTransport):
    """Cuts every request's timeout to 0.2 s. A store's timeout (30 s) is not a setting the API
    takes, so the hub's HTTP client stands in for a network on which 30 s run out."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions["timeout"] = dict.fromkeys(("connect", "read", "write", "pool"), 0.2)
        return await super().handle_async_request(request)


@pytest.fixture
async def impatient_client(
    hub_settings: HubSettings, api_settings: ApiSettings, tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    migrating = Hub(hub_settings)
    await migrating.upgrade()
    await migrating.engine.dispose()
    async with httpx.AsyncClient(transport=_ImpatientTransport()) as http:
        app = create_app(api_settings=api_settings, hub=Hub(hub_settings, http_client=http))
        async with AsyncTestClient(app=app) as test_client:
            yield test_client


async def test_a_store_that_does_not_answer_in_time_is_a_timeout(
    impatient_client: AsyncTestClient[Any], woo: FakeWooCommerceStore
) -> None:
    client = impatient_client
    account = await sign_up(client)
    # Every attempt hangs a little longer than the client waits. The SDK retries timeouts with
    # backoff, so each call below takes a few seconds: the price of the real retry path.
    woo.inject("hang", times=None, seconds=0.5)
    message = ConnectorTimeoutError("slow", platform="woocommerce").user_message

    checked = await check(client, account, woo.credentials())
    added = await add(client, account, woo.credentials())

    assert checked["error"] == {"code": "timeout", "message": message}
    assert added.status_code == 504
    assert (error_of(added)["code"], error_of(added)["message"]) == ("timeout", message)
    await assert_no_store(client, account)


# -- invalid store URLs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "store_url", ["", "not a url", "ftp://127.0.0.1/shop", "http://", "https://exa mple.com"]
)
async def test_a_malformed_store_url_is_invalid_input(
    client: AsyncTestClient[Any], account: Account, store_url: str
) -> None:
    credentials = FakeWooCommerceStore().credentials(store_url=store_url)
    for response in (
        await client.post("/api/stores/test-connection", json=credentials, headers=account.headers),
        await add(client, account, credentials),
    ):
        assert response.status_code == 422, response.text
        assert error_of(response)["code"] == "invalid_store_url"
        assert error_of(response)["details"]["store_url"]
    await assert_no_store(client, account)


async def test_an_address_nothing_answers_at_is_platform_unavailable(
    client: AsyncTestClient[Any], account: Account, dead_url: str
) -> None:
    credentials = FakeWooCommerceStore().credentials(store_url=dead_url)
    message = PlatformUnavailableError("down", platform="woocommerce").user_message

    checked = await check(client, account, credentials)
    assert checked["error"]["code"] == "platform_unavailable"
    added = await add(client, account, credentials)
    assert added.status_code == 502
    assert error_of(added)["code"] == "platform_unavailable"
    assert checked["error"]["message"] == error_of(added)["message"] == message
    await assert_no_store(client, account)


async def test_an_address_that_is_another_platform_is_an_invalid_store_url(
    client: AsyncTestClient[Any],
    account: Account,
    woo: FakeWooCommerceStore,
    shop: FakeShopifyStore,
) -> None:
    checked = await check(client, account, shop.credentials(store_url=woo.url))
    assert checked["error"]["code"] == "invalid_store_url"
    assert "No Shopify store answers" in checked["error"]["message"]
    added = await add(client, account, woo.credentials(store_url=shop.url))
    assert added.status_code == 422
    assert error_of(added)["code"] == "invalid_store_url"


async def test_a_private_address_is_refused_when_the_hub_does_not_allow_it(
    hub_settings: HubSettings, api_settings: ApiSettings, woo: FakeWooCommerceStore
) -> None:
    strict = hub_settings.model_copy(update={"allow_private_store_hosts": False})
    migrating = Hub(strict)
    await migrating.upgrade()
    await migrating.engine.dispose()
    async with AsyncTestClient(app=create_app(strict, api_settings)) as client:
        account = await sign_up(client)
        response = await add(client, account, woo.credentials())
    assert response.status_code == 422
    assert error_of(response)["code"] == "store_host_not_allowed"
    assert woo.requests == []  # refused before any request reached the address


# -- API version mismatches ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "version", "expected"),
    [
        ("woocommerce", "wc/v9", "does not serve the REST API version wc/v9"),
        ("shopify", "2030-01", "does not serve API version 2030-01"),
    ],
)
async def test_a_version_the_store_does_not_serve_is_api_version_unsupported(
    client: AsyncTestClient[Any],
    account: Account,
    woo: FakeWooCommerceStore,
    shop: FakeShopifyStore,
    platform: str,
    version: str,
    expected: str,
) -> None:
    store: FakeStore = woo if platform == "woocommerce" else shop
    credentials = store.credentials(api_version=version)

    checked = await check(client, account, credentials)
    assert checked["error"]["code"] == "api_version_unsupported"
    assert expected in checked["error"]["message"]
    added = await add(client, account, credentials)
    assert added.status_code == 422
    assert error_of(added)["code"] == "api_version_unsupported"


async def test_a_retired_shopify_version_connects_with_a_warning(
    client: AsyncTestClient[Any], account: Account, shop: FakeShopifyStore
) -> None:
    response = await client.post(
        "/api/stores/test-connection",
        json=shop.credentials(api_version="2019-01"),
        headers=account.headers,
    )
    assert response.json()["success"] is True
    assert any("no longer supported" in warning for warning in response.json()["warnings"])


async def test_a_malformed_version_is_invalid_input(
    client: AsyncTestClient[Any], account: Account, woo: FakeWooCommerceStore
) -> None:
    response = await add(client, account, woo.credentials(api_version="v3"))
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_store_settings"
    assert "wc/v3" in error_of(response)["message"]
