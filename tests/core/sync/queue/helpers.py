"""What the queue tests share: reading procrastinate's jobs, waiting on a log."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from g4hub_core import Hub
from g4hub_core.sync.schemas import SyncLogRead

WAIT = 30.0  # a bound for a test that would otherwise hang, never a timing assertion


async def queue_jobs(hub: Hub, store_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """Procrastinate's sync jobs (of one store), oldest first."""
    query = "SELECT id, status, lock, queueing_lock, attempts, args FROM procrastinate_jobs"
    query += " WHERE task_name = 'g4hub.sync_store'"
    if store_id is not None:
        query += f" AND lock = 'store:{store_id}'"
    async with hub.unit() as unit:
        found = await unit.session.execute(text(query + " ORDER BY id"))
        return [dict(row._mapping) for row in found]


async def watch(
    hub: Hub,
    tenant_id: uuid.UUID,
    log_id: uuid.UUID,
    until: Callable[[SyncLogRead], bool],
    seen: list[SyncLogRead] | None = None,
) -> SyncLogRead:
    """Poll the log until `until` holds, keeping every state it was seen in."""
    deadline = time.monotonic() + WAIT
    while True:
        async with hub.unit(tenant_id) as unit:
            log = await unit.sync.get(log_id)
        if seen is not None and (not seen or seen[-1] != log):
            seen.append(log)
        if until(log):
            return log
        assert time.monotonic() < deadline, f"the sync never got there: {log!r}"
        await asyncio.sleep(0.01)


def finished(log: SyncLogRead) -> bool:
    return not log.active


async def drained(hub: Hub, store_id: uuid.UUID) -> None:
    """Wait until the store has no sync job left (successful jobs are deleted)."""
    deadline = time.monotonic() + WAIT
    while await queue_jobs(hub, store_id):
        assert time.monotonic() < deadline, "the store's jobs never ended"
        await asyncio.sleep(0.05)
