"""The fake Shopify store's catalog: ids, per-product state after writes, and REST JSON rendering.

Products are rendered from `_catalog.make_product` when asked for, so a catalog of 100,000 costs
nothing until it is listed. Only products that were written to keep state of their own.

Ids are above 2^53, as real Shopify ids now are, and odd, so a client that parses them as floats
gets them wrong: products from `PRODUCT_BASE`, variants, inventory items, images and options each
from their own range.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from g4hub_connectors.testing._catalog import SeedProduct, make_product

PRODUCT_BASE = 9_100_000_000_000_001
PRODUCT_STEP = 10
VARIANT_BASE = 45_200_000_000_000_001
ITEM_BASE = 47_300_000_000_000_001
IMAGE_BASE = 38_100_000_000_000_001
OPTION_BASE = 10_400_000_000_000_001
PRIMARY_LOCATION = 90_071_992_547_409_921
WAREHOUSE_LOCATION = PRIMARY_LOCATION + 2
LOCATIONS = {PRIMARY_LOCATION: "Shop location", WAREHOUSE_LOCATION: "Warehouse"}
_SLOTS = 8  # Room for a product's variants (at most 4) and images (at most 3) in each id range.

# The shop is in Bogotá: UTC-05:00 all year, so timestamps carry an offset, as Shopify's do.
SHOP_TZ = timezone(timedelta(hours=-5))
IANA_TIMEZONE = "America/Bogota"

_OPTION_NAMES = {"S": "Size", "Red": "Color", "250 g": "Weight"}


def stamp(moment: datetime) -> str:
    """Shopify's timestamp format: seconds, with the shop's UTC offset."""
    return moment.astimezone(SHOP_TZ).isoformat(timespec="seconds")


def product_id(index: int) -> int:
    return PRODUCT_BASE + index * PRODUCT_STEP


def product_index(value: str | int) -> int | None:
    """The catalog index of a product id, or `None` when it cannot be one."""
    try:
        offset = int(value) - PRODUCT_BASE
    except (TypeError, ValueError):
        return None
    if offset < 0 or offset % PRODUCT_STEP:
        return None
    return offset // PRODUCT_STEP


def _slot_id(base: int, index: int, slot: int) -> int:
    return base + (index * _SLOTS + slot) * 2


def variant_id(index: int, position: int) -> int:
    return _slot_id(VARIANT_BASE, index, position)


def inventory_item_id(index: int, position: int) -> int:
    return _slot_id(ITEM_BASE, index, position)


def _slot_of(base: int, value: str | int) -> tuple[int, int] | None:
    try:
        offset = int(value) - base
    except (TypeError, ValueError):
        return None
    if offset < 0 or offset % 2:
        return None
    index, slot = divmod(offset // 2, _SLOTS)
    return index, slot


def variant_ref(value: str | int) -> tuple[int, int] | None:
    """`(product index, variant position)` of a variant id."""
    return _slot_of(VARIANT_BASE, value)


def item_ref(value: str | int) -> tuple[int, int] | None:
    """`(product index, variant position)` of an inventory item id."""
    return _slot_of(ITEM_BASE, value)


@dataclass
class VariantState:
    title: str
    sku: str | None
    price: str
    compare_at_price: str | None
    tracked: bool
    policy: str
    levels: dict[int, int]
    updated_at: datetime

    @property
    def quantity(self) -> int:
        return sum(self.levels.values())


@dataclass
class ProductState:
    seed: SeedProduct
    variants: list[VariantState]
    updated_at: datetime
    status: str
    option_name: str = "Title"
    extra: dict[str, Any] = field(default_factory=dict)


def _money(text: str) -> str:
    return f"{Decimal(text):.2f}" if text else "0.00"


def initial_state(seed: SeedProduct) -> ProductState:
    """The product as the generated catalog has it, before any write."""
    # Shopify keeps stock per location; the generated stock starts at the primary location.
    policy = "continue" if seed.index % 9 == 4 else "deny"
    if seed.is_variable:
        variants = [
            VariantState(
                title=v.title,
                sku=v.sku or (None if v.index % 2 else ""),
                price=_money(v.price),
                compare_at_price=None,
                tracked=v.manage_stock,
                policy=policy,
                levels={PRIMARY_LOCATION: v.stock or 0},
                updated_at=seed.updated_at,
            )
            for v in seed.variants
        ]
        option_name = _OPTION_NAMES.get(seed.variants[0].title, "Size")
    else:
        on_sale = bool(seed.sale_price)
        variants = [
            VariantState(
                title="Default Title",
                # Shopify answers "" for a variant without SKU, and null on some older ones.
                sku=seed.sku or (None if seed.index % 2 else ""),
                # Shopify variants always have a price; the catalog's "no price" is 0.00 here.
                price=_money(seed.price),
                compare_at_price=_money(seed.regular_price) if on_sale else None,
                tracked=seed.manage_stock,
                policy=policy,
                levels={PRIMARY_LOCATION: seed.stock or 0},
                updated_at=seed.updated_at,
            )
        ]
        option_name = "Title"
    return ProductState(
        seed=seed,
        variants=variants,
        updated_at=seed.updated_at,
        status=seed.status,
        option_name=option_name,
    )


def _image(
    index: int, position: int, product: int, moment: str, variant_ids: list[int], shop_url: str
) -> dict[str, Any]:
    image_id = _slot_id(IMAGE_BASE, index, position)
    return {
        "id": image_id,
        "alt": None,
        "position": position + 1,
        "product_id": product,
        "created_at": moment,
        "updated_at": moment,
        "admin_graphql_api_id": f"gid://shopify/ProductImage/{image_id}",
        "width": 2048,
        "height": 2048,
        # The shop's own `/cdn/shop/files/` address (Shopify serves images there too), so a
        # served fake store answers for its images (`testing/_images.py`).
        "src": f"{shop_url}/cdn/shop/files/product-{index}-{position + 1}.jpg?v=1704067200",
        "variant_ids": variant_ids,
    }


def render_variant(state: ProductState, position: int) -> dict[str, Any]:
    index = state.seed.index
    variant = state.variants[position]
    vid = variant_id(index, position)
    item_id = inventory_item_id(index, position)
    digest = hashlib.blake2b(f"{index}-{position}".encode(), digest_size=6).hexdigest()
    return {
        "id": vid,
        "product_id": product_id(index),
        "title": variant.title,
        "price": variant.price,
        "position": position + 1,
        "inventory_policy": variant.policy,
        "compare_at_price": variant.compare_at_price,
        "option1": variant.title,
        "option2": None,
        "option3": None,
        "created_at": stamp(state.seed.created_at),
        "updated_at": stamp(variant.updated_at),
        "taxable": True,
        "barcode": str(int(digest, 16))[:13] if position % 2 == 0 else None,
        "fulfillment_service": "manual",
        "grams": 250 + 50 * position,
        "inventory_management": "shopify" if variant.tracked else None,
        "requires_shipping": True,
        "sku": variant.sku,
        "weight": 0.25 + 0.05 * position,
        "weight_unit": "kg",
        "inventory_item_id": item_id,
        "inventory_quantity": variant.quantity,
        "old_inventory_quantity": variant.quantity,
        "admin_graphql_api_id": f"gid://shopify/ProductVariant/{vid}",
        "image_id": None,
    }


def render_product(
    state: ProductState, shop_url: str = "https://fake-store.myshopify.com"
) -> dict[str, Any]:
    """A product as `GET products/{id}.json` has it (REST Admin API, 2025-era shape); image
    addresses are on `shop_url`."""
    seed = state.seed
    index = seed.index
    pid = product_id(index)
    created = stamp(seed.created_at)
    variants = [render_variant(state, position) for position in range(len(state.variants))]
    variant_ids = [v["id"] for v in variants]
    images = [
        _image(index, position, pid, created, variant_ids if position == 0 else [], shop_url)
        for position in range(seed.image_count)
    ]
    tags = ["generated", "g4hub"] if index % 3 else []
    return {
        "id": pid,
        "title": seed.name,
        "body_html": seed.description,
        "vendor": "G4 Hub Test Goods",
        "product_type": "" if index % 5 == 0 else "Merchandise",
        "created_at": created,
        "handle": seed.slug,
        "updated_at": stamp(state.updated_at),
        "published_at": None if state.status != "active" else created,
        "template_suffix": None,
        "published_scope": "global",
        "tags": ", ".join(tags),
        "status": state.status,
        "admin_graphql_api_id": f"gid://shopify/Product/{pid}",
        "variants": variants,
        "options": [
            {
                "id": OPTION_BASE + index * 2,
                "product_id": pid,
                "name": state.option_name,
                "position": 1,
                "values": [v.title for v in state.variants],
            }
        ],
        "images": images,
        "image": images[0] if images else None,
    }


class Catalog:
    """The store's products: generated on demand, with state kept only for written ones."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.seed = seed
        self.deleted: set[int] = set()
        self.states: dict[int, ProductState] = {}
        self._meta: dict[int, tuple[datetime, datetime, str]] = {}

    def exists(self, index: int | None) -> bool:
        return index is not None and 0 <= index < self.size and index not in self.deleted

    def state(self, index: int) -> ProductState:
        """The product's current state (a fresh copy of the generated one if never written)."""
        written = self.states.get(index)
        if written is not None:
            return written
        return initial_state(make_product(index, seed=self.seed))

    def writable(self, index: int) -> ProductState:
        """The product's state, kept from now on so writes stick."""
        if index not in self.states:
            self.states[index] = self.state(index)
        return self.states[index]

    def touch(self, index: int, position: int | None = None) -> None:
        state = self.writable(index)
        now = datetime.now(UTC).replace(microsecond=0)
        state.updated_at = now
        if position is not None:
            state.variants[position].updated_at = now

    def meta(self, index: int) -> tuple[datetime, datetime, str]:
        """`(created_at, updated_at, status)`, cached: filters read them for every product."""
        written = self.states.get(index)
        if written is not None:
            return written.seed.created_at, written.updated_at, written.status
        cached = self._meta.get(index)
        if cached is None:
            seed = make_product(index, seed=self.seed)
            cached = (seed.created_at, seed.updated_at, seed.status)
            self._meta[index] = cached
        return cached

    def live_indexes(self) -> list[int]:
        return [i for i in range(self.size) if i not in self.deleted]
