"""The cross-store view by SKU: each SKU with every store's product side by side, and the
conflict report."""

from __future__ import annotations

import uuid
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

__all__ = ["ConflictReport", "SkuListing", "SkuPage", "SkuRow", "SkuSample"]


class SkuListing(BaseModel):
    """One store's product, or variant of a product, carrying the SKU. `variant_id` (and its
    `variant_title`) when the SKU is a variant's: a product listing several variants is listed
    once per variant, by each variant's SKU, price and stock; `None` for a product's own SKU."""

    model_config = ConfigDict(frozen=True)

    store_id: uuid.UUID
    store_name: str
    platform_product_id: str
    name: str
    price: Decimal | None
    stock_quantity: int | None
    manage_stock: bool
    variant_id: str | None = None
    variant_title: str | None = None


class SkuRow(BaseModel):
    """A SKU across the tenant's stores. `differs`: the stores holding it disagree on price or
    stock. `missing_in`: the tenant's stores without it. `duplicated_in`: stores holding it on
    more than one product or variant."""

    model_config = ConfigDict(frozen=True)

    sku: str
    listings: list[SkuListing]
    differs: bool
    missing_in: list[uuid.UUID]
    duplicated_in: list[uuid.UUID]


class SkuPage(BaseModel):
    """SKUs in order; `next_cursor` (the last SKU) continues, `None` on the last page."""

    model_config = ConfigDict(frozen=True)

    items: list[SkuRow]
    next_cursor: str | None


class SkuSample(BaseModel):
    model_config = ConfigDict(frozen=True)

    store_id: uuid.UUID
    sku: str | None
    count: int


class ConflictReport(BaseModel):
    """Counts over the whole catalog: SKUs (distinct), SKUs held more than once in one store
    (`duplicate_skus`, counted per store and SKU), products (or their variants) without a SKU,
    SKUs whose stores disagree on price or stock; with up to 20 examples of duplicates and
    per-store counts of products without a SKU."""

    model_config = ConfigDict(frozen=True)

    skus: int
    duplicate_skus: int
    products_without_sku: int
    differing_skus: int
    duplicates: list[SkuSample]
    without_sku_by_store: list[SkuSample]
