"""Text folded for search: without case or accents, the same way for what is stored and what is
asked ("cafe" finds "Café", "STRASSE" finds "Straße"). Pure functions, no database."""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "search_text"]

# Between name and SKU, so that a query never matches across the two; typed input cannot hold
# control characters, so no query contains it.
_SEPARATOR = "\n"


def fold(text: str) -> str:
    """`text` without case or accents: compatibility-decomposed (NFKD), combining marks dropped,
    case-folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_text(name: str | None, sku: str | None) -> str:
    """The folded text a product is found by (`store_products.search_text`). NUL is dropped:
    PostgreSQL's text refuses it."""
    return (fold(name or "") + _SEPARATOR + fold(sku or "")).replace("\x00", "")
