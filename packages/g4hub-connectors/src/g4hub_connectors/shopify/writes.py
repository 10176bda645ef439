"""How a `ProductUpdate` becomes Shopify variant fields, and how the store's answers are checked
against what was asked: Shopify answers 200 to writes it does not (fully) apply, so a write is
taken as done only when the store's own answer and a re-read say so."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from g4hub_connectors.shopify.mapping import split_price
from g4hub_connectors.shopify.payloads import VariantPayload, money, tracked

__all__ = ["money_text", "price_fields", "unapplied_prices"]

# Shopify keeps prices in cents: a value asked with more digits is rounded, not ignored.
_CENT_ROUNDING = Decimal("0.005")


def money_text(amount: Decimal) -> str:
    """A price as Shopify takes it: two decimals unless more were given."""
    return f"{amount:.2f}" if amount == amount.quantize(Decimal("0.01")) else str(amount)


def price_fields(variant: VariantPayload, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The variant fields that express the price change in `changes`, Shopify's way.

    A sale sets `price` to the sale price and `compare_at_price` to the regular price; ending a
    sale (`sale_price=None`) moves the regular price back into `price`.
    """
    regular, sale = split_price(money(variant.get("price")), money(variant.get("compare_at_price")))
    # An explicit price=None cannot be sent: Shopify variants always have a price.
    new_regular: Decimal | None = changes.get("price")
    if "sale_price" in changes:
        new_sale: Decimal | None = changes["sale_price"]
        if new_sale is not None:
            base = new_regular if new_regular is not None else regular
            return {
                "price": money_text(new_sale),
                "compare_at_price": money_text(base) if base is not None else None,
            }
        # Ending the sale: the regular price becomes the price again.
        back = new_regular if new_regular is not None else regular
        fields: dict[str, Any] = {"compare_at_price": None}
        if back is not None:
            fields["price"] = money_text(back)
        return fields
    if new_regular is None:
        return {}
    if sale is not None and new_regular > sale:
        # On sale: the regular price is the compare-at price; the sale price stays.
        return {"compare_at_price": money_text(new_regular)}
    fields = {"price": money_text(new_regular)}
    if money(variant.get("compare_at_price")) is not None:
        # A regular price at or below the sale price ends the sale; a stale compare-at price
        # (at or below the old price) would otherwise turn into a sale under the new one.
        fields["compare_at_price"] = None
    return fields


def _same_money(asked: Any, held: Any) -> bool:
    want, have = money(asked), money(held)
    if want is None or have is None:
        return want is have
    return abs(want - have) <= _CENT_ROUNDING


def unapplied_prices(sent: Mapping[str, Any], variant: VariantPayload) -> dict[str, str]:
    """Variant price fields in `sent` that `variant` (the store's answer or a re-read) does not
    hold, each with what it holds instead."""
    return {
        name: str(variant.get(name))
        for name, value in sent.items()
        if not _same_money(value, variant.get(name))
    }


def tracking_applied(asked: bool, variant: VariantPayload) -> bool:
    """Whether the re-read `variant` tracks its stock as asked."""
    return tracked(variant) is asked
