"""Sync logs of one tenant, and the columns a sync writes on its store: every read and write of
a sync names the tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update

from g4hub_core.models import Store, SyncLog
from g4hub_core.models.sync_log import ACTIVE_STATUSES
from g4hub_core.repository import TenantRepository

__all__ = ["SyncLogRepository", "SyncedStoreRepository"]


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

    async def transition(
        self,
        log_id: uuid.UUID,
        store_id: uuid.UUID,
        *,
        expect: str | tuple[str, ...] = "running",
        **values: Any,
    ) -> bool:
        """Change the log if it belongs to the store and its status is `expect` (or one of
        them); True if it did. The status check makes each step of a sync happen once, however
        many runners see the job."""
        expected = (expect,) if isinstance(expect, str) else expect
        result = await self.session.execute(
            update(SyncLog)
            .where(
                SyncLog.tenant_id == self.tenant_id,
                SyncLog.id == log_id,
                SyncLog.store_id == store_id,
                SyncLog.status.in_(expected),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def plan(self, log_id: uuid.UUID) -> tuple[str, datetime | None, int, int]:
        """A log's `(mode, updated_since, products_created, products_updated)`."""
        row = (
            await self.session.execute(
                self.statement()
                .with_only_columns(
                    SyncLog.mode,
                    SyncLog.updated_since,
                    SyncLog.products_created,
                    SyncLog.products_updated,
                )
                .where(SyncLog.id == log_id)
            )
        ).one()
        return row[0], row[1], row[2], row[3]

    async def running(self, *, besides: uuid.UUID | None = None) -> int:
        """How many of the tenant's syncs are running (other than `besides`)."""
        statement = self.statement().where(SyncLog.status == "running")
        if besides is not None:
            statement = statement.where(SyncLog.id != besides)
        return int(await self.session.scalar(statement.with_only_columns(func.count())) or 0)


class SyncedStoreRepository(TenantRepository[Store]):
    """The tenant's stores, as a sync records its outcome on them."""

    model = Store
    noun = "store"

    async def record(self, store_id: uuid.UUID, **values: Any) -> None:
        """Set columns of the store (nothing, for another tenant's store)."""
        await self.session.execute(
            update(Store)
            .where(Store.tenant_id == self.tenant_id, Store.id == store_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
