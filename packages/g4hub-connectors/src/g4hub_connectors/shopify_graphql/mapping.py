"""Pure functions from GraphQL Admin API nodes to the normalized model.

A GraphQL product is turned into the shape of a REST product (numeric ids, lower-case status,
`inventory_management`) and normalized by the REST mapping, so both APIs give a store the same
rows: the same ids, prices, stock sums and statuses. `Product.raw` keeps the GraphQL node, with
every variant and medium the connector read (not only the first page of them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from g4hub_connectors.models import Product, StoreInfo
from g4hub_connectors.shopify.mapping import map_products
from g4hub_connectors.shopify.payloads import ProductPayload, VariantPayload
from g4hub_connectors.shopify_graphql.payloads import (
    ProductNode,
    ShopInfoPayload,
    VariantNode,
    gid_number,
)

__all__ = ["map_graphql_products", "map_shop", "rest_variant"]

PLATFORM = "shopify"


def _number(node: VariantNode | ProductNode) -> str:
    number = node.get("legacyResourceId") or gid_number(node["id"])
    # A node without a numeric id keeps its GID: never an empty id.
    return number or node["id"]


def rest_variant(node: VariantNode) -> VariantPayload:
    """A GraphQL variant in the REST variant's shape (what the REST mapping and price rules
    read)."""
    item = node.get("inventoryItem")
    tracked = bool(item.get("tracked")) if item else False
    policy = node.get("inventoryPolicy")
    return {
        "id": _number(node),
        "title": node.get("title"),
        "sku": node.get("sku"),
        "price": node.get("price"),
        "compare_at_price": node.get("compareAtPrice"),
        "position": node.get("position"),
        "inventory_item_id": gid_number(item["id"]) if item else None,
        # GraphQL says whether Shopify tracks the item; REST says who tracks it.
        "inventory_management": "shopify" if tracked else None,
        "inventory_policy": policy.lower() if policy else None,
        "inventory_quantity": node.get("inventoryQuantity"),
    }


def _rest_product(node: ProductNode) -> ProductPayload:
    variant_connection = node.get("variants")
    media_connection = node.get("media")
    variants = variant_connection["nodes"] if variant_connection else []
    media = media_connection.get("nodes") or [] if media_connection else []
    status = node.get("status")
    return {
        "id": _number(node),
        "title": node.get("title"),
        # UNLISTED (and any status added later) is not in the normalized set: it maps to "other".
        "status": status.lower() if status else None,
        "created_at": node.get("createdAt"),  # type: ignore[typeddict-item]
        "updated_at": node.get("updatedAt"),  # type: ignore[typeddict-item]
        "variants": [rest_variant(v) for v in variants],
        # Only images: videos and 3D models have no picture URL for the hub to show.
        "images": [{"src": image.get("url")} for m in media if (image := m.get("image"))],
    }


def map_graphql_products(
    nodes: Sequence[ProductNode], raws: Sequence[dict[str, Any]], *, currency: str | None
) -> list[Product]:
    """Normalized products from validated nodes (each with all its variants) and their raw JSON."""
    return map_products([_rest_product(n) for n in nodes], raws, currency=currency)


def map_shop(payload: ShopInfoPayload, *, url: str, api_version: str) -> StoreInfo:
    """`api_version` is the version the store answered with (it may differ from the requested)."""
    shop = payload.shop
    plan = shop.plan
    extra: dict[str, Any] = {
        key: value
        for key, value in (
            ("shop_id", gid_number(shop.id)),
            ("myshopify_domain", shop.myshopifyDomain),
            ("plan_display_name", plan.displayName if plan else None),
            ("api", "graphql"),
        )
        if value is not None
    }
    return StoreInfo(
        platform=PLATFORM,
        name=shop.name,
        url=url,
        domain=shop.primaryDomain.host if shop.primaryDomain else None,
        currency=shop.currencyCode,
        api_version=api_version,
        primary_location_id=gid_number(payload.location.id) if payload.location else None,
        plan=plan.displayName if plan else None,
        timezone=shop.ianaTimezone,
        extra=extra,
    )
