"""Catalog search: a substring of a product's name or SKU, without regard to case or accents
("cafe" finds "Café", "STRASSE" finds "Straße").

Both sides are folded the same way in Python (`g4hub_core.folding`): the stored side once,
when the row is written, into `store_products.search_text`; the query when it is asked. The
database then only compares folded text with `LIKE '%…%'`, which PostgreSQL answers from a
trigram (pg_trgm) GIN index, and SQLite by scanning the rows of the one store (its `store_id`
indexes bound the scan to that store; the service bounds the query's length).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from g4hub_core.folding import fold, search_text
from g4hub_core.models import StoreProduct

__all__ = ["escape_like", "fold", "matches", "search_text"]

_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """`text` as a LIKE pattern that matches it literally (`%` and `_` are not wildcards)."""
    return (
        text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    )


def matches(query: str) -> ColumnElement[bool]:
    """Products whose name or SKU contains `query`, whatever the case and accents."""
    return StoreProduct.search_text.like(f"%{escape_like(fold(query))}%", escape=_ESCAPE)
