"""The contract suite runs every test against every connector, through its fake store.

A new platform joins by adding its fake store to `FAKE_STORES`; it must then pass every test here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import g4hub_connectors as gc
from g4hub_connectors.testing import (
    FakeShopifyGraphQLStore,
    FakeShopifyStore,
    FakeStore,
    FakeWooCommerceStore,
)

StoreFactory = Callable[..., FakeStore]

FAKE_STORES: dict[str, StoreFactory] = {
    "woocommerce": FakeWooCommerceStore,
    "shopify": FakeShopifyStore,
    "shopify.graphql": FakeShopifyGraphQLStore,
}

FAST_RETRY = {"max_attempts": 3, "initial_delay": 0.001, "max_delay": 0.01}


@pytest.fixture(params=sorted(FAKE_STORES))
def make_store(request: pytest.FixtureRequest) -> StoreFactory:
    """A factory of fake stores of the platform under test: `make_store(products=120)`."""
    return FAKE_STORES[request.param]


@pytest.fixture
def store(make_store: StoreFactory) -> FakeStore:
    return make_store(products=37)


def connect(store: FakeStore, **overrides: Any) -> gc.BaseConnector[Any]:
    """A connector to `store` in-process, with fast retries."""
    overrides.setdefault("retry", FAST_RETRY)
    return gc.create_connector(store.credentials(**overrides), http_client=store.http_client())


@pytest.fixture
async def connector(store: FakeStore) -> AsyncIterator[gc.BaseConnector[Any]]:
    async with connect(store) as c:
        yield c
