"""Running sync jobs: the embedded runner (tasks in this process, a bounded number at once,
shared fairly between tenants), and `DatabaseQueue` for a hub whose syncs run in other
processes.

    Hub(settings)                                   # the embedded default: syncs run in-process
    Hub(settings, jobs=lambda runtime: EmbeddedRunner(runtime, poll_interval=2, recover=False))
                                                    # a worker (`g4hub worker`)
    Hub(settings, jobs=DatabaseQueue())             # a web process that leaves syncs to workers

A worker's runner polls the database for `queued` syncs, so any process sharing the database
can queue work for it. Several workers may poll at once: the engine starts a log only while it
is still queued, so a job two of them pick up runs once. Every runner also queues the scheduled
syncs that are due, every `sync_schedule_check_seconds`.

Fairness: a tenant runs at most `settings.tenant_sync_limit` syncs at once here, and a free
slot goes to the waiting job whose tenant runs the fewest (the oldest such job first). With the
time budget that ends a stuck sync, one tenant's hostile stores cannot keep the other tenants'
syncs waiting.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter

from g4hub_core.jobs_loop import Loops
from g4hub_core.sync.jobs import JobRuntime, SyncJob
from g4hub_core.sync.recovery import queued_jobs, recover_abandoned

__all__ = ["DatabaseQueue", "EmbeddedRunner"]

logger = logging.getLogger("g4hub_core.sync")


class EmbeddedRunner:
    """Runs each job with `runtime.run` in this process, at most `settings.sync_concurrency` at
    once and at most `settings.tenant_sync_limit` of one tenant. Jobs enqueued before `start()`
    wait for it; a job enqueued again while it waits or runs is not run twice.

    `recover` (default): on start, syncs left `running` are marked failed ("interrupted") and
    queued ones are run. That is right only for the one runner on its database; runners that
    share a database (workers) pass `recover=False`, or they would fail each other's running
    syncs. `poll_interval` (seconds; default `None`, no polling): also look for queued syncs in
    the database that often, taking at most as many as there are free slots (tenants in turn),
    so syncs queued by another process (`g4hub serve --no-sync`) are run here. `concurrency`:
    jobs at once (default `settings.sync_concurrency`). `schedule` (default): queue due
    scheduled syncs every `settings.sync_schedule_check_seconds`.
    """

    def __init__(
        self,
        runtime: JobRuntime,
        *,
        poll_interval: float | None = None,
        recover: bool = True,
        concurrency: int | None = None,
        schedule: bool = True,
    ) -> None:
        if poll_interval is not None and poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        self._runtime = runtime
        settings = runtime.settings
        self._concurrency = concurrency or settings.sync_concurrency
        self._tenant_limit = min(settings.tenant_sync_limit, self._concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._active = 0
        """Jobs holding a slot (their task may still be finishing)."""
        self._waiting: list[SyncJob] = []
        """Enqueued jobs without a slot yet, oldest first."""
        self._by_tenant: Counter[uuid.UUID] = Counter()
        """Running jobs per tenant."""
        self._pending: list[SyncJob] = []
        self._known: set[uuid.UUID] = set()
        """Logs with a job waiting or running here."""
        self._running = False
        self._poll_interval = poll_interval
        self._recover = recover
        self._schedule = schedule
        self._loops = Loops()
        """Polling and scheduling, stopped between rounds."""

    async def start(self) -> None:
        """Recover what a crash left (with `recover`: `running` → failed "interrupted";
        `queued` → run), begin running jobs, and begin polling (with `poll_interval`)."""
        recovered: list[SyncJob] = []
        if self._recover:
            async with self._runtime.unit() as unit:
                recovered = await recover_abandoned(unit.session)
        elif self._poll_interval is None:
            async with self._runtime.unit() as unit:
                recovered = await queued_jobs(unit.session)
        self._running = True
        pending, self._pending = self._pending, []
        self._known.clear()
        for job in [*recovered, *pending]:
            await self.enqueue(job)
        if self._poll_interval is not None:
            await self.poll_once()
            self._loops.start("sync poll", self._poll(self._poll_interval))
        if self._schedule:
            self._loops.start("sync schedule", self._scheduled())

    async def stop(self) -> None:
        """Stop taking jobs (and polling); cancel running jobs (each records that it was
        interrupted) and wait for them. Jobs still waiting for a slot stay queued."""
        self._running = False
        await self._loops.stop()
        for job in self._waiting:
            self._known.discard(job.log_id)
        self._waiting.clear()
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
        self._waiting.append(job)
        self._dispatch()

    @property
    def _free(self) -> int:
        return self._concurrency - self._active

    def _admissible(self, tenant_id: uuid.UUID) -> bool:
        return self._by_tenant[tenant_id] < self._tenant_limit

    def _dispatch(self) -> None:
        """Start waiting jobs while slots are free: each time the oldest job of the tenant
        running the fewest, skipping tenants at their limit."""
        while self._running and self._free > 0:
            candidates = [
                (self._by_tenant[job.tenant_id], position)
                for position, job in enumerate(self._waiting)
                if self._admissible(job.tenant_id)
            ]
            if not candidates:
                return
            _, position = min(candidates)
            job = self._waiting.pop(position)
            self._by_tenant[job.tenant_id] += 1
            self._active += 1
            task = asyncio.create_task(self._run(job), name=f"sync {job.log_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        """Wait until every job enqueued so far (and any they lead to) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def poll_once(self) -> int:
        """Take queued syncs from the database, as many as there are free slots for (tenants
        in turn, none past its limit); returns how many were new here."""
        # Jobs still waiting here are of tenants at their limit (the rest took the free slots).
        free = self._free
        if free <= 0 or not self._running:
            return 0
        async with self._runtime.unit() as unit:
            # Some of the oldest may be of tenants at their limit: look a little further.
            jobs = await queued_jobs(unit.session, limit=free + self._concurrency * 4)
        taken = 0
        planned: Counter[uuid.UUID] = Counter()
        for job in jobs:
            if taken >= free:
                break
            if job.log_id in self._known:
                continue
            if self._by_tenant[job.tenant_id] + planned[job.tenant_id] >= self._tenant_limit:
                continue
            planned[job.tenant_id] += 1
            taken += 1
            await self.enqueue(job)
        return taken

    async def _poll(self, interval: float) -> None:
        while await self._loops.pause(interval):
            try:
                await self.poll_once()
            except Exception:
                # The database may be away for a moment (a restart, a failover): keep polling.
                logger.warning("looking for queued syncs failed; retrying", exc_info=True)

    async def _scheduled(self) -> None:
        interval = self._runtime.settings.sync_schedule_check_seconds
        while not self._loops.stopping:
            try:
                await self._runtime.queue_due()
            except Exception:
                logger.warning("queueing scheduled syncs failed; retrying", exc_info=True)
            await self._loops.pause(interval)

    async def _run(self, job: SyncJob) -> None:
        try:
            await self._runtime.run(job, None)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The engine records failures in the sync log; reaching here is our own bug.
            logger.exception("sync %s of store %s crashed", job.log_id, job.store_id)
        finally:
            self._known.discard(job.log_id)
            self._active -= 1
            self._by_tenant[job.tenant_id] -= 1
            if not self._by_tenant[job.tenant_id]:
                del self._by_tenant[job.tenant_id]
            self._dispatch()


class DatabaseQueue:
    """The job queue of a hub whose syncs run elsewhere: a requested sync stays a `queued` row
    in the database, where a worker's polling `EmbeddedRunner` finds it. Nothing runs here."""

    async def start(self) -> None:
        """Nothing to start: workers recover and run the jobs."""

    async def stop(self) -> None:
        """Nothing runs here, so nothing to stop."""

    async def enqueue(self, job: SyncJob) -> None:
        """The queued log is the job; a worker polling the database takes it."""
