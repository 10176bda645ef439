"""Sync jobs on PostgreSQL through procrastinate: `ProcrastinateQueue`, the hub's `JobQueue`
when the database is PostgreSQL.

    Hub(settings)                                      # serve: queues jobs and runs a worker
    ProcrastinateQueue(runtime, run_worker=False)      # serve --no-sync: only queues them
    ProcrastinateQueue(runtime, concurrency=8)         # g4hub worker --concurrency 8

Each sync is a job of the task `g4hub.sync_store` holding the ids of a `SyncJob`:

- `lock="store:<id>"`: two workers never run syncs of one store at once, and
  `queueing_lock="store:<id>"`: a store has at most one job waiting (the sync service already
  allows one active sync per store; this holds it in the queue too).
- A store error that may pass (429, 5xx, a timeout, a dropped connection) puts the log back to
  `queued` and the job is retried with exponential backoff (`sync_retry_backoff_seconds`,
  doubling, the store's Retry-After honoured), `sync_retry_attempts` runs in all; the last one
  fails the log with the connector's message. Other errors fail it at once.
- A tenant runs at most `settings.tenant_sync_limit` syncs at once across all workers: a job
  of a tenant at its limit does not start (its log stays `queued`); it is deferred again
  `TENANT_BUSY_DELAY` seconds on, behind the jobs already waiting, and its worker slot goes
  to the next job, so one tenant's stuck stores cannot hold every slot.
- A worker that stops (SIGTERM) cancels its running syncs: the page being written finishes,
  the log goes back to `queued` and the job to the queue, for another worker.
- A worker that dies (SIGKILL, a lost machine) stops sending heartbeats; after
  `sync_worker_stalled_seconds` its jobs are stalled, and `maintenance.recover_stalled` (run
  when a worker starts and by the periodic task) puts them and their logs back in the queue.
  The re-run writes the same rows again (upserts by product id) and removes nothing before a
  complete listing, so nothing is lost or counted twice.

The periodic task `g4hub.maintain` (every `sync_schedule_check_seconds`, one run at a time
whatever the number of workers) recovers stalled jobs, re-queues syncs whose job never reached
the queue, and queues the scheduled syncs that are due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import timedelta

from procrastinate import App, JobContext, PsycopgConnector, RetryDecision
from procrastinate.exceptions import AlreadyEnqueued, JobAborted
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy
from procrastinate.worker import Worker
from sqlalchemy.engine import make_url

from g4hub_core.db.base import utcnow
from g4hub_core.sync.jobs import (
    MAX_RETRY_DELAY,
    JobRuntime,
    RetryLater,
    RunPolicy,
    SyncJob,
    TenantBusy,
)
from g4hub_core.sync.maintenance import maintain, recover_stalled
from g4hub_core.sync.procrastinate_jobs import SYNC_TASK, defer_sync, store_lock

__all__ = [
    "MAINTAIN_TASK",
    "SYNC_TASK",
    "TENANT_BUSY_DELAY",
    "WEBHOOKS_TASK",
    "ProcrastinateQueue",
    "build_app",
    "defer_sync",
    "libpq_dsn",
    "store_lock",
]

logger = logging.getLogger("g4hub_core.sync")

MAINTAIN_TASK = "g4hub.maintain"
WEBHOOKS_TASK = "g4hub.apply_webhooks"
_MAINTAIN_LOCK = "g4hub:maintain"
TENANT_BUSY_DELAY = 3.0
"""Seconds before a job whose tenant was at its limit is offered again."""


def libpq_dsn(database_url: str) -> str:
    """The hub's SQLAlchemy URL (`postgresql+psycopg://…`) as a libpq connection URI."""
    url = make_url(database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def schedule_cron(seconds: int) -> str:
    """A cron line for every `seconds` (which divides 60, or is whole minutes up to an hour)."""
    if seconds < 60:
        return f"* * * * * */{seconds}"
    minutes = seconds // 60
    return "0 * * * *" if minutes >= 60 else f"*/{minutes} * * * *"


def backoff(settings_base: float, attempts: int) -> float:
    """Seconds before retry number `attempts + 1`: the base, doubled at each earlier attempt."""
    return min(settings_base * 2.0 ** min(attempts, 30), MAX_RETRY_DELAY)


class _PlannedEnds(logging.Filter):
    """Procrastinate logs every job that ends by an exception with its traceback; a sync
    handed back at a worker's stop or waiting for a retry is no error, and the log says why."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, asyncio.CancelledError | JobAborted | RetryLater):
            record.exc_info = None
            record.exc_text = None
        return True


_PLANNED_ENDS = _PlannedEnds()
logging.getLogger("procrastinate.worker").addFilter(_PLANNED_ENDS)


class _SyncRetries(BaseRetryStrategy):
    """Which ends of a sync job put it back in the queue: a `RetryLater` (the engine has put
    the log back to `queued`), after its delay; a cancellation (the worker is stopping; the log
    is `queued` again), at once. Anything else ends the job: the log already says why."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, RetryLater):
            return RetryDecision(retry_at=utcnow() + timedelta(seconds=exception.delay))
        if isinstance(exception, asyncio.CancelledError | JobAborted):
            return RetryDecision(retry_at=utcnow())
        return None


def build_app(runtime: JobRuntime, *, concurrency: int | None = None) -> App:
    """The procrastinate app of a hub's `runtime`: a psycopg connector on the hub's database,
    the sync task and the periodic maintenance task. Not opened. `concurrency`: the jobs its
    worker runs at once (default `settings.sync_concurrency`), which sizes its connection
    pool."""
    settings = runtime.settings
    connector = PsycopgConnector(
        conninfo=libpq_dsn(settings.resolved_database_url),
        min_size=1,
        # A worker holds one connection to listen, and one per job at most while it records a
        # job's end; the rest is heartbeats and fetching.
        max_size=(concurrency or settings.sync_concurrency) + 4,
    )
    app = App(connector=connector)

    @app.task(name=SYNC_TASK, pass_context=True, retry=_SyncRetries())
    async def sync_store(context: JobContext, tenant_id: str, store_id: str, log_id: str) -> None:
        job = SyncJob(uuid.UUID(tenant_id), uuid.UUID(store_id), uuid.UUID(log_id))
        attempts = context.job.attempts
        last = attempts + 1 >= settings.sync_retry_attempts
        policy = RunPolicy(
            retry_in=None if last else backoff(settings.sync_retry_backoff_seconds, attempts),
            release_on_cancel=True,
            # The store's lock means no other job of this store runs: a log left `running` is
            # this job's own, from a run whose worker died.
            resume_running=True,
            tenant_limit=settings.tenant_sync_limit,
        )
        try:
            await runtime.run(job, policy)
        except TenantBusy:
            # A new job rather than a retry: waiting for a slot is no failed attempt.
            await defer_sync(app, job, delay=TENANT_BUSY_DELAY)

    @app.periodic(cron=schedule_cron(settings.sync_schedule_check_seconds), periodic_id="tick")
    @app.task(
        name=MAINTAIN_TASK,
        lock=_MAINTAIN_LOCK,
        queueing_lock=_MAINTAIN_LOCK,
        priority=10,  # ahead of the syncs waiting for a slot
    )
    async def maintain_task(timestamp: int) -> None:
        await maintain(runtime, app)

    del sync_store, maintain_task  # registered on the app; reached through it
    apply_webhooks = runtime.apply_webhooks
    if apply_webhooks is not None:
        # Drains the webhook inbox in batches; at most one job waits (`nudge_webhooks`), and
        # several may run at once (the inbox shares rows out with SKIP LOCKED). A run that
        # dies leaves its batch pending (one transaction), for the next job.
        @app.task(name=WEBHOOKS_TASK, queueing_lock=WEBHOOKS_TASK, priority=5)
        async def apply_webhook_deliveries() -> None:
            await apply_webhooks()

        del apply_webhook_deliveries
    return app


class ProcrastinateQueue:
    """The `JobQueue` on procrastinate. `enqueue` defers the store's sync job (after the
    request's commit, as every queue is called); with `run_worker` (default) `start` also runs
    a procrastinate worker in this process, `concurrency` jobs at once (default:
    `settings.sync_concurrency`), and `stop` stops it gracefully: running syncs write their
    current page, their logs go back to `queued` and their jobs back to the queue.

    `poll_interval`: how often the worker looks for jobs besides PostgreSQL's notifications
    (seconds, default 5). The app opens its connection pool on `start` or first `enqueue`.
    """

    def __init__(
        self,
        runtime: JobRuntime,
        *,
        run_worker: bool = True,
        concurrency: int | None = None,
        poll_interval: float = 5.0,
        name: str = "g4hub",
    ) -> None:
        self._runtime = runtime
        self._concurrency = concurrency or runtime.settings.sync_concurrency
        self.app = build_app(runtime, concurrency=self._concurrency)
        self._run_worker = run_worker
        self._poll_interval = poll_interval
        self._name = name
        self._opened = False
        self._opening = asyncio.Lock()
        self._worker: Worker | None = None
        self._running: asyncio.Task[None] | None = None

    @property
    def concurrency(self) -> int:
        """Jobs the worker runs at once."""
        return self._concurrency

    async def _open(self) -> None:
        async with self._opening:
            if not self._opened:
                await self.app.open_async()
                self._opened = True

    async def start(self) -> None:
        """Open the app; with `run_worker`, recover stalled jobs and start the worker."""
        await self._open()
        if not self._run_worker:
            return
        try:
            await recover_stalled(self._runtime, self.app)
        except Exception:
            logger.warning("recovering stalled jobs failed; the periodic task will", exc_info=True)
        settings = self._runtime.settings
        self._worker = Worker(
            app=self.app,
            name=self._name,
            concurrency=self._concurrency,
            fetch_job_polling_interval=self._poll_interval,
            # Stopping cancels the running syncs at once: each finishes the page it is writing
            # and hands its job back (see `_SyncRetries`), rather than run to its end.
            shutdown_graceful_timeout=0,
            install_signal_handlers=False,  # the process owning the loop decides when to stop
            delete_jobs="successful",  # the sync log is the record; failed jobs stay to inspect
            update_heartbeat_interval=settings.sync_worker_heartbeat_seconds,
            stalled_worker_timeout=settings.sync_worker_stalled_seconds,
        )
        self._running = asyncio.create_task(self._work(self._worker), name="procrastinate worker")

    async def _work(self, worker: Worker) -> None:
        try:
            await worker.run()  # type: ignore[no-untyped-call]
        except asyncio.CancelledError:
            raise
        except Exception:
            # The worker stops itself when a side task (heartbeat, listener) fails; say so.
            logger.exception("the sync worker stopped on an error")

    async def stop(self) -> None:
        """Stop the worker (running syncs are handed back to the queue) and close the app."""
        if self._running is not None:
            # Cancelling `Worker.run` is its graceful stop (it stops taking jobs and waits for
            # its loop), and unlike `Worker.stop()` it is not lost when it comes before the
            # run has begun (`run` clears an earlier stop request).
            self._running.cancel()
            await asyncio.gather(self._running, return_exceptions=True)
        self._worker = self._running = None
        if self._opened:
            await self.app.close_async()
            self._opened = False

    async def wait_stopped(self) -> None:
        """Return when the worker has stopped by itself (its heartbeat or listener failed: the
        database went away); never, without a worker, until `stop`."""
        if self._running is None:
            await asyncio.Event().wait()
        else:
            # `wait`, not `gather`: cancelling this waiter (the caller stops waiting) must not
            # cancel the worker, or `stop` would cancel its graceful shutdown a second time and
            # close the app under the jobs still handing themselves back.
            await asyncio.wait({self._running})

    async def nudge_webhooks(self) -> None:
        """A webhook delivery was stored: have a worker drain the inbox (a job deferred,
        unless one is waiting already, which will see the delivery). Raises what the
        database raises."""
        await self._open()
        deferrer = self.app.configure_task(WEBHOOKS_TASK, queueing_lock=WEBHOOKS_TASK)
        with contextlib.suppress(AlreadyEnqueued):
            await deferrer.defer_async()

    async def enqueue(self, job: SyncJob) -> None:
        """Defer the job. A store that already has a job waiting keeps that one; a failure to
        reach the queue is logged, and the periodic task queues the sync later."""
        try:
            await self._open()
            await defer_sync(self.app, job)
        except Exception:
            logger.warning(
                "queueing sync %s of store %s failed; it will be queued again shortly",
                job.log_id,
                job.store_id,
                exc_info=True,
            )
