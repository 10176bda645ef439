"""Response bodies of the sync routes: the core's `SyncLogRead` and the list envelope."""

from __future__ import annotations

from pydantic import BaseModel

from g4hub_core.sync.schemas import SyncLogRead

__all__ = ["SyncLogList"]


class SyncLogList(BaseModel):
    """`GET /api/sync/logs`: sync logs, newest first."""

    items: list[SyncLogRead]
