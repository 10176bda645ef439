"""The fake WooCommerce store: WordPress's REST index, wc/v3 products and variations, OAuth 1.0a
over plain HTTP, WP_Error bodies, and the quirks real stores show (PLATFORMS.md)."""

from g4hub_connectors.testing.woocommerce.store import FakeWooCommerceStore

__all__ = ["FakeWooCommerceStore"]
