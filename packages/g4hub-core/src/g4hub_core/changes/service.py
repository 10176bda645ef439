"""`ChangeFeed`: the tenant's change feed for programs that follow the catalog.

    page = await unit.changes.page(cursor=None, limit=100)     # from the beginning
    page = await unit.changes.page(cursor=page.next_cursor)    # what happened since

Cursors are opaque strings (today the change's id, versioned); a malformed one is
`InvalidInput` (`invalid_cursor`). Nothing is pruned, so a cursor never falls off the end.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from functools import cached_property

from g4hub_core.changes.repository import ChangeRepository
from g4hub_core.changes.schemas import ChangePage, ChangeRead
from g4hub_core.errors import InvalidInput
from g4hub_core.unit import UnitOfWork

__all__ = ["MAX_PAGE", "ChangeFeed", "decode_cursor", "encode_cursor"]

MAX_PAGE = 1000
_PREFIX = "c1:"


def encode_cursor(change_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{change_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The change id a cursor stands for (0: the beginning)."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        value = int(text.removeprefix(_PREFIX))
        if value < 0:
            raise ValueError(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "The cursor is not one this feed gave out.",
            code="invalid_cursor",
            details={"cursor": "unreadable"},
        ) from None
    return value


class ChangeFeed:
    def __init__(self, unit: UnitOfWork) -> None:
        self.unit = unit

    @cached_property
    def repository(self) -> ChangeRepository:
        return ChangeRepository(self.unit.session, self.unit.tenant_id)

    async def page(
        self, cursor: str | None = None, *, limit: int = 100, store_id: uuid.UUID | None = None
    ) -> ChangePage:
        """Up to `limit` (1-1000) changes after `cursor`, oldest first (of one store, with
        `store_id`)."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", code="invalid_limit")
        last = decode_cursor(cursor)
        rows = await self.repository.after(last, limit=limit + 1, store_id=store_id)
        more = len(rows) > limit
        rows = rows[:limit]
        items = [
            ChangeRead(
                cursor=encode_cursor(row.id),
                store_id=row.store_id,
                platform_product_id=row.platform_product_id,
                kind=row.kind,
                source=row.source,
                source_updated_at=row.source_updated_at,
                changed_at=row.changed_at,
            )
            for row in rows
        ]
        next_cursor = items[-1].cursor if items else encode_cursor(last)
        return ChangePage(items=items, next_cursor=next_cursor, has_more=more)
