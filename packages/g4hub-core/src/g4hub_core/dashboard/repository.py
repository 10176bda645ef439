"""The dashboard's queries: a fixed few per overview, whatever the number of stores, products
or past syncs.

Each reads through an index of the initial migration: stores by `tenant_id`; a store's newest
sync by `(store_id, created_at)`; whether a sync is active by the partial unique index on
`store_id` where `status IN ('queued', 'running')`; the tenant's feed by `(tenant_id,
created_at, id)` (migration 0009), read backwards; a store's webhook endpoint (its real-time
status) by the unique `store_id`, joined to the store's row. None touches `store_products`:
stores carry their `products_synced`.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select, bindparam, exists, literal_column, select

from g4hub_core.models import Store, SyncLog, WebhookEndpoint
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

    async def statuses(self, store_id: uuid.UUID | None = None) -> Sequence[RowMapping]:
        """One mapping per store (or only `store_id`), by name: its overview columns,
        `last_sync_status` (its newest sync's status or `None`), `syncing` (a sync is queued or
        running), its newest finished sync's `finished_status`, `finished_error` and
        `finished_at`, and its webhook endpoint's `endpoint_status`, `endpoint_reason` and
        `endpoint_checked_at` (all `None` without an endpoint)."""
        statement = _statuses(by_store=store_id is not None)
        parameters = {"tenant_id": self.tenant_id, "store_id": store_id}
        return (await self.session.execute(statement, parameters)).mappings().all()


@functools.cache
def _statuses(*, by_store: bool) -> Select[*tuple[Any, ...]]:
    """`statuses`' statement for the bound `tenant_id` (and `store_id` when `by_store`): built
    once per process, as its five subqueries cost more to assemble (~1 ms) than to run."""
    tenant_id = bindparam("tenant_id", type_=Store.tenant_id.type)
    syncing = exists().where(SyncLog.store_id == Store.id, _active()).correlate(Store)
    statement = (
        select(
            Store.id,
            Store.name,
            Store.platform,
            Store.store_url,
            Store.connection_status,
            Store.last_connection_test,
            Store.last_error_message,
            Store.products_count,
            Store.products_synced,
            Store.last_sync_at,
            Store.sync_interval_minutes,
            Store.next_sync_at,
            _newest(SyncLog.status).label("last_sync_status"),
            syncing.label("syncing"),
            _newest(SyncLog.status, finished=True).label("finished_status"),
            _newest(SyncLog.error_message, finished=True).label("finished_error"),
            _newest(SyncLog.finished_at, finished=True).label("finished_at"),
            WebhookEndpoint.status.label("endpoint_status"),
            WebhookEndpoint.status_reason.label("endpoint_reason"),
            WebhookEndpoint.checked_at.label("endpoint_checked_at"),
        )
        .join_from(
            Store,
            WebhookEndpoint,
            (WebhookEndpoint.store_id == Store.id) & (WebhookEndpoint.tenant_id == tenant_id),
            isouter=True,
        )
        .where(Store.tenant_id == tenant_id)
        .order_by(Store.name, Store.created_at, Store.id)
    )
    if by_store:
        statement = statement.where(Store.id == bindparam("store_id", type_=Store.id.type))
    return statement


def _newest(column: Any, *, finished: bool = False) -> Any:
    """`column` of the store's newest sync (of its newest finished one with `finished`)."""
    statement = select(column).where(SyncLog.store_id == Store.id)
    if finished:
        statement = statement.where(~_active())
    return statement.order_by(SyncLog.created_at.desc()).limit(1).correlate(Store).scalar_subquery()


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
            SyncLog.products_total,
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

    async def finished(self, limit: int) -> Sequence[RowMapping]:
        """The tenant's `limit` newest finished syncs, newest first, for the overview's chart."""
        statement = (
            self.statement()
            .with_only_columns(
                SyncLog.store_id,
                Store.name.label("store_name"),
                SyncLog.status,
                SyncLog.products_total,
                SyncLog.products_fetched,
                SyncLog.started_at,
                SyncLog.finished_at,
            )
            .join(Store, Store.id == SyncLog.store_id)
            .where(Store.tenant_id == self.tenant_id, ~_active(), SyncLog.finished_at.is_not(None))
            .order_by(SyncLog.created_at.desc(), SyncLog.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(statement)).mappings().all()
