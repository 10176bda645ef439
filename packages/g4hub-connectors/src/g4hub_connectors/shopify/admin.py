"""Addresses in a Shopify store's admin."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

__all__ = ["product_admin_url"]

_SUFFIX = ".myshopify.com"


def product_admin_url(store_url: str, product_id: str) -> str:
    """The product's page in the admin: `admin.shopify.com/store/<shop>/products/<id>` for a
    `<shop>.myshopify.com` store; elsewhere (a test store on another host) the store's own
    `/admin/products/<id>`, which Shopify redirects to the same page."""
    # GraphQL ids (`gid://shopify/Product/123`) end with the numeric id the admin uses.
    numeric = quote(product_id.rsplit("/", 1)[-1])
    host = (urlsplit(store_url).hostname or "").lower()
    if host.endswith(_SUFFIX):
        return f"https://admin.shopify.com/store/{host.removesuffix(_SUFFIX)}/products/{numeric}"
    return f"{store_url.rstrip('/')}/admin/products/{numeric}"
