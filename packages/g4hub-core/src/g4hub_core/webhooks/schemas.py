from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = ["WebhookActivity", "WebhookStatusRead"]


class WebhookActivity(BaseModel):
    """What the store's deliveries did: each delivery counted once, however often it came."""

    deliveries_received: int = 0
    deliveries_duplicate: int = 0
    deliveries_stale: int = 0
    """Older than what the hub held: dropped."""
    deliveries_pending: int = 0
    """Stored, not applied yet."""
    deliveries_failed: int = 0
    """Given up after repeated failures (reconciliation and the next sync cover them)."""
    products_upserted: int = 0
    products_deleted: int = 0


class WebhookStatusRead(BaseModel):
    """A store's real-time status. `status`: `live` (the store's subscriptions are all active),
    `degraded` (some are missing or disabled, or the store refused; `reason` says which) or
    `off` (no subscriptions: `reason` says why, e.g. no public URL). `subscriptions`: topics."""

    status: str
    reason: str | None
    subscriptions: list[str]
    checked_at: datetime | None
    last_delivery_at: datetime | None
    activity: WebhookActivity
