"""Email addresses as the hub stores them: validated, then lower-cased whole, so uniqueness and
sign-in ignore case."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from g4hub_core.errors import InvalidInput

__all__ = ["normalize_email"]


def normalize_email(raw: str) -> str:
    """The normalized form of `raw` (surrounding spaces dropped, IDNA domain, lower case).

    Raises `InvalidInput(code="invalid_email")` saying what is wrong. Deliverability is not
    checked: that needs DNS, and a typo'd but well-formed address is the user's to fix.
    """
    text = raw.strip()
    if not text:
        raise _invalid("Enter your email address.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        # The library's sentence names the problem ("must have an @-sign", "invalid characters
        # before the @-sign: SPACE") without repeating the address.
        raise _invalid(f"Enter a valid email address. {exc}") from None
    # Most mail servers treat the local part case-insensitively; the hub does too, so
    # "Alice@x.com" and "alice@x.com" are one account.
    return result.normalized.lower()


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_email", details={"email": message})
