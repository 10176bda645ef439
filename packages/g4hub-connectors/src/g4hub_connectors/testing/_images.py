"""The product images the fake stores' catalogs name, served by the stores themselves.

A catalog's image URLs point at the store's own host (WooCommerce's `/wp-content/uploads/...`,
Shopify's `/cdn/shop/files/...`), so a hub showing thumbnails of a fake store on loopback gets
real pictures without reaching the internet. Each is a small SVG, coloured by its name, that
says which product and image it is.
"""

from __future__ import annotations

import hashlib
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from g4hub_connectors.testing._asgi import Request, Response

__all__ = ["IMAGE_PREFIXES", "product_image"]

IMAGE_PREFIXES = ("/wp-content/uploads/", "/cdn/shop/files/")
_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def product_image(request: Request) -> Response | None:
    """The picture for an image URL of the catalog, or `None` for any other request."""
    from g4hub_connectors.testing._asgi import Response

    path = request.path
    if request.method not in ("GET", "HEAD") or not path.startswith(IMAGE_PREFIXES):
        return None
    if not path.lower().endswith(_SUFFIXES):
        return None
    name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    digest = hashlib.sha256(name.encode()).digest()
    hue = digest[0] * 360 // 256
    label = escape(name.replace("-", " ")[:28])
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320" viewBox="0 0 320 320">'
        f'<rect width="320" height="320" fill="hsl({hue},55%,82%)"/>'
        f'<circle cx="160" cy="130" r="70" fill="hsl({hue},50%,55%)"/>'
        f'<text x="160" y="270" font-family="sans-serif" font-size="22" text-anchor="middle" '
        f'fill="hsl({hue},45%,25%)">{label}</text></svg>'
    )
    return Response(
        200,
        svg.encode(),
        [("content-type", "image/svg+xml"), ("cache-control", "public, max-age=86400")],
    )
