"""Pydantic models of the WooCommerce and WordPress JSON the connector reads.

Only the fields the connector uses are declared; everything else (and every key a plugin injects)
is ignored. Types are as loose as real stores are: prices are strings but may be `""` or, from a
misbehaving plugin, numbers; dates may be null; a variation's `manage_stock` may be `"parent"`.
Interpretation (empty strings, unparseable values) is `mapping.py`'s job, so validation here
fails only on JSON of the wrong shape altogether.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "PRODUCT_LIST",
    "VARIATION_LIST",
    "Money",
    "WCCurrency",
    "WCImage",
    "WCProduct",
    "WCSystemStatus",
    "WCVariation",
    "WPError",
    "WPIndex",
]

Money = str | int | float | None
"""A price as stores send it: normally a string such as "9.50", often "", rarely a number."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class WCImage(_Payload):
    src: str | None = None


class WCVariationAttribute(_Payload):
    name: str | None = None
    option: str | None = None


class _Sellable(_Payload):
    """What products and variations share."""

    id: int
    sku: str | int | None = None
    price: Money = None
    regular_price: Money = None
    sale_price: Money = None
    manage_stock: bool | str | None = False
    """`True`/`False`; on a variation also `"parent"` (the parent product tracks the stock)."""
    stock_quantity: int | float | str | None = None
    stock_status: str | None = None
    purchasable: bool | None = None
    status: str | None = None
    date_created_gmt: str | None = None
    date_modified_gmt: str | None = None


class WCProduct(_Sellable):
    name: str | None = None
    type: str | None = None
    images: list[WCImage] | None = None
    variations: list[int] | None = None
    """Ids of a variable product's variations; the variations come from their own endpoint."""


class WCVariation(_Sellable):
    attributes: list[WCVariationAttribute] | None = None
    image: WCImage | None = None
    parent_id: int | None = None
    """The variable product it belongs to (in every variation's JSON, and in a webhook's
    payload when the changed object was a variation)."""


PRODUCT_LIST: TypeAdapter[list[WCProduct]] = TypeAdapter(list[WCProduct])
VARIATION_LIST: TypeAdapter[list[WCVariation]] = TypeAdapter(list[WCVariation])


class WPIndex(_Payload):
    """The WordPress REST index, `GET /wp-json/`: the site title and the API namespaces."""

    name: str | None = None
    description: str | None = None
    url: str | None = None
    home: str | None = None
    timezone_string: str | None = None
    namespaces: list[str] = Field(default_factory=list)


class _Environment(_Payload):
    version: str | None = None
    home_url: str | None = None
    site_url: str | None = None
    wp_version: str | None = None


class _Settings(_Payload):
    currency: str | None = None


class WCSystemStatus(_Payload):
    """`GET /system_status?_fields=environment,settings`: the WooCommerce version and currency."""

    environment: _Environment = Field(default_factory=_Environment)
    settings: _Settings = Field(default_factory=_Settings)


class WCCurrency(_Payload):
    """`GET /data/currencies/current`: the store currency (`code` is ISO 4217, e.g. "EUR")."""

    code: str | None = None


class _WPErrorData(_Payload):
    status: int | None = None
    params: dict[str, Any] | None = None


class WPError(_Payload):
    """A WP_Error as the REST API renders it: `{"code", "message", "data": {"status", ...}}`."""

    code: str | None = None
    message: str | None = None
    data: _WPErrorData | None = None
