"""The fake Shopify store: the Admin API's shop, products, inventory and access-token routes, with
per-plan leaky buckets, quarterly API versions and Shopify's error bodies (PLATFORMS.md)."""

from g4hub_connectors.testing.shopify._graphql_store import FakeShopifyGraphQLStore
from g4hub_connectors.testing.shopify.store import FakeShopifyStore

__all__ = ["FakeShopifyGraphQLStore", "FakeShopifyStore"]
