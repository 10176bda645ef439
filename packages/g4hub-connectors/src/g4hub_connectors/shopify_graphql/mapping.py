"""Pure functions from GraphQL Admin API nodes to the normalized model.

Both APIs must give a store the same rows (the same numeric ids, prices, stock sums and
statuses), so a store can switch API: this mapping applies the REST mapping's rules with its
shared helpers (`money`, `text`, `split_price`), and a test compares the two on one catalog.
`Product.raw` keeps the GraphQL node, with every variant and medium the connector read (not only
the first page of them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter

from g4hub_connectors.models import Product, ProductStatus, StockStatus, StoreInfo
from g4hub_connectors.shopify.payloads import VariantPayload, text
from g4hub_connectors.shopify.prices import money, split_price
from g4hub_connectors.shopify_graphql.payloads import (
    ProductNode,
    ShopInfoPayload,
    VariantNode,
    gid_number,
)

__all__ = ["map_graphql_products", "map_shop", "rest_variant"]

PLATFORM = "shopify"
_PRODUCT_LIST: TypeAdapter[list[Product]] = TypeAdapter(list[Product])
_STATUSES: dict[str, ProductStatus] = {"ACTIVE": "active", "DRAFT": "draft", "ARCHIVED": "archived"}


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


def _product_fields(node: ProductNode, raw: dict[str, Any], currency: str | None) -> dict[str, Any]:
    # The hot loop of every listing (millions of variants in a bulk export): one pass over the
    # variants gathers their fields and the product's stock, with no call per field it can avoid.
    connection = node.get("variants")
    variants: list[dict[str, Any]] = []
    add = variants.append
    tracked_count = 0
    total = 0
    any_stock = any_backorder = False
    for v in connection["nodes"] if connection else ():
        price = money(v.get("price"))
        compare_at = v.get("compareAtPrice")
        # Most variants are not on sale: no compare-at price to parse or weigh.
        regular, sale = (
            (price, None) if compare_at is None else split_price(price, money(compare_at))
        )
        item = v.get("inventoryItem")
        tracked = bool(item.get("tracked")) if item else False
        quantity = v.get("inventoryQuantity")
        if tracked:
            tracked_count += 1
            if quantity:
                total += quantity
                if quantity > 0:
                    any_stock = True
            if v.get("inventoryPolicy") == "CONTINUE":
                any_backorder = True
        add(
            {
                "id": v.get("legacyResourceId") or gid_number(v["id"]) or v["id"],
                "sku": text(v.get("sku")),
                "price": price,
                "regular_price": regular,
                "sale_price": sale,
                # Shopify reports a quantity even for untracked variants; it means nothing there.
                "stock_quantity": quantity if tracked else None,
                "manage_stock": tracked,
                "inventory_item_id": gid_number(item["id"]) if item else None,
                "title": v.get("title"),
            }
        )
    # Stock by the REST mapping's rule: summed over tracked variants (all locations); in stock
    # while any variant is untracked or has stock; else backorders if any tracked variant takes
    # them. A product without variants cannot be ordered.
    stock_quantity = total if tracked_count else None
    stock_status: StockStatus
    if not variants:
        stock_status = "outofstock"
    elif tracked_count < len(variants) or any_stock:
        stock_status = "instock"
    else:
        stock_status = "onbackorder" if any_backorder else "outofstock"
    first = variants[0] if variants else {}
    media = node.get("media")
    status = node.get("status")
    return {
        "id": _number(node),
        "name": node.get("title") or "",
        "platform": PLATFORM,
        # sku and prices are the first variant's: the other variants' are in `variants` only.
        "sku": first.get("sku"),
        "price": first.get("price"),
        "regular_price": first.get("regular_price"),
        "sale_price": first.get("sale_price"),
        "currency": currency,
        "stock_quantity": stock_quantity,
        # True when any variant is tracked: per-variant tracking is in `variants`.
        "manage_stock": stock_quantity is not None,
        "stock_status": stock_status,
        # UNLISTED (and any status added later) is not in the normalized set: it becomes "other".
        "status": _STATUSES.get(status or "", "other"),
        # Only image URLs: videos and 3D models have no picture for the hub to show, and alt
        # texts and sizes stay in `raw`.
        "images": [
            url
            for m in (media.get("nodes") or [] if media else [])
            if (image := m.get("image")) and (url := image.get("url"))
        ],
        "variants": variants,
        "created_at": node.get("createdAt") or None,
        "updated_at": node.get("updatedAt") or None,
        "raw": raw,
    }


def map_graphql_products(
    nodes: Sequence[ProductNode], raws: Sequence[dict[str, Any]], *, currency: str | None
) -> list[Product]:
    """Normalized products from validated nodes (each with all its variants) and their raw
    JSON, validated in one pass."""
    return _PRODUCT_LIST.validate_python(
        [_product_fields(n, r, currency) for n, r in zip(nodes, raws, strict=True)]
    )


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
