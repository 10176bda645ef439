"""Product and variation edits in the fake WooCommerce store, with WooCommerce's rules: the body
is validated as the REST schema does, prices are stored as `wc_format_decimal` leaves them, a
product that stops tracking stock forgets its quantity, `_price` follows the sale price."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from g4hub_connectors.testing._catalog import SeedVariant
from g4hub_connectors.testing.woocommerce._render import WooProduct, effective_price

__all__ = ["apply_product", "apply_variation", "as_int", "update_problems"]


def _wc_decimal(value: str) -> str:
    """`wc_format_decimal` as prices are stored: a number as written, or "" for anything else."""
    text = value.strip()
    try:
        return text if text and Decimal(text).is_finite() else ""
    except InvalidOperation:
        return ""


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    if isinstance(value, int):
        return bool(value)
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def update_problems(body: dict[str, Any], *, variation: bool) -> dict[str, str]:
    problems: dict[str, str] = {
        name: f"{name} is not of type string."
        for name in ("regular_price", "sale_price", "sku", "name", "status")
        if name in body and not isinstance(body[name], str)
    }
    if "stock_quantity" in body and as_int(body["stock_quantity"]) is None:
        problems["stock_quantity"] = "stock_quantity is not of type integer."
    manage = body.get("manage_stock")
    if "manage_stock" in body and _bool(manage) is None and not (variation and manage == "parent"):
        problems["manage_stock"] = "manage_stock is not of type boolean."
    return problems


def _apply_stock(target: Any, body: dict[str, Any], manage: bool | None) -> None:
    if manage is not None:
        target.manage_stock = manage
    if target.manage_stock:
        if "stock_quantity" in body:
            target.stock = as_int(body["stock_quantity"])
    else:
        # WooCommerce forgets the quantity of a product that stops tracking stock.
        target.stock = None


def apply_product(record: WooProduct, body: dict[str, Any]) -> None:
    seed = record.seed
    if record.type != "variable":
        # A variable product's prices are its variations'; WooCommerce ignores them on the parent.
        if "regular_price" in body:
            seed.regular_price = _wc_decimal(body["regular_price"])
        if "sale_price" in body:
            seed.sale_price = _wc_decimal(body["sale_price"])
        seed.price = effective_price(seed.regular_price, seed.sale_price)
    _apply_stock(seed, body, _bool(body["manage_stock"]) if "manage_stock" in body else None)
    if "name" in body:
        seed.name = body["name"]
    if "sku" in body:
        seed.sku = body["sku"]
    if "status" in body:
        record.status = body["status"]


def apply_variation(variant: SeedVariant, body: dict[str, Any]) -> None:
    if "regular_price" in body:
        variant.regular_price = _wc_decimal(body["regular_price"])
    if "sale_price" in body:
        variant.sale_price = _wc_decimal(body["sale_price"])
    variant.price = effective_price(variant.regular_price, variant.sale_price)
    manage = body.get("manage_stock")
    # "parent" means the variation tracks no stock of its own.
    _apply_stock(
        variant,
        body,
        False if manage == "parent" else _bool(manage) if "manage_stock" in body else None,
    )
    if "sku" in body:
        variant.sku = body["sku"]
