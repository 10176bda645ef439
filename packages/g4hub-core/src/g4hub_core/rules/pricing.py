"""A price rule's arithmetic: the source's price, marked up or down, then rounded. Decimal
throughout (never a float): money in, money out, to the cent."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Literal

__all__ = ["Adjustment", "Rounding", "adjusted_price", "round_price"]

Adjustment = Literal["percent", "amount"]
"""`percent`: the source's price times (100 + adjustment) / 100. `amount`: plus the adjustment.
A negative adjustment is a markdown."""

Rounding = Literal["none", "whole", "end_99"]
"""`none`: to the cent. `whole`: to the nearest whole unit. `end_99`: to the nearest price
ending in .99 (never below 0.99)."""

_CENT = Decimal("0.01")
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_NINETY_NINE = Decimal("0.99")


def round_price(exact: Decimal, rounding: Rounding) -> Decimal:
    """`exact` (not negative) rounded as `rounding` says; halves go up."""
    if rounding == "whole":
        return exact.quantize(_ONE, rounding=ROUND_HALF_UP).quantize(_CENT)
    if rounding == "end_99":
        # The candidates around `exact`: n - 0.01 and n + 0.99 for n = floor(exact).
        whole = exact.quantize(_ONE, rounding=ROUND_FLOOR)
        upper = whole + _NINETY_NINE
        lower = whole - _CENT
        if lower < _NINETY_NINE or upper - exact <= exact - lower:
            return upper
        return lower
    return exact.quantize(_CENT, rounding=ROUND_HALF_UP)


def adjusted_price(
    source: Decimal, kind: Adjustment, adjustment: Decimal, rounding: Rounding
) -> Decimal:
    """The target's price for a source price of `source`: adjusted, never below zero, rounded.
    A markdown of more than the price itself is a price of 0 (before rounding)."""
    if kind == "percent":
        exact = source * (_HUNDRED + adjustment) / _HUNDRED
    else:
        exact = source + adjustment
    return round_price(max(exact, Decimal(0)), rounding)
