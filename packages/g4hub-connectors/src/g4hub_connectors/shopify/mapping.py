"""Pure functions from Shopify REST payloads to the normalized model.

Shopify keeps price, SKU and stock on variants; a product has none of its own. The normalized
product takes them from the variants as DESIGN.md says, and the comments at each field say what
that merges or drops. `Product.raw` keeps Shopify's JSON untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter

from g4hub_connectors.models import Product, ProductStatus, ProductVariant, StockStatus, StoreInfo
from g4hub_connectors.shopify.payloads import (
    ProductPayload,
    ShopPayload,
    VariantPayload,
    id_text,
    text,
    tracked,
)
from g4hub_connectors.shopify.prices import money, split_price

__all__ = ["map_product", "map_products", "map_store_info", "map_variant"]

PLATFORM = "shopify"
_PRODUCT_LIST: TypeAdapter[list[Product]] = TypeAdapter(list[Product])
_STATUSES: dict[str, ProductStatus] = {
    "active": "active",
    "draft": "draft",
    "archived": "archived",
}


def _variant_fields(variant: VariantPayload) -> dict[str, Any]:
    price = money(variant.get("price"))
    regular, sale = split_price(price, money(variant.get("compare_at_price")))
    is_tracked = tracked(variant)
    return {
        "id": str(variant["id"]),
        "sku": text(variant.get("sku")),
        "price": price,
        "regular_price": regular,
        "sale_price": sale,
        # Shopify reports a quantity even for untracked variants; it means nothing there.
        "stock_quantity": variant.get("inventory_quantity") if is_tracked else None,
        "manage_stock": is_tracked,
        "inventory_item_id": id_text(variant.get("inventory_item_id")),
        "title": variant.get("title"),
    }


def map_variant(variant: VariantPayload) -> ProductVariant:
    return ProductVariant.model_validate(_variant_fields(variant))


def _stock(variants: list[VariantPayload]) -> tuple[int | None, StockStatus]:
    """`(stock_quantity, stock_status)` of a product from its variants."""
    if not variants:
        return None, "outofstock"  # Nothing to buy: a product without variants cannot be ordered.
    total = 0
    any_tracked = any_untracked = any_positive = backorders = False
    for variant in variants:
        if not tracked(variant):
            any_untracked = True
            continue
        any_tracked = True
        quantity = variant.get("inventory_quantity") or 0
        total += quantity
        any_positive = any_positive or quantity > 0
        backorders = backorders or variant.get("inventory_policy") == "continue"
    # Summed over tracked variants (across all locations, as Shopify's inventory_quantity is);
    # untracked variants have no meaningful quantity and are left out.
    quantity_total = total if any_tracked else None
    if any_untracked or any_positive:
        return quantity_total, "instock"
    # Every variant is tracked and at or below zero: selling on depends on the policy.
    return quantity_total, "onbackorder" if backorders else "outofstock"


def _product_fields(
    payload: ProductPayload, raw: dict[str, Any], currency: str | None
) -> dict[str, Any]:
    variants = payload.get("variants") or []
    mapped = [_variant_fields(v) for v in variants]
    first: dict[str, Any] = mapped[0] if mapped else {}
    quantity, stock_status = _stock(variants)
    return {
        "id": str(payload["id"]),
        "name": payload.get("title") or "",
        "platform": PLATFORM,
        # sku and prices are the first variant's: the other variants' are in `variants` only.
        "sku": first.get("sku"),
        "price": first.get("price"),
        "regular_price": first.get("regular_price"),
        "sale_price": first.get("sale_price"),
        "currency": currency,
        "stock_quantity": quantity,
        # True when any variant is tracked: per-variant tracking is in `variants`.
        "manage_stock": quantity is not None,
        "stock_status": stock_status,
        # Unknown statuses (a future Shopify value, or none in very old versions) become "other".
        "status": _STATUSES.get(payload.get("status") or "", "other"),
        # Only the URLs: alt text, sizes and variant links stay in `raw`.
        "images": [src for image in payload.get("images") or () if (src := image.get("src"))],
        "variants": mapped,
        "created_at": payload.get("created_at") or None,
        "updated_at": payload.get("updated_at") or None,
        "raw": raw,
    }


def map_product(
    payload: ProductPayload, raw: dict[str, Any], *, currency: str | None = None
) -> Product:
    """The normalized product. `currency` is the shop's (products carry none in REST)."""
    return Product.model_validate(_product_fields(payload, raw, currency))


def map_products(
    payloads: Sequence[ProductPayload],
    raws: Sequence[dict[str, Any]],
    *,
    currency: str | None = None,
) -> list[Product]:
    """`map_product` over a page, validated in one pass (a page is mapped several times faster
    this way than product by product)."""
    return _PRODUCT_LIST.validate_python(
        [_product_fields(p, r, currency) for p, r in zip(payloads, raws, strict=True)]
    )


def map_store_info(shop: ShopPayload, *, url: str, api_version: str) -> StoreInfo:
    """`api_version` is the version the store answered with (it may differ from the requested)."""
    extra: dict[str, Any] = {
        key: value
        for key, value in (
            ("shop_id", id_text(shop.id)),
            ("myshopify_domain", shop.myshopify_domain),
            ("plan_display_name", shop.plan_display_name),
            ("country_code", shop.country_code),
        )
        if value is not None
    }
    # The rest of shop.json (owner, address, money formats) is not carried: the hub does not use
    # it, and the owner's contact details are personal data.
    return StoreInfo(
        platform=PLATFORM,
        name=shop.name,
        url=url,
        domain=shop.domain,
        currency=shop.currency,
        api_version=api_version,
        primary_location_id=id_text(shop.primary_location_id),
        plan=shop.plan_name,
        timezone=shop.iana_timezone,
        extra=extra,
    )
