"""Every connector passes the contract the SDK ships (`g4hub_connectors.testing.contract`): the
built-in ones, Shopify's GraphQL connector, and Acme, a third platform installed through an
entry point."""

from __future__ import annotations

from g4hub_connectors.testing import (
    FakeShopifyGraphQLStore,
    FakeShopifyStore,
    FakeWooCommerceStore,
)
from g4hub_connectors.testing.contract import ConnectorContract
from tests.connectors.contract.acme import FakeAcmeStore


class TestWooCommerce(ConnectorContract):
    store_factory = FakeWooCommerceStore


class TestShopify(ConnectorContract):
    store_factory = FakeShopifyStore


class TestShopifyGraphQL(ConnectorContract):
    store_factory = FakeShopifyGraphQLStore


class TestAcme(ConnectorContract):
    store_factory = FakeAcmeStore
