"""Expiring offline tokens: refreshed before expiry, the rotated refresh token handed to the
caller (the hub stores it sealed), never shown."""

from __future__ import annotations

import logging

import pytest

import g4hub_connectors as gc
from g4hub_connectors.shopify.auth import TokenGrant

from .conftest import VirtualClock, connect, make_store


def _offline_config(store: object, pair: dict[str, object]) -> dict[str, object]:
    return {
        "access_token": pair["access_token"],
        "refresh_token": pair["refresh_token"],
        "client_id": store.client_id,  # type: ignore[attr-defined]
        "client_secret": store.client_secret,  # type: ignore[attr-defined]
    }


async def test_an_expiring_token_is_refreshed_before_it_expires(
    clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = make_store(clock)
    pair = store.graphql.issue_offline_token()
    grants: list[TokenGrant] = []
    async with connect(
        store,
        clock,
        config={**_offline_config(store, pair), "access_token": None},
        on_token_refresh=grants.append,
    ) as connector:
        assert await connector.count_products() == 40
        assert len(grants) == 1  # no usable access token given: refreshed first
        first_refresh = grants[0].refresh_token
        assert first_refresh
        assert first_refresh != pair["refresh_token"]
        assert connector.refresh_token == first_refresh
        clock.advance(3_600 - 60)  # within the margin before expiry
        assert await connector.count_products() == 40
        assert len(grants) == 2
        assert connector.refresh_token == grants[1].refresh_token != first_refresh
        shown = [repr(connector), repr(connector.client.auth), repr(grants[1]), caplog.text]
    # The used refresh tokens no longer work; only the newest is live.
    assert store.graphql.refresh_tokens == {grants[1].refresh_token}
    for secret in (pair["refresh_token"], first_refresh, grants[1].access_token):
        for text in shown:
            assert str(secret) not in text


async def test_a_given_access_token_is_used_until_refused(clock: VirtualClock) -> None:
    store = make_store(clock)
    pair = store.graphql.issue_offline_token()
    grants: list[TokenGrant] = []
    async with connect(
        store, clock, config=_offline_config(store, pair), on_token_refresh=grants.append
    ) as connector:
        assert await connector.count_products() == 40
        assert grants == []
        clock.advance(3_601)  # the store no longer takes it: a 401, then one refresh
        assert await connector.count_products() == 40
    assert len(grants) == 1


async def test_a_dead_refresh_token_asks_to_reconnect(clock: VirtualClock) -> None:
    store = make_store(clock)
    pair = store.graphql.issue_offline_token()
    store.graphql.refresh_tokens.clear()
    async with connect(
        store, clock, config={**_offline_config(store, pair), "access_token": None}
    ) as connector:
        result = await connector.test_connection()
    assert result.error_code == "invalid_credentials"
    assert result.error_message is not None
    assert "reconnect the store" in result.error_message


def test_a_refresh_token_needs_the_app_credentials() -> None:
    store = make_store(VirtualClock())
    with pytest.raises(gc.InvalidConfigError, match="refresh_token"):
        gc.create_connector(store.credentials(refresh_token="shprt_x"))


async def test_client_credentials_work_over_graphql(clock: VirtualClock) -> None:
    store = make_store(clock)
    async with gc.create_connector(
        store.client_credentials(), http_client=store.http_client()
    ) as connector:
        assert await connector.count_products() == 40
    assert store.token_requests == 1
