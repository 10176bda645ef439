"""Scheduled syncs: which stores are due, and queueing their syncs.

A store with `sync_interval_minutes` has a `next_sync_at`; requesting any sync of it moves that
one interval on (`SyncService.request`), so a store synced by hand is not synced again by the
schedule right after. Whatever runs the schedule (procrastinate's periodic task, the embedded
runner's timer) calls `queue_due_syncs` every `sync_schedule_check_seconds`; running it twice
at once is harmless, since a store has at most one active sync.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.db.base import utcnow
from g4hub_core.models import Store, SyncLog
from g4hub_core.models.sync_log import ACTIVE_STATUSES

if TYPE_CHECKING:
    from g4hub_core.hub import Hub

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


async def queue_due_syncs(hub: Hub, *, now: datetime | None = None) -> int:
    """Queue a `scheduled` sync of every due store, each through its tenant's `SyncService` in
    its own unit (one store's failure does not stop the others). Returns how many were
    queued."""
    queued = 0
    while True:
        async with hub.unit() as unit:
            due = await due_stores(unit.session, now=now)
        taken = 0
        for tenant_id, store_id in due:
            try:
                async with hub.unit(tenant_id) as unit:
                    await unit.sync.request(store_id, trigger="scheduled")
                taken += 1
            except Exception:
                logger.warning(
                    "queueing the scheduled sync of store %s failed", store_id, exc_info=True
                )
        queued += taken
        # A full batch may hide more due stores: each one queued has left the due set.
        if len(due) < _BATCH or taken == 0:
            return queued
