"""A price rule's arithmetic: exact decimals, markups and markdowns, and each rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from g4hub_core.rules import adjusted_price, round_price

prices = st.decimals(min_value=0, max_value=1_000_000, places=2)
percents = st.decimals(min_value=-100, max_value=1000, places=2)
amounts = st.decimals(min_value=-1_000_000, max_value=1_000_000, places=2)
exact = st.decimals(min_value=0, max_value=10_000_000, places=6)


@pytest.mark.parametrize(
    ("source", "kind", "adjustment", "rounding", "expected"),
    [
        ("10.00", "percent", "20", "none", "12.00"),
        ("10.00", "percent", "20", "end_99", "11.99"),
        ("19.99", "percent", "-10", "none", "17.99"),  # 17.991 to the cent
        ("19.99", "percent", "-10", "whole", "18.00"),
        ("12.50", "amount", "2.25", "none", "14.75"),
        ("12.50", "amount", "0", "whole", "13.00"),  # halves go up
        ("5.00", "amount", "-10", "none", "0.00"),  # a markdown stops at 0
        ("5.00", "percent", "-100", "whole", "0.00"),
        ("0.10", "amount", "0", "end_99", "0.99"),  # never below 0.99
        ("10.49", "amount", "0", "end_99", "10.99"),  # as near as 9.99: up
        ("10.48", "amount", "0", "end_99", "9.99"),
    ],
)
def test_examples(source: str, kind: str, adjustment: str, rounding: str, expected: str) -> None:
    got = adjusted_price(Decimal(source), kind, Decimal(adjustment), rounding)  # type: ignore[arg-type]
    assert isinstance(got, Decimal)
    assert str(got) == expected


@given(exact)
def test_end_99_ends_in_99_and_is_the_nearest(value: Decimal) -> None:
    got = round_price(value, "end_99")
    assert got % 1 == Decimal("0.99")
    assert abs(got - value) <= 1
    if value >= 1:  # a price ending in .99 is at most half a unit away
        assert abs(got - value) <= Decimal("0.5")


@given(exact)
def test_whole_and_cents(value: Decimal) -> None:
    whole = round_price(value, "whole")
    assert whole % 1 == 0
    assert abs(whole - value) <= Decimal("0.5")
    cents = round_price(value, "none")
    assert cents == cents.quantize(Decimal("0.01"))
    assert abs(cents - value) <= Decimal("0.005")


@given(prices, percents, st.sampled_from(["none", "whole", "end_99"]))
def test_percent_is_exact_before_rounding_and_never_negative(
    source: Decimal, percent: Decimal, rounding: str
) -> None:
    got = adjusted_price(source, "percent", percent, rounding)  # type: ignore[arg-type]
    wanted = max(source * (100 + percent) / 100, Decimal(0))
    assert got >= 0
    assert abs(got - wanted) <= 1
    if percent >= 0:  # a markup never goes below the source, to within the rounding
        assert got >= source - 1


@given(prices, amounts)
def test_an_amount_markdown_never_goes_below_zero(source: Decimal, amount: Decimal) -> None:
    got = adjusted_price(source, "amount", amount, "none")
    assert got == max(source + amount, Decimal(0)).quantize(Decimal("0.01"))
