"""Sync logs of one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from g4hub_core.models import SyncLog
from g4hub_core.models.sync_log import ACTIVE_STATUSES
from g4hub_core.repository import TenantRepository

__all__ = ["SyncLogRepository"]


class SyncLogRepository(TenantRepository[SyncLog]):
    """The tenant's sync logs. Lists are newest first."""

    model = SyncLog
    noun = "sync"

    async def active(self, store_id: uuid.UUID) -> SyncLog | None:
        """The store's queued or running sync (there is at most one)."""
        statement = self.statement().where(
            SyncLog.store_id == store_id, SyncLog.status.in_(ACTIVE_STATUSES)
        )
        return (await self.session.scalars(statement.limit(1))).first()

    async def history(self, store_id: uuid.UUID, *, limit: int = 50) -> Sequence[SyncLog]:
        """The store's syncs, newest first."""
        return await self.recent(store_id=store_id, limit=limit)

    async def recent(
        self, *, store_id: uuid.UUID | None = None, limit: int = 50
    ) -> Sequence[SyncLog]:
        """The tenant's syncs (of one store, when given), newest first."""
        statement = self.statement()
        if store_id is not None:
            statement = statement.where(SyncLog.store_id == store_id)
        statement = statement.order_by(SyncLog.created_at.desc(), SyncLog.id.desc()).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def last_succeeded(
        self, store_id: uuid.UUID, *, mode: str | None = None
    ) -> SyncLog | None:
        """The store's most recent successful sync (of `mode`, when given)."""
        statement = self.statement().where(
            SyncLog.store_id == store_id, SyncLog.status == "succeeded"
        )
        if mode is not None:
            statement = statement.where(SyncLog.mode == mode)
        statement = statement.order_by(SyncLog.created_at.desc(), SyncLog.id.desc()).limit(1)
        return (await self.session.scalars(statement)).first()
