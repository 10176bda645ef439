from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, JSONData, UTCDateTime, utcnow


class WebhookDelivery(Base):
    """One verified delivery, stored before it is acted on, so a crash between the answer and
    the work loses nothing. `(store_id, event_key)` is unique: a repeated delivery of the same
    change is refused by the database, not by a check-then-insert."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("store_id", "event_key"),
        # The processor looks for pending deliveries, oldest first.
        Index("ix_webhook_deliveries_status_received_at", "status", "received_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stores.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(64), default="")
    headers: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    """The platform's own headers (`X-Shopify-*`, `X-WC-Webhook-*`), signature left out."""
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """`pending` | `upserted` | `deleted` | `unchanged` (the hub held it already) | `stale`
    (older than the row held) | `ignored` (a topic the hub does not act on) | `failed`."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
