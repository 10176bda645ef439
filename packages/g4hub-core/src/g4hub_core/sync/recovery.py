"""What a crash leaves behind, found across all tenants when a runner starts."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.db.base import utcnow
from g4hub_core.models import SyncLog
from g4hub_core.sync.jobs import SyncJob

__all__ = ["INTERRUPTED_MESSAGE", "recover_abandoned"]

INTERRUPTED_MESSAGE = (
    "The sync was interrupted (the hub stopped while it ran). Products synced before that are "
    "kept; run the sync again to finish it."
)


async def recover_abandoned(session: AsyncSession) -> list[SyncJob]:
    """Mark every `running` sync as failed with code `interrupted`, and return the `queued`
    ones as jobs to run again. For a runner that is the only one on its database (the embedded
    runner); a queue shared by many workers recovers per job instead."""
    now = utcnow()
    await session.execute(
        update(SyncLog)
        .where(SyncLog.status == "running")
        .values(
            status="failed",
            error_code="interrupted",
            error_message=INTERRUPTED_MESSAGE,
            finished_at=now,
        )
    )
    queued = await session.execute(
        select(SyncLog.tenant_id, SyncLog.store_id, SyncLog.id)
        .where(SyncLog.status == "queued")
        .order_by(SyncLog.created_at)
    )
    return [SyncJob(tenant_id, store_id, log_id) for tenant_id, store_id, log_id in queued]
