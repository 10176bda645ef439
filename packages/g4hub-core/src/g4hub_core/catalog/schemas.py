"""What the catalog returns: products as the hub last synced them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["ProductDetail", "ProductList", "ProductRead"]


class ProductRead(BaseModel):
    """One product of a store's catalog, in the hub's columns (`GET /api/stores/{id}/products`)."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    platform_product_id: str
    sku: str | None
    name: str
    price: Decimal | None
    currency: str | None
    stock_quantity: int | None
    manage_stock: bool
    stock_status: str
    status: str
    image_url: str | None
    last_updated: datetime
    """When the hub last changed this product's content."""
    source_updated_at: datetime | None
    """When the store says the product last changed."""


class ProductDetail(ProductRead):
    """A product with the full document kept by the sync: the normalized product, with the
    platform's own JSON under `raw`."""

    data: dict[str, Any]


class ProductList(BaseModel):
    """One page of a store's products; `total` counts every match, not just this page."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    items: list[ProductRead]
    total: int
    page: int
    per_page: int
