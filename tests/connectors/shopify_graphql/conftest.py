"""Helpers for the GraphQL connector's tests: a fake store on a virtual clock shared with the
connector, so pacing, bulk operations and token expiry run without real waiting."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.shopify_graphql import ShopifyGraphQLConnector
from g4hub_connectors.testing import FakeShopifyGraphQLStore

FAST_RETRY = {"max_attempts": 3, "initial_delay": 0.001, "max_delay": 0.01}


class VirtualClock:
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
def clock() -> VirtualClock:
    return VirtualClock()


def make_store(clock: VirtualClock, **options: Any) -> FakeShopifyGraphQLStore:
    options.setdefault("products", 40)
    return FakeShopifyGraphQLStore(clock=clock, **options)


def connect(
    store: FakeShopifyGraphQLStore, clock: VirtualClock, **options: Any
) -> ShopifyGraphQLConnector:
    """A GraphQL connector to `store` in-process, on `clock`, with fast retries."""
    overrides = options.pop("config", {})
    overrides.setdefault("retry", FAST_RETRY)
    config = ShopifyConfig.model_validate(store.credentials(**overrides))
    options.setdefault("bulk_poll_interval", 0.5)
    return ShopifyGraphQLConnector(
        config, http_client=store.http_client(), clock=clock, sleep=clock.sleep, **options
    )


@pytest.fixture
def store(clock: VirtualClock) -> FakeShopifyGraphQLStore:
    return make_store(clock)
