"""Webhook rows: a tenant's endpoints, and the few unscoped reads the public inbox needs (an
arriving delivery names only its endpoint's token, and the token is what tells its tenant)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from g4hub_core.db.dialects import dialect_of
from g4hub_core.models import Store, SyncLog, WebhookDelivery, WebhookEndpoint
from g4hub_core.repository import TenantRepository

__all__ = [
    "EndpointRepository",
    "activity",
    "count_duplicate",
    "endpoint_by_token",
    "next_pending",
    "running_sync_id",
    "stores_to_watch",
    "waiting",
]


class EndpointRepository(TenantRepository[WebhookEndpoint]):
    model = WebhookEndpoint
    noun = "webhook endpoint"

    async def for_store(self, store_id: uuid.UUID) -> WebhookEndpoint | None:
        statement = self.statement().where(WebhookEndpoint.store_id == store_id)
        return (await self.session.scalars(statement)).one_or_none()


async def endpoint_by_token(
    session: AsyncSession, token: str
) -> tuple[WebhookEndpoint, Store] | None:
    """The endpoint a delivery address names, with its store (any tenant)."""
    row = (
        await session.execute(
            select(WebhookEndpoint, Store)
            .join(Store, Store.id == WebhookEndpoint.store_id)
            .where(WebhookEndpoint.token == token)
        )
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None


async def count_duplicate(session: AsyncSession, store_id: uuid.UUID) -> None:
    """Count a repeated delivery (the only count kept as a number: every other one is read
    from the stored deliveries, so applying them never waits on a shared counter row)."""
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.store_id == store_id)
        .values(deliveries_duplicate=WebhookEndpoint.deliveries_duplicate + 1)
    )


async def activity(
    session: AsyncSession, store_id: uuid.UUID
) -> tuple[dict[str, int], datetime | None]:
    """The store's deliveries by status, and when the last one arrived."""
    rows = await session.execute(
        select(WebhookDelivery.status, func.count(), func.max(WebhookDelivery.received_at))
        .where(WebhookDelivery.store_id == store_id)
        .group_by(WebhookDelivery.status)
    )
    counts: dict[str, int] = {}
    last: datetime | None = None
    for status, number, latest in rows:
        counts[status] = int(number)
        if latest is not None and (last is None or latest > last):
            last = latest
    return counts, last


async def next_pending(
    session: AsyncSession, *, retry_before: datetime, limit: int = 1
) -> list[WebhookDelivery]:
    """The oldest deliveries waiting to be applied (at most `limit`), locked for this
    transaction (on PostgreSQL, skipping those another process holds). A failed attempt leaves
    one `pending` with its `claimed_at` set: it waits until `retry_before` has passed that time."""
    statement = (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.status == "pending",
            (WebhookDelivery.claimed_at.is_(None)) | (WebhookDelivery.claimed_at < retry_before),
        )
        .order_by(WebhookDelivery.received_at)
        .limit(limit)
    )
    if dialect_of(session).postgresql:
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.scalars(statement)).all())


async def running_sync_id(session: AsyncSession, store_id: uuid.UUID) -> uuid.UUID | None:
    """The store's sync running now, if any."""
    found: uuid.UUID | None = await session.scalar(
        select(SyncLog.id).where(SyncLog.store_id == store_id, SyncLog.status == "running")
    )
    return found


async def stores_to_watch(session: AsyncSession) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """`(tenant_id, store_id)` of every store (the watchdog subscribes those without
    subscriptions and checks the rest), oldest first."""
    rows = await session.execute(select(Store.tenant_id, Store.id).order_by(Store.created_at))
    return [(tenant, store) for tenant, store in rows]


async def waiting(session: AsyncSession, *, retry_before: datetime) -> int:
    """Deliveries `next_pending` would give, counting those another transaction holds now."""
    total = await session.scalar(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(
            WebhookDelivery.status == "pending",
            (WebhookDelivery.claimed_at.is_(None)) | (WebhookDelivery.claimed_at < retry_before),
        )
    )
    return int(total or 0)
