"""The embedded runner: sync jobs as tasks in this process, a bounded number at once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING

from g4hub_core.sync.jobs import SyncJob
from g4hub_core.sync.recovery import recover_abandoned

if TYPE_CHECKING:
    from g4hub_core.hub import Hub

__all__ = ["EmbeddedRunner"]

logger = logging.getLogger("g4hub_core.sync")


class EmbeddedRunner:
    """Runs each job with `hub.sync_engine` in this process, at most
    `settings.sync_concurrency` at once. Jobs enqueued before `start()` wait for it; a job
    enqueued again while it waits or runs is not run twice."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._slots = asyncio.Semaphore(hub.settings.sync_concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: list[SyncJob] = []
        self._known: set[uuid.UUID] = set()
        """Logs with a job waiting or running here."""
        self._running = False

    async def start(self) -> None:
        """Recover what a crash left (`running` → failed "interrupted"; `queued` → run) and
        begin running jobs."""
        async with self._hub.unit() as unit:
            recovered = await recover_abandoned(unit.session)
        self._running = True
        pending, self._pending = self._pending, []
        self._known.clear()
        for job in [*recovered, *pending]:
            await self.enqueue(job)

    async def stop(self) -> None:
        """Cancel running jobs (each records that it was interrupted) and wait for them."""
        self._running = False
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def enqueue(self, job: SyncJob) -> None:
        if job.log_id in self._known:
            return
        self._known.add(job.log_id)
        if not self._running:
            self._pending.append(job)
            return
        task = asyncio.create_task(self._run(job), name=f"sync {job.log_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        """Wait until every job enqueued so far (and any they lead to) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, job: SyncJob) -> None:
        try:
            async with self._slots:
                await self._hub.sync_engine.run(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The engine records failures in the sync log; reaching here is our own bug.
            logger.exception("sync %s of store %s crashed", job.log_id, job.store_id)
        finally:
            self._known.discard(job.log_id)
