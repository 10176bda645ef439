"""The normalized model every connector returns, whatever the platform.

Where a platform's data does not fit a field, the mapping says what it dropped or merged in a
comment at that field, and `Product.raw` keeps the platform's JSON untouched.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from g4hub_connectors.errors import Remedy

__all__ = [
    "ConnectionResult",
    "Product",
    "ProductPage",
    "ProductStatus",
    "ProductUpdate",
    "ProductVariant",
    "StockStatus",
    "StoreInfo",
]

StockStatus = Literal["instock", "outofstock", "onbackorder"]
ProductStatus = Literal["active", "draft", "archived", "other"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProductVariant(_Model):
    """One purchasable variant: a Shopify variant or a WooCommerce variation."""

    id: str
    sku: str | None = None
    price: Decimal | None = None
    regular_price: Decimal | None = None
    sale_price: Decimal | None = None
    stock_quantity: int | None = None
    manage_stock: bool = False
    inventory_item_id: str | None = None
    """Shopify's inventory item, through which stock is set; `None` on WooCommerce."""
    title: str | None = None


class Product(_Model):
    """A product in the shape the hub stores, with the platform's JSON kept in `raw`."""

    id: str
    name: str
    platform: str
    sku: str | None = None
    price: Decimal | None = None
    regular_price: Decimal | None = None
    sale_price: Decimal | None = None
    currency: str | None = None
    stock_quantity: int | None = None
    manage_stock: bool = False
    stock_status: StockStatus = "instock"
    status: ProductStatus = "active"
    images: list[str] = Field(default_factory=list)
    variants: list[ProductVariant] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # Kept as given, not validated: it is the platform's JSON untouched, and validating it would
    # copy every product's dict (a fifth of the cost of mapping a ~3 KB product).
    raw: SkipValidation[dict[str, Any]] = Field(default_factory=dict, repr=False)


class ProductPage(_Model):
    """One page of a listing. Pass `next_cursor` back to get the next page; `None` ends it."""

    products: list[Product]
    next_cursor: str | None = None
    total_items: int | None = None
    """The catalog's size when the platform says it in the same answer (WooCommerce does)."""


class StoreInfo(_Model):
    """What a store says about itself."""

    platform: str
    name: str | None = None
    url: str
    domain: str | None = None
    currency: str | None = None
    platform_version: str | None = None
    """WooCommerce's plugin version; Shopify has none to give."""
    api_version: str
    primary_location_id: str | None = None
    plan: str | None = None
    timezone: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class ConnectionResult(_Model):
    """The outcome of `test_connection`: a result for the dashboard, never an exception."""

    success: bool
    platform: str
    store_name: str | None = None
    products_count: int | None = None
    store_info: StoreInfo | None = None
    error_code: str | None = None
    error_message: str | None = None
    """The user-facing sentence of the error (its `user_message`)."""
    remedy: Remedy | None = None
    """What to do about the failure (the error's `remedy`); `None` on success."""
    request_id: str | None = None
    """The platform's id of the failed request, when it sent one, for its support."""
    warnings: list[str] = Field(default_factory=list)


class ProductUpdate(BaseModel):
    """A change to a product. Only the fields you set are sent; the rest stay as they are.

    - `price` is the regular price (WooCommerce `regular_price`; Shopify variant `price`, or
      `compare_at_price` while a sale price is set).
    - `sale_price` set to a value starts a sale; set to `None` explicitly it ends one.
    - `stock_quantity` sets the available quantity (Shopify: at `location_id`, default the shop's
      primary location) and `manage_stock` switches stock tracking.
    - `variant_id` aims the change at one variant or variation; without it a Shopify product's first
      variant is changed, and a WooCommerce product itself.
    - `expected_stock_quantity`: the quantity the caller believes the target holds (at the
      location). A connector that can compare-and-set (Shopify GraphQL's `changeFromQuantity`)
      sends it, and a store holding another quantity refuses with `WriteConflictError`; the others
      ignore it, so a caller that needs the check reads the product first.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    price: Decimal | None = Field(default=None, ge=0)
    sale_price: Decimal | None = Field(default=None, ge=0)
    stock_quantity: int | None = None
    manage_stock: bool | None = None
    variant_id: str | None = None
    location_id: str | None = None
    expected_stock_quantity: int | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the caller set, without the targeting ones."""
        return {
            name: getattr(self, name)
            for name in self.model_fields_set
            if name not in ("variant_id", "location_id", "expected_stock_quantity")
        }
