from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, UTCDateTime, utcnow

ACTIVE_STATUSES = ("queued", "running")
_ACTIVE = text("status IN ('queued', 'running')")


class SyncLog(Base):
    """One sync of one store: what asked for it, how far it got, and how it ended."""

    __tablename__ = "sync_logs"
    __table_args__ = (
        # The tenant's feed, newest first (`created_at DESC, id DESC`) off the index's end.
        Index("ix_sync_logs_tenant_id_created_at_id", "tenant_id", "created_at", "id"),
        Index("ix_sync_logs_store_id_created_at", "store_id", "created_at"),
        # One sync per store at a time, held by the database rather than by a check-then-insert.
        Index(
            "uq_sync_logs_store_id_active",
            "store_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stores.id", ondelete="CASCADE"))
    trigger: Mapped[str] = mapped_column(String(16))
    """`initial` | `manual` | `scheduled`."""
    mode: Mapped[str] = mapped_column(String(16), default="full")
    """`full` (the whole catalog; removes what the store no longer has) | `incremental`."""
    status: Mapped[str] = mapped_column(String(16), default="queued")
    """`queued` | `running` | `succeeded` | `failed`."""
    updated_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    products_total: Mapped[int | None] = mapped_column(Integer, default=None)
    """What the store said it holds when the sync started; `None` until known."""
    products_fetched: Mapped[int] = mapped_column(Integer, default=0)
    products_created: Mapped[int] = mapped_column(Integer, default=0)
    products_updated: Mapped[int] = mapped_column(Integer, default=0)
    products_deleted: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
