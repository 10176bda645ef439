"""Syncs: asking for them (`SyncService`), running them (`SyncEngine`, the embedded runner) and
the seam where another job queue plugs in (`JobQueue`)."""

from g4hub_core.sync.jobs import JobQueue, SyncJob
from g4hub_core.sync.schemas import SyncLogRead, SyncMode, SyncStatus, SyncTrigger

__all__ = ["JobQueue", "SyncJob", "SyncLogRead", "SyncMode", "SyncStatus", "SyncTrigger"]
