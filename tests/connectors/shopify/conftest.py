"""Helpers for the Shopify connector's tests: connectors wired in-process to a fake store, and a
clock that store and connector share, so pacing and token expiry run without real waiting."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.shopify import ShopifyConnector
from g4hub_connectors.testing import FakeShopifyStore

FAST_RETRY = {"max_attempts": 3, "initial_delay": 0.001, "max_delay": 0.01}


class FakeClock:
    """Monotonic time that moves only when someone sleeps on it (or a test advances it)."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def connect(
    store: FakeShopifyStore,
    *,
    clock: FakeClock | None = None,
    client_credentials: bool = False,
    leak_rate: float | None = None,
    **overrides: Any,
) -> ShopifyConnector:
    """A connector to `store` in-process with fast retries; on `clock` when given."""
    overrides.setdefault("retry", FAST_RETRY)
    creds = (
        store.client_credentials(**overrides)
        if client_credentials
        else store.credentials(**overrides)
    )
    config = ShopifyConfig.model_validate(creds)
    if clock is None:
        return ShopifyConnector(config, http_client=store.http_client(), leak_rate=leak_rate)
    return ShopifyConnector(
        config,
        http_client=store.http_client(),
        clock=clock,
        sleep=clock.sleep,
        leak_rate=leak_rate,
    )


def secrets_of(store: FakeShopifyStore) -> list[str]:
    """Every credential the store knows: the static token, the app secret, issued tokens."""
    return [store.access_token, store.client_secret, *store.issued]
