"""Scheduled syncs: which stores are due, and queueing their syncs.

A store with `sync_interval_minutes` has a `next_sync_at`; requesting any sync of it moves that
one interval on (`SyncService.request`), so a store synced by hand is not synced again by the
schedule right after. Whatever runs the schedule (procrastinate's periodic task, the embedded
runner's timer) calls `queue_due_syncs` (through `JobRuntime.queue_due`) every
`sync_schedule_check_seconds`; running it twice at once is harmless, since a store has at most
one active sync.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.db.base import utcnow
from g4hub_core.models import Store, SyncLog
from g4hub_core.models.sync_log import ACTIVE_STATUSES
from g4hub_core.unit import UnitOfWork

__all__ = ["due_stores", "queue_due_syncs"]

logger = logging.getLogger("g4hub_core.sync")

_BATCH = 200


async def due_stores(
    session: AsyncSession, *, now: datetime | None = None, limit: int = _BATCH
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """`(tenant_id, store_id)` of the stores, of every tenant, whose scheduled sync is due at
    `now` (default: now) and that have no queued or running sync; most overdue first, at most
    `limit`. Reads `ix_stores_next_sync_at` and the active-sync index only."""
    active = exists().where(SyncLog.store_id == Store.id, SyncLog.status.in_(ACTIVE_STATUSES))
    statement = (
        select(Store.tenant_id, Store.id)
        .where(Store.next_sync_at <= (now or utcnow()), ~active)
        .order_by(Store.next_sync_at, Store.id)
        .limit(limit)
    )
    return [(tenant_id, store_id) for tenant_id, store_id in await session.execute(statement)]


async def queue_due_syncs(
    unit: Callable[[], UnitOfWork],
    request: Callable[[uuid.UUID, uuid.UUID], Awaitable[object]],
    *,
    now: datetime | None = None,
) -> int:
    """Queue a `scheduled` sync of every due store through `request(tenant_id, store_id)`
    (which asks the tenant's `SyncService` in a unit of its own: one store's failure does not
    stop the others); `unit` opens the unit that finds them. Returns how many were queued."""
    queued = 0
    while True:
        async with unit() as work:
            due = await due_stores(work.session, now=now)
        taken = 0
        for tenant_id, store_id in due:
            try:
                await request(tenant_id, store_id)
                taken += 1
            except Exception:
                logger.warning(
                    "queueing the scheduled sync of store %s failed", store_id, exc_info=True
                )
        queued += taken
        # A full batch may hide more due stores: each one queued has left the due set.
        if len(due) < _BATCH or taken == 0:
            return queued
