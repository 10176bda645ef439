"""The job seam: how a requested sync reaches something that runs it.

The embedded runner (`sync.runner.EmbeddedRunner`) runs jobs in this process; a queue on
PostgreSQL plugs in behind the same `JobQueue` protocol. A job is only the ids: whatever runs it
reads the rest from the database, so a job enqueued twice or retried after a crash is harmless.
"""

from __future__ import annotations

import uuid
from typing import Protocol

import attrs

__all__ = ["JobQueue", "SyncJob"]


@attrs.frozen
class SyncJob:
    tenant_id: uuid.UUID
    store_id: uuid.UUID
    log_id: uuid.UUID


class JobQueue(Protocol):
    async def start(self) -> None:
        """Begin running jobs (and recover what a crash left behind)."""

    async def stop(self) -> None:
        """Stop taking jobs; cancel running ones so their logs record the interruption."""

    async def enqueue(self, job: SyncJob) -> None:
        """Run `job` eventually. Called after the transaction that queued its log committed."""
