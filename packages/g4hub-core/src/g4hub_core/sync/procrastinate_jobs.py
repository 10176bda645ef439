"""How a sync job looks on procrastinate: its task name, its store's lock, and deferring it. Shared
by the queue (`procrastinate_queue`) and its periodic maintenance (`maintenance`)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from procrastinate import App
from procrastinate.exceptions import AlreadyEnqueued

from g4hub_core.sync.jobs import SyncJob

__all__ = ["SYNC_TASK", "defer_sync", "store_lock"]

logger = logging.getLogger("g4hub_core.sync")

SYNC_TASK = "g4hub.sync_store"


def store_lock(store_id: uuid.UUID) -> str:
    """The procrastinate lock (and queueing lock) of one store's sync jobs."""
    return f"store:{store_id}"


async def defer_sync(app: App, job: SyncJob, *, delay: float | None = None) -> int | None:
    """Defer `job` on `app` (to run `delay` seconds from now, when given): its procrastinate
    job id, or `None` when the store already has a job waiting. Raises what the database
    raises."""
    lock = store_lock(job.store_id)
    deferrer = app.configure_task(
        SYNC_TASK,
        lock=lock,
        queueing_lock=lock,
        schedule_in=None if delay is None else {"seconds": delay},
    )
    kwargs: dict[str, Any] = {
        "tenant_id": str(job.tenant_id),
        "store_id": str(job.store_id),
        "log_id": str(job.log_id),
    }
    try:
        return await deferrer.defer_async(**kwargs)
    except AlreadyEnqueued:
        logger.debug("store %s already has a sync job waiting", job.store_id)
        return None
