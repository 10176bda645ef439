"""Pydantic models of the REST Admin API's JSON, as far as the connector reads it.

Unknown keys are ignored (Shopify adds fields every quarter). Everything Shopify may leave null or
empty is optional. The models hold the JSON's own types (validated in pydantic-core, without
Python validators, because a listing validates hundreds of thousands of them); `mapping.py` turns
ids into strings (`json` and pydantic-core keep ids above 2^53 exact as Python ints, and `str()`
keeps them exact from there on) and prices into `Decimal`s, `""` into `None`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Required

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from typing_extensions import TypedDict

__all__ = [
    "ImagePayload",
    "InventoryItemPayload",
    "InventoryLevelPayload",
    "ProductPayload",
    "RawId",
    "ShopPayload",
    "TokenPayload",
    "VariantPayload",
    "id_text",
    "product_adapter",
    "product_list_adapter",
    "text",
    "tracked",
    "variant_adapter",
]

RawId = int | str
"""Shopify REST ids are JSON numbers; strings are taken too (proxies and fixtures send them)."""
RawMoney = str | int | float | None
Blank = Literal[""]
"""Timestamps Shopify leaves unset are null; some tools send "" instead."""


def id_text(value: RawId | None) -> str | None:
    """An id as the SDK's string; `None` for a missing or empty one."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def text(value: str | None) -> str | None:
    """`""` (and whitespace) becomes `None`."""
    if not value or value.isspace():
        return None
    return value


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class VariantPayload(TypedDict, total=False):
    """A variant as products.json has it. A TypedDict, not a model: a listing validates hundreds
    of thousands of them, and plain dicts are twice as fast to validate and light on memory."""

    __pydantic_config__ = ConfigDict(extra="ignore")  # type: ignore[misc]
    id: Required[RawId]
    title: str | None
    sku: str | None
    price: RawMoney
    compare_at_price: RawMoney
    position: int | None
    inventory_item_id: RawId | None
    inventory_management: str | None
    """Null means Shopify does not track this variant's stock; otherwise who does (`shopify`)."""
    inventory_policy: str | None
    """`deny` (stop selling at zero) or `continue` (take backorders)."""
    inventory_quantity: int | None


class ImagePayload(TypedDict, total=False):
    __pydantic_config__ = ConfigDict(extra="ignore")  # type: ignore[misc]
    src: str | None


class ProductPayload(TypedDict, total=False):
    """A product as products.json has it (a TypedDict for the same reason as variants)."""

    __pydantic_config__ = ConfigDict(extra="ignore")  # type: ignore[misc]
    id: Required[RawId]
    title: str | None
    status: str | None
    created_at: datetime | Blank | None
    updated_at: datetime | Blank | None
    variants: list[VariantPayload] | None
    images: list[ImagePayload] | None


def tracked(variant: VariantPayload) -> bool:
    """Whether Shopify tracks the variant's stock."""
    return bool(variant.get("inventory_management"))


class ShopPayload(_Payload):
    id: RawId | None = None
    name: str | None = None
    domain: str | None = None
    myshopify_domain: str | None = None
    currency: str | None = None
    primary_location_id: RawId | None = None
    plan_name: str | None = None
    plan_display_name: str | None = None
    iana_timezone: str | None = None
    country_code: str | None = None


class InventoryItemPayload(_Payload):
    id: RawId
    tracked: bool | None = None


class InventoryLevelPayload(_Payload):
    inventory_item_id: RawId
    location_id: RawId
    available: int | None = None


class TokenPayload(_Payload):
    access_token: str = Field(repr=False, min_length=1)
    scope: str = ""
    expires_in: float | None = None


variant_adapter: TypeAdapter[VariantPayload] = TypeAdapter(VariantPayload)
product_adapter: TypeAdapter[ProductPayload] = TypeAdapter(ProductPayload)
product_list_adapter: TypeAdapter[list[ProductPayload]] = TypeAdapter(list[ProductPayload])
