"""Shopify over the REST Admin API: `ShopifyConnector`.

    connector = ShopifyConnector(ShopifyConfig(store_url="mystore", access_token="shpat_…"))

Usually built through `g4hub_connectors.create_connector({"platform": "shopify", ...})`.
"""

from g4hub_connectors.shopify.connector import ShopifyConnector

__all__ = ["ShopifyConnector"]
