"""Email normalization: one form per address, helpful refusals."""

from __future__ import annotations

import pytest

from g4hub_core import InvalidInput
from g4hub_core.tenants.emails import normalize_email


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("alice@example.com", "alice@example.com"),
        (" Alice@Example.COM ", "alice@example.com"),
        ("ALICE+shop@EXAMPLE.com", "alice+shop@example.com"),
        ("Zoë@Bücher.example", "zoë@bücher.example"),
    ],
)
def test_normalizes_case_spaces_and_domain(raw: str, normalized: str) -> None:
    assert normalize_email(raw) == normalized


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        ("", "Enter your email address"),
        ("   ", "Enter your email address"),
        ("alice.example.com", "@-sign"),
        ("alice@localhost", "after the @-sign"),
        ("al ice@example.com", "before the @-sign"),
    ],
)
def test_refuses_an_invalid_address_saying_why(raw: str, hint: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_email(raw)
    assert caught.value.code == "invalid_email"
    assert hint in caught.value.message
    assert caught.value.details == {"email": caught.value.message}
    if raw.strip():
        assert raw not in caught.value.message
