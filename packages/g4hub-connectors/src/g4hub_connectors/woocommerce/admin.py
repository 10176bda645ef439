"""Addresses in a WooCommerce store's admin (WordPress's `wp-admin`)."""

from __future__ import annotations

from urllib.parse import quote

__all__ = ["product_admin_url"]


def product_admin_url(store_url: str, product_id: str) -> str:
    """The product's edit screen. A product is a WordPress post; `store_url` keeps its path,
    since WordPress may live in a sub-folder."""
    return f"{store_url.rstrip('/')}/wp-admin/post.php?post={quote(product_id)}&action=edit"
