"""Access tokens: static `shpat_` tokens, and the client-credentials grant (cached, refreshed
before expiry and once on a 401, fetched once for concurrent callers)."""

from __future__ import annotations

import asyncio
import logging

import pytest

import g4hub_connectors as gc
from g4hub_connectors.shopify.auth import ClientCredentialsToken, StaticToken, TokenGrant
from g4hub_connectors.testing import FakeShopifyStore

from .conftest import FakeClock, connect, secrets_of


class Grants:
    """A token endpoint that counts its calls and can be slow."""

    def __init__(self, expires_in: float | None = 86_399.0, delay: float = 0.0) -> None:
        self.calls = 0
        self.expires_in = expires_in
        self.delay = delay

    async def __call__(self) -> TokenGrant:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        return TokenGrant(f"shpat_token{self.calls}", "read_products", self.expires_in)


async def test_a_token_is_cached_until_shortly_before_it_expires(clock: FakeClock) -> None:
    grants = Grants(expires_in=86_399)
    provider = ClientCredentialsToken(grants, clock=clock)
    assert await provider.token() == "shpat_token1"
    clock.advance(86_399 - 301)
    assert await provider.token() == "shpat_token1"
    clock.advance(2)  # now within five minutes of expiry
    assert await provider.token() == "shpat_token2"
    assert grants.calls == 2
    assert provider.scope == frozenset({"read_products"})


async def test_short_lived_tokens_are_replaced_at_half_life(clock: FakeClock) -> None:
    grants = Grants(expires_in=60)
    provider = ClientCredentialsToken(grants, clock=clock)
    await provider.token()
    clock.advance(29)
    await provider.token()
    assert grants.calls == 1
    clock.advance(2)
    await provider.token()
    assert grants.calls == 2


async def test_concurrent_callers_share_one_fetch(clock: FakeClock) -> None:
    grants = Grants(delay=0.01)
    provider = ClientCredentialsToken(grants, clock=clock)
    tokens = await asyncio.gather(*(provider.token() for _ in range(20)))
    assert set(tokens) == {"shpat_token1"}
    assert grants.calls == 1


async def test_invalidate_drops_only_the_token_that_failed(clock: FakeClock) -> None:
    grants = Grants()
    provider = ClientCredentialsToken(grants, clock=clock)
    old = await provider.token()
    provider.invalidate(old)
    new = await provider.token()
    provider.invalidate(old)  # a late failure of the old token must not drop the new one
    assert await provider.token() == new != old
    assert grants.calls == 2


def test_providers_never_show_their_token() -> None:
    assert "shpat_secret" not in repr(StaticToken("shpat_secret"))
    grant = TokenGrant("shpat_secret", "read_products", 10)
    assert "shpat_secret" not in repr(grant)


# -- against the fake store -----------------------------------------------------------------------


async def test_client_credentials_connect_and_cache_the_token(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=12, clock=clock)
    async with connect(store, clock=clock, client_credentials=True) as connector:
        result = await connector.test_connection()
        assert await connector.count_products() == 12
    assert result.success, result.error_message
    assert result.products_count == 12
    assert store.token_requests == 1


async def test_the_token_is_refreshed_before_it_expires(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=3, clock=clock, token_ttl=3_600)
    async with connect(store, clock=clock, client_credentials=True) as connector:
        await connector.count_products()
        clock.advance(3_600 - 299)  # inside the five-minute margin, still valid at the store
        await connector.count_products()
        assert store.token_requests == 2
        clock.advance(3_600 - 301)
        await connector.count_products()
    assert store.token_requests == 2
    assert store.count_requests("count.json") == 3  # no request met an expired token


async def test_an_expired_token_is_refused_by_the_store(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=1, clock=clock, token_ttl=60)
    async with store.http_client() as http:
        grant = await http.post(
            f"{store.url}/admin/oauth/access_token",
            data={
                "grant_type": "client_credentials",
                "client_id": store.client_id,
                "client_secret": store.client_secret,
            },
        )
        token = grant.json()["access_token"]
        url = f"{store.url}/admin/api/{gc.DEFAULT_SHOPIFY_API_VERSION}/shop.json"
        fresh = await http.get(url, headers={"X-Shopify-Access-Token": token})
        clock.advance(61)
        stale = await http.get(url, headers={"X-Shopify-Access-Token": token})
    assert grant.json()["expires_in"] == 60
    assert token.startswith("shpat_")
    assert fresh.status_code == 200
    assert stale.status_code == 401
    assert stale.json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }


async def test_a_revoked_token_is_replaced_once_on_a_401(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=3, clock=clock)
    async with connect(store, clock=clock, client_credentials=True) as connector:
        await connector.count_products()
        store.revoke_tokens()  # the merchant rotated the app's secret, or reinstalled it
        assert await connector.count_products() == 3
    assert store.token_requests == 2


async def test_a_second_401_is_an_authentication_error(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=3, clock=clock)
    async with connect(store, clock=clock, client_credentials=True) as connector:
        await connector.count_products()
        store.inject("status", status=401, times=2, path="count.json")
        with pytest.raises(gc.AuthenticationError) as caught:
            await connector.count_products()
    assert store.token_requests == 2  # one refresh, not a loop
    assert caught.value.status_code == 401
    assert "client ID and secret" in caught.value.user_message


async def test_a_static_token_is_not_retried_on_401() -> None:
    store = FakeShopifyStore(products=3)
    async with connect(store, access_token="shpat_" + "0" * 32) as connector:
        with pytest.raises(gc.AuthenticationError):
            await connector.count_products()
    assert store.count_requests("count.json") == 1
    assert store.token_requests == 0


async def test_concurrent_requests_fetch_one_token(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=3, clock=clock, latency=0.01)
    async with connect(store, clock=clock, client_credentials=True) as connector:
        counts = await asyncio.gather(*(connector.count_products() for _ in range(10)))
    assert counts == [3] * 10
    assert store.token_requests == 1


async def test_wrong_client_secret_says_which_credentials(clock: FakeClock) -> None:
    store = FakeShopifyStore(products=3, clock=clock)
    async with connect(
        store, clock=clock, client_credentials=True, client_secret="shpss_" + "0" * 32
    ) as connector:
        result = await connector.test_connection()
    assert not result.success
    assert result.error_code == "invalid_credentials"
    assert result.error_message is not None
    assert "client ID and secret" in result.error_message
    assert store.token_requests == 1  # a refused secret is not retried


async def test_no_token_or_secret_in_logs_errors_or_reprs(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = FakeShopifyStore(products=3, clock=clock, token_ttl=600)
    shown: list[str] = []
    async with connect(store, clock=clock, client_credentials=True) as connector:
        shown += [repr(connector), repr(connector.config), repr(connector.client.auth)]
        await connector.test_connection()
        clock.advance(600)
        store.revoke_tokens()
        await connector.count_products()
        store.inject("status", status=401, times=None, path="count.json")
        with pytest.raises(gc.ConnectorError) as caught:
            await connector.count_products()
        shown += [str(caught.value), repr(caught.value), caught.value.user_message]
    async with connect(store, clock=clock) as static:
        shown.append(repr(static.client.auth))
        store.clear_faults()
        await static.count_products()
    shown.append(caplog.text)
    assert store.issued, "tokens were issued"
    for secret in secrets_of(store):
        for text in shown:
            assert secret not in text
