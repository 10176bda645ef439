"""The job seam: how a requested sync reaches something that runs it.

The embedded runner (`sync.runner.EmbeddedRunner`) runs jobs in this process; a queue on
PostgreSQL plugs in behind the same `JobQueue` protocol. A job is only the ids: whatever runs it
reads the rest from the database, so a job enqueued twice or retried after a crash is harmless.
A queue that retries tells the engine how (`RunPolicy`), and the engine answers `RetryLater`.

A queue never sees the hub: it is built from a `JobRuntime`, the few things it calls (the
engine's `run`, units for its own bookkeeping across tenants, the scheduled-sync check) and the
settings. `Hub(settings, jobs=factory)` hands a queue factory its runtime.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

import attrs

from g4hub_core.settings import HubSettings
from g4hub_core.unit import UnitOfWork

__all__ = [
    "MAX_RETRY_DELAY",
    "RELEASED_MESSAGE",
    "JobQueue",
    "JobQueueFactory",
    "JobRuntime",
    "RetryLater",
    "RunJob",
    "RunPolicy",
    "SyncJob",
    "TenantBusy",
    "retry_message",
]


RELEASED_MESSAGE = "The sync was paused because its worker stopped; it continues on another one."
MAX_RETRY_DELAY = 3600.0
"""The longest wait before a retry, whatever the backoff or the store's Retry-After say."""


@attrs.frozen
class RunPolicy:
    """How a job queue wants a run to end when it cannot finish.

    `retry_in`: seconds before a retry when the store fails in a way that may pass (a connector
    error with `retryable`: 429, 5xx, a timeout, a dropped connection); the log goes back to
    `queued` and `run` raises `RetryLater`. `None` (the default): such an error fails the log,
    as any other does. `release_on_cancel`: a cancelled run puts its log back to `queued` (the
    job is handed to another worker) instead of failing it as `interrupted`. `resume_running`:
    the job may start a log left `running`, by a run of the same job that died; only for a
    queue that never runs two jobs of one store at once. `tenant_limit`: the run starts only
    while fewer of its tenant's syncs are running (counted in the database, so across every
    worker); otherwise `run` raises `TenantBusy` and the log stays `queued`.
    """

    retry_in: float | None = None
    release_on_cancel: bool = False
    resume_running: bool = False
    tenant_limit: int | None = None


class RetryLater(Exception):
    """The run stopped on a store error that may pass, and its log is `queued` again: run the
    job once more after `delay` seconds. `code` is the connector's error code."""

    def __init__(self, code: str, delay: float) -> None:
        super().__init__(f"{code}: retry in {delay:.1f} s")
        self.code = code
        self.delay = delay


class TenantBusy(Exception):
    """The job's tenant already runs as many syncs as `RunPolicy.tenant_limit` allows: the log
    is still `queued`; offer the job again later, and give its slot to another tenant."""

    def __init__(self, tenant_id: uuid.UUID, running: int) -> None:
        super().__init__(f"tenant already runs {running} syncs")
        self.tenant_id = tenant_id
        self.running = running


def retry_message(user_message: str, delay: float) -> str:
    """What a log says while it waits to be retried."""
    wait = f"{delay:.0f} seconds" if delay >= 1.5 else "a moment"
    return f"{user_message} The hub will try again in {wait}."


@attrs.frozen
class SyncJob:
    tenant_id: uuid.UUID
    store_id: uuid.UUID
    log_id: uuid.UUID


@runtime_checkable
class JobQueue(Protocol):
    async def start(self) -> None:
        """Begin running jobs (and recover what a crash left behind)."""

    async def stop(self) -> None:
        """Stop taking jobs; cancel running ones so their logs record the interruption."""

    async def enqueue(self, job: SyncJob) -> None:
        """Run `job` eventually. Called after the transaction that queued its log committed."""


RunJob = Callable[[SyncJob, RunPolicy | None], Awaitable[None]]
"""Runs one sync job to its end (the engine's `run`)."""


@attrs.frozen
class JobRuntime:
    """What a job queue may call: `run` a job; open a `unit` (without a tenant) for its own
    bookkeeping across tenants (recovery, polling); `queue_due` the scheduled syncs that are
    due (returns how many it queued); read the `settings`; and `apply_webhooks`: apply the
    webhook deliveries waiting (returns how many batches), for a queue that runs them as jobs."""

    settings: HubSettings
    run: RunJob
    unit: Callable[[], UnitOfWork]
    queue_due: Callable[[], Awaitable[int]]
    apply_webhooks: Callable[[], Awaitable[int]] | None = None


JobQueueFactory = Callable[[JobRuntime], JobQueue]
"""Builds a job queue from its runtime: what `Hub(jobs=...)` takes to choose the queue."""
