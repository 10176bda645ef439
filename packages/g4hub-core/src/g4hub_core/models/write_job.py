from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, JSONData, UTCDateTime, utcnow


class WriteJob(Base):
    """A bulk change to one store's products: the requested changes, and each item's result as
    it is written. The row is the job: a runner claims `queued` rows, so a job survives the
    process that accepted it."""

    __tablename__ = "write_jobs"
    __table_args__ = (Index("ix_write_jobs_status_created_at", "status", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stores.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    """`queued` | `running` | `succeeded` (every item ran, whatever its result) | `failed`."""
    actor: Mapped[str | None] = mapped_column(String(320), default=None)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONData, default=list)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONData, default=list)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the runner running it last saved progress: a `running` job long without one lost its
    worker and is resumed (migration 0008)."""
