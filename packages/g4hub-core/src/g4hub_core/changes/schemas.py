from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

__all__ = ["ChangePage", "ChangeRead"]


class ChangeRead(BaseModel):
    """One change of a product. `cursor` resumes the feed right after this change."""

    model_config = ConfigDict(from_attributes=True)

    cursor: str
    store_id: uuid.UUID
    platform_product_id: str
    kind: str
    """`created` | `updated` | `deleted`."""
    source: str
    """`sync` | `webhook`."""
    source_updated_at: datetime | None
    changed_at: datetime


class ChangePage(BaseModel):
    """Changes oldest first. `next_cursor` resumes after the last one given (the cursor asked
    with, when there were none): pass it back to get what happened since. `has_more`: more are
    waiting now."""

    items: list[ChangeRead]
    next_cursor: str
    has_more: bool
