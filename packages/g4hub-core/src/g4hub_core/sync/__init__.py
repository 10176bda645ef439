"""Syncs: asking for them (`SyncService`), running them (`SyncEngine`, the embedded runner, the
procrastinate queue on PostgreSQL) and the seam where a job queue plugs in (`JobQueue`,
`create_job_queue`)."""

from g4hub_core.sync.jobs import JobQueue, RetryLater, RunPolicy, SyncJob
from g4hub_core.sync.queues import create_job_queue
from g4hub_core.sync.schemas import SyncLogRead, SyncMode, SyncStatus, SyncTrigger

__all__ = [
    "JobQueue",
    "RetryLater",
    "RunPolicy",
    "SyncJob",
    "SyncLogRead",
    "SyncMode",
    "SyncStatus",
    "SyncTrigger",
    "create_job_queue",
]
