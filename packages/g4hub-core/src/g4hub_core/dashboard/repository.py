"""The dashboard's queries: a fixed few per overview, whatever the number of stores, products
or past syncs.

Each reads through an index of the initial migration: stores by `tenant_id`; a store's newest
sync by `(store_id, created_at)`; whether a sync is active by the partial unique index on
`store_id` where `status IN ('queued', 'running')`; the tenant's feed by `(tenant_id,
created_at)`. None touches `store_products`: stores carry their `products_synced`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, exists, literal_column, select

from g4hub_core.models import Store, SyncLog
from g4hub_core.models.sync_log import ACTIVE_STATUSES
from g4hub_core.repository import TenantRepository

__all__ = ["ActivityRepository", "StoreStatusRepository"]


def _active() -> ColumnElement[bool]:
    # Literal values, not bound parameters: PostgreSQL uses a partial index only when it can
    # prove the query implies the index's predicate, which a generic plan over parameters
    # (psycopg prepares a statement after a few runs) cannot.
    return SyncLog.status.in_([literal_column(f"'{status}'") for status in ACTIVE_STATUSES])


class StoreStatusRepository(TenantRepository[Store]):
    """The tenant's stores with the state of their syncs."""

    model = Store
    noun = "store"

    async def statuses(self) -> Sequence[RowMapping]:
        """One mapping per store, by name: its overview columns, `last_sync_status` (its newest
        sync's status or `None`) and `syncing` (a sync is queued or running)."""
        newest_status = (
            select(SyncLog.status)
            .where(SyncLog.store_id == Store.id)
            .order_by(SyncLog.created_at.desc())
            .limit(1)
            .correlate(Store)
            .scalar_subquery()
        )
        syncing = exists().where(SyncLog.store_id == Store.id, _active()).correlate(Store)
        statement = (
            self.statement()
            .with_only_columns(
                Store.id,
                Store.name,
                Store.platform,
                Store.store_url,
                Store.connection_status,
                Store.products_count,
                Store.products_synced,
                Store.last_sync_at,
                newest_status.label("last_sync_status"),
                syncing.label("syncing"),
            )
            .order_by(Store.name, Store.created_at, Store.id)
        )
        return (await self.session.execute(statement)).mappings().all()


class ActivityRepository(TenantRepository[SyncLog]):
    """The tenant's syncs, newest first, with the name and platform of their store."""

    model = SyncLog
    noun = "sync"

    async def recent(self, limit: int) -> Sequence[RowMapping]:
        columns: list[Any] = [
            SyncLog.id,
            SyncLog.store_id,
            Store.name.label("store_name"),
            Store.platform,
            SyncLog.trigger,
            SyncLog.mode,
            SyncLog.status,
            SyncLog.products_fetched,
            SyncLog.products_created,
            SyncLog.products_updated,
            SyncLog.products_deleted,
            SyncLog.progress,
            SyncLog.error_code,
            SyncLog.error_message,
            SyncLog.created_at,
            SyncLog.started_at,
            SyncLog.finished_at,
        ]
        statement = (
            self.statement()
            .with_only_columns(*columns)
            .join(Store, Store.id == SyncLog.store_id)
            .where(Store.tenant_id == self.tenant_id)
            .order_by(SyncLog.created_at.desc(), SyncLog.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(statement)).mappings().all()
