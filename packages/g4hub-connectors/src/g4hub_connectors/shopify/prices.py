"""Shopify's money and price rules, shared by the REST and the GraphQL connector: prices as
`Decimal`s, a sale read from `price` below `compare_at_price`, and a `ProductUpdate`'s price
change written back Shopify's way (and checked against what the store then holds).

Both APIs must give a store the same prices and write them the same way, so a store can switch
API: this is the one place those rules live. GraphQL variants are handed over in the REST
variant's shape (`price`, `compare_at_price`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from g4hub_connectors.shopify.payloads import RawMoney, VariantPayload

__all__ = ["money", "money_text", "price_fields", "split_price", "unapplied_prices"]

# Shopify keeps prices in cents: a value asked with more digits is rounded, not ignored.
_CENT_ROUNDING = Decimal("0.005")
_PARSED: dict[str, Decimal | None] = {}
"""Price texts already converted: a catalog repeats a few thousand prices over millions of
variants. `Decimal`s are immutable, so sharing one is safe; the cache is emptied when full."""
_PARSED_MAX = 65_536


def _parse(value: str) -> Decimal | None:
    try:
        # Decimal takes surrounding spaces.
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def money(value: RawMoney) -> Decimal | None:
    """A price as a `Decimal`; `""`, null and anything that is not a number become `None`."""
    if isinstance(value, str):
        try:
            return _PARSED[value]
        except KeyError:
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            amount = _PARSED[value] = _parse(value)
            return amount
    if value is None or isinstance(value, bool):
        return None
    # str() keeps a float's binary digits out.
    return _parse(str(value))


def split_price(
    price: Decimal | None, compare_at: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    """`(regular_price, sale_price)` of a variant.

    Shopify shows a sale as `price` below `compare_at_price`; a compare-at price at or below the
    price is not shown to buyers, so it is not a sale.
    """
    if price is not None and compare_at is not None and compare_at > price:
        return compare_at, price
    # compare_at_price at or below price is dropped: Shopify itself ignores it.
    return price, None


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
