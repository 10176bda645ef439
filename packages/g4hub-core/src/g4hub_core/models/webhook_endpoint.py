from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, JSONData, UTCDateTime, utcnow
from g4hub_core.vault.sealed import Sealed, SealedType


class WebhookEndpoint(Base):
    """A store's webhook inbox: the unguessable address its deliveries come to, the secret they
    are signed with (sealed, bound to the store), the subscriptions made at the store, and the
    store's real-time status."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("stores.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    """The last segment of the delivery address; 32 random bytes, so it cannot be guessed."""
    secret: Mapped[Sealed | None] = mapped_column(SealedType, default=None)
    """The signing secret, sealed with the store's context; `None` until one is known."""
    subscriptions: Mapped[list[dict[str, Any]]] = mapped_column(JSONData, default=list)
    """`[{id, topic, address}]` as the store answered when they were made."""
    status: Mapped[str] = mapped_column(String(16), default="off")
    """`live` (every subscription active) | `degraded` (some missing or disabled, or the last
    check failed) | `off` (none: no public URL, or not supported)."""
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    deliveries_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    """Repeated deliveries refused (the other counts are read from `webhook_deliveries`)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
