"""pytest fixtures for code that talks to stores through g4hub-connectors.

Registered automatically (entry point `pytest11`) when the package is installed:

- `fake_woocommerce`, `fake_shopify`: a fresh in-process fake store with 50 products; connect with
  `create_connector(store.credentials(), http_client=store.http_client())`.
- `fake_woocommerce_server`, `fake_shopify_server`: the same, served on a loopback port for code
  that makes its own HTTP clients; `store.url` is where it listens.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from g4hub_connectors.testing.shopify import FakeShopifyStore
from g4hub_connectors.testing.woocommerce import FakeWooCommerceStore


@pytest.fixture
def fake_woocommerce() -> FakeWooCommerceStore:
    return FakeWooCommerceStore(products=50)


@pytest.fixture
def fake_shopify() -> FakeShopifyStore:
    return FakeShopifyStore(products=50)


@pytest.fixture
def fake_woocommerce_server() -> Iterator[FakeWooCommerceStore]:
    store = FakeWooCommerceStore(products=50)
    with store.serve():
        yield store


@pytest.fixture
def fake_shopify_server() -> Iterator[FakeShopifyStore]:
    store = FakeShopifyStore(products=50)
    with store.serve():
        yield store
