"""What a crash leaves behind, found across all tenants when a runner starts."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.db.base import utcnow
from g4hub_core.models import SyncLog
from g4hub_core.sync.jobs import SyncJob

__all__ = ["INTERRUPTED_MESSAGE", "queued_jobs", "recover_abandoned"]

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
    return await queued_jobs(session)


async def queued_jobs(session: AsyncSession, *, limit: int | None = None) -> list[SyncJob]:
    """The `queued` syncs of every tenant as jobs (at most `limit`), taking tenants in turn:
    each tenant's oldest, then each one's second oldest, and so on, so a tenant with many
    queued syncs does not fill a runner's free slots ahead of the others. Safe to run
    alongside other runners: it only reads, and the engine starts a log only while it is
    still queued."""
    turn = (
        func.row_number()
        .over(partition_by=SyncLog.tenant_id, order_by=(SyncLog.created_at, SyncLog.id))
        .label("turn")
    )
    ranked = (
        select(SyncLog.tenant_id, SyncLog.store_id, SyncLog.id, SyncLog.created_at, turn)
        .where(SyncLog.status == "queued")
        .subquery()
    )
    statement = select(ranked.c.tenant_id, ranked.c.store_id, ranked.c.id).order_by(
        ranked.c.turn, ranked.c.created_at, ranked.c.id
    )
    if limit is not None:
        statement = statement.limit(limit)
    queued = await session.execute(statement)
    return [SyncJob(tenant_id, store_id, log_id) for tenant_id, store_id, log_id in queued]
