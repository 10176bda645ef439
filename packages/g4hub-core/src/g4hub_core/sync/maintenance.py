"""What the procrastinate queue's periodic task does, for every tenant: recover the jobs of
dead workers, queue again the syncs whose job never reached the queue, and queue the scheduled
syncs that are due.

Each step is safe to run twice at once (two workers starting together): a job is retried
only from `doing`, a store has at most one waiting job, and a store one active sync.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from procrastinate import App
from procrastinate.jobs import Status
from sqlalchemy import text, update

from g4hub_core.db.base import utcnow
from g4hub_core.models import SyncLog
from g4hub_core.sync.jobs import RELEASED_MESSAGE, JobRuntime, SyncJob
from g4hub_core.sync.procrastinate_jobs import SYNC_TASK, defer_sync

__all__ = ["maintain", "recover_stalled", "requeue_orphans"]

logger = logging.getLogger("g4hub_core.sync")

ORPHAN_AFTER = timedelta(minutes=2)
"""A queued sync with no job this long after it was requested lost its job (the process died
between the commit and the defer, or the database was away for the defer)."""

_ORPHANS = text(
    """
    SELECT log.tenant_id, log.store_id, log.id FROM sync_logs AS log
    WHERE log.status = 'queued' AND log.created_at < :cutoff
      AND NOT EXISTS (
        SELECT 1 FROM procrastinate_jobs AS job
        WHERE job.lock = 'store:' || log.store_id::text AND job.status IN ('todo', 'doing')
      )
    ORDER BY log.created_at
    LIMIT 500
    """
)


async def maintain(runtime: JobRuntime, app: App) -> None:
    """One run of the periodic task: each step's failure is logged and the next runs."""
    for step in (recover_stalled, requeue_orphans):
        try:
            await step(runtime, app)
        except Exception:
            logger.warning("sync maintenance step %s failed", step.__name__, exc_info=True)
    try:
        await runtime.queue_due()
    except Exception:
        logger.warning("queueing scheduled syncs failed", exc_info=True)


async def recover_stalled(runtime: JobRuntime, app: App) -> int:
    """Put the jobs of workers silent for `sync_worker_stalled_seconds` back in the queue,
    their sync logs back to `queued`; returns how many jobs went back."""
    manager = app.job_manager
    stalled = await manager.get_stalled_jobs(
        seconds_since_heartbeat=runtime.settings.sync_worker_stalled_seconds
    )
    recovered = 0
    for job in stalled:
        log_id = job.task_kwargs.get("log_id") if job.task_name == SYNC_TASK else None
        if isinstance(log_id, str):
            await _release_log(runtime, log_id)
        try:
            await manager.retry_job(job)
        except Exception:
            # Already retried by another worker, or the store has a job waiting (its queueing
            # lock refuses a second): end this one so it stops holding the store's lock.
            logger.info("stalled job %s not retried; ending it", job.id, exc_info=True)
            try:
                await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            except Exception:
                logger.debug("stalled job %s already ended", job.id, exc_info=True)
            continue
        recovered += 1
        logger.warning("job %s (%s) of a dead worker queued again", job.id, job.task_name)
    return recovered


async def _release_log(runtime: JobRuntime, log_id: str) -> None:
    async with runtime.unit() as unit:
        await unit.session.execute(
            update(SyncLog)
            .where(SyncLog.id == uuid.UUID(log_id), SyncLog.status == "running")
            .values(status="queued", error_code=None, error_message=RELEASED_MESSAGE)
        )


async def requeue_orphans(runtime: JobRuntime, app: App) -> int:
    """Defer a job for every sync queued over `ORPHAN_AFTER` ago whose store has no job
    waiting or running; returns how many."""
    async with runtime.unit() as unit:
        rows = (await unit.session.execute(_ORPHANS, {"cutoff": utcnow() - ORPHAN_AFTER})).all()
    deferred = 0
    for tenant_id, store_id, log_id in rows:
        if await defer_sync(app, SyncJob(tenant_id, store_id, log_id)) is not None:
            deferred += 1
            logger.warning("sync %s of store %s had no job; queued again", log_id, store_id)
    return deferred
