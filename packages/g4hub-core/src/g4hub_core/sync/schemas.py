"""What the sync service returns: a sync log as callers (and the API's JSON) see it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

__all__ = ["SyncLogRead", "SyncMode", "SyncStatus", "SyncTrigger", "sync_progress"]

SyncTrigger = Literal["initial", "manual", "scheduled"]
SyncMode = Literal["full", "incremental"]
SyncStatus = Literal["queued", "running", "succeeded", "failed"]


def sync_progress(status: str, fetched: int, total: int | None) -> int:
    """A sync's progress in percent: 100 once it succeeded; before that the share of the
    store's count (`total`, taken when the sync began) fetched so far, held at 99 since the
    store may hold more than it counted; 0 while the count is unknown."""
    if status == "succeeded":
        return 100
    return min(99, fetched * 100 // total) if total else 0


class SyncLogRead(BaseModel):
    """One sync of one store: what asked for it, how far it got, how it ended.

    `progress` is a percentage of `products_total` (the store's own count when the sync began),
    held at 99 until the sync has finished. `error_code` and `error_message` are set when it
    failed: the connector's code and its message for the merchant, `interrupted` when the hub
    stopped mid-sync, `internal_error` for a fault of the hub itself.
    """

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    store_id: uuid.UUID
    trigger: SyncTrigger
    mode: SyncMode
    status: SyncStatus
    products_total: int | None
    products_fetched: int
    products_created: int
    products_updated: int
    products_deleted: int
    error_code: str | None
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_since: datetime | None
    """An incremental sync asked only for products changed after this."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def progress(self) -> int:
        """See `sync_progress`: derived from the counts, never stored."""
        return sync_progress(self.status, self.products_fetched, self.products_total)

    @property
    def active(self) -> bool:
        """Queued or running."""
        return self.status in ("queued", "running")
