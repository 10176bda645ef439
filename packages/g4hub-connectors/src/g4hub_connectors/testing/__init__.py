"""Fake WooCommerce and Shopify stores for tests: ASGI apps that behave like the real APIs.

    from g4hub_connectors.testing import FakeWooCommerceStore

    store = FakeWooCommerceStore(products=250)
    async with gc.create_connector(store.credentials(), http_client=store.http_client()) as c:
        assert await c.count_products() == 250

In-process through `store.http_client()`, or on a loopback port with `with store.serve(): ...`
(needs the `testing` extra: `pip install g4hub-connectors[testing]`), or from the command line:
`g4hub-fake-store woocommerce --port 8081 --products 500`. The pytest plugin that ships with the
package gives the fixtures `fake_woocommerce`, `fake_shopify`, `fake_woocommerce_server` and
`fake_shopify_server`.
"""

from g4hub_connectors.testing._asgi import FakeStore, Fault, FaultKind, Request, Response
from g4hub_connectors.testing._catalog import SeedProduct, SeedVariant, generate_catalog
from g4hub_connectors.testing.shopify import FakeShopifyGraphQLStore, FakeShopifyStore
from g4hub_connectors.testing.woocommerce import FakeWooCommerceStore

__all__ = [
    "FakeShopifyGraphQLStore",
    "FakeShopifyStore",
    "FakeStore",
    "FakeWooCommerceStore",
    "Fault",
    "FaultKind",
    "Request",
    "Response",
    "SeedProduct",
    "SeedVariant",
    "generate_catalog",
]
