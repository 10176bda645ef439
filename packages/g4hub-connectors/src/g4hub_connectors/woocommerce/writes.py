"""Writes to a WooCommerce product or variation, and the check that the store applied them.

WooCommerce answers 200 to an update it partly ignores: a quantity on a product or variation that
does not manage stock (the quantity stays as it was), prices on a variable product (they are its
variations'), any field a plugin resets. So the body is built the way WooCommerce can apply it (a
quantity turns stock management on in the same request), and the store's answer is compared with
what was asked: a field it did not take is a `WriteNotAppliedError`, never a silent success.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from g4hub_connectors.errors import InvalidRequestError, WriteNotAppliedError
from g4hub_connectors.models import Product, ProductUpdate
from g4hub_connectors.woocommerce.mapping import manages_stock, parse_money, parse_quantity
from g4hub_connectors.woocommerce.payloads import WCProduct, WCVariation

__all__ = ["ignored_fields", "not_applied", "update_body"]

PLATFORM = "woocommerce"


def _money(value: Decimal | None) -> str:
    # WooCommerce takes prices as strings; "" clears one (an empty sale price ends a sale).
    return "" if value is None else format(value, "f")


def update_body(update: ProductUpdate) -> dict[str, Any]:
    """The JSON WooCommerce expects for the fields the caller set, and only those.

    A `stock_quantity` comes with `manage_stock: true`, without which WooCommerce ignores it;
    with `manage_stock=False` it is refused here (`InvalidRequestError`), before anything is sent.
    """
    changes = update.changes()
    body: dict[str, Any] = {}
    if "price" in changes:
        body["regular_price"] = _money(changes["price"])
    if "sale_price" in changes:
        body["sale_price"] = _money(changes["sale_price"])
    quantity, manage = changes.get("stock_quantity"), changes.get("manage_stock")
    # WooCommerce has no "unknown" quantity (null is refused); stop tracking with manage_stock.
    if quantity is not None:
        if manage is False:
            raise InvalidRequestError(
                "stock_quantity with manage_stock=False: WooCommerce ignores a quantity on a "
                "product or variation that does not manage stock",
                platform=PLATFORM,
                fields={"stock_quantity": quantity, "manage_stock": False},
                user_message=(
                    "A stock quantity can only be set on a WooCommerce product that manages its "
                    "stock, and this change also switches stock management off. Leave "
                    "manage_stock unset (or true) to set the quantity."
                ),
            )
        body["manage_stock"] = True
        body["stock_quantity"] = quantity
    elif manage is not None:
        body["manage_stock"] = manage
    return body


def ignored_fields(update: ProductUpdate, answer: WCProduct | WCVariation) -> list[str]:
    """The fields of `update` (by their `ProductUpdate` names) whose value in the store's answer
    is not the one asked for. Prices compare as amounts ("9.5" is "9.50")."""
    changes = update.changes()
    ignored = []
    if "price" in changes and parse_money(answer.regular_price) != changes["price"]:
        ignored.append("price")
    if "sale_price" in changes and parse_money(answer.sale_price) != changes["sale_price"]:
        ignored.append("sale_price")
    quantity = changes.get("stock_quantity")
    if quantity is not None and parse_quantity(answer.stock_quantity) != quantity:
        ignored.append("stock_quantity")
    manage = True if quantity is not None else changes.get("manage_stock")
    if manage is not None and manages_stock(answer.manage_stock) != manage:
        ignored.append("manage_stock")
    return ignored


def not_applied(
    ignored: list[str], applied: Product, *, route: str, variable: bool
) -> WriteNotAppliedError:
    """The error for an update the store answered 200 to without applying `ignored`."""
    fields = ", ".join(ignored)
    prices_on_parent = variable and {"price", "sale_price"} & set(ignored)
    why = (
        "A variable product's prices are set on its variations."
        if prices_on_parent
        else "A plugin on the store may be resetting them."
    )
    return WriteNotAppliedError(
        f"PUT {route} answered 200 but kept the store's own {fields}",
        ignored_fields=ignored,
        applied=applied,
        platform=PLATFORM,
        status_code=200,
        user_message=(
            f"Your WooCommerce store accepted the change but did not apply {fields}: it kept "
            f"its current values. {why}"
        ),
    )
