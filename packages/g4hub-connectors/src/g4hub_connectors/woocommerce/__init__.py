"""WooCommerce: the connector for the WooCommerce REST API (wc/v3).

connector = create_connector({"platform": "woocommerce", "store_url": "https://mystore.com",
                              "consumer_key": "ck_…", "consumer_secret": "cs_…"})
"""

from g4hub_connectors.woocommerce.connector import WooCommerceConnector

__all__ = ["WooCommerceConnector"]
