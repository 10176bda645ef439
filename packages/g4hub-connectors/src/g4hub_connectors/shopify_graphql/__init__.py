"""Shopify over the GraphQL Admin API: `ShopifyGraphQLConnector`.

    connector = ShopifyGraphQLConnector(ShopifyConfig(store_url="mystore", access_token="shpat_…",
                                                      api="graphql"))

Usually built through `g4hub_connectors.create_connector({"platform": "shopify", "api": "graphql",
...})`. The queries it sends are the `.graphql` files in `queries/`.
"""

from g4hub_connectors.shopify_graphql.bulk import BulkExportError
from g4hub_connectors.shopify_graphql.connector import ShopifyGraphQLConnector

__all__ = ["BulkExportError", "ShopifyGraphQLConnector"]
