"""Helpers for the GraphQL connector's tests: a fake store on a virtual clock shared with the
connector, so pacing, bulk operations and token expiry run without real waiting."""

from __future__ import annotations

from typing import Any

import pytest

from g4hub_connectors.config import ShopifyConfig
from g4hub_connectors.shopify_graphql import ShopifyGraphQLConnector
from g4hub_connectors.testing import FakeShopifyGraphQLStore
from tests.connectors.shopify.conftest import FAST_RETRY
from tests.connectors.shopify.conftest import FakeClock as VirtualClock


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
