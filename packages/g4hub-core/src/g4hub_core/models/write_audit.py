from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, UTCDateTime, utcnow


class WriteAudit(Base):
    """One field of one write the hub made (or tried) at a store: who or which rule, what it
    held before, what was asked, and how it ended. Kept after the store is removed: the trail
    outlives what it describes, so `store_id` is not a foreign key."""

    __tablename__ = "write_audit"
    __table_args__ = (
        Index("ix_write_audit_tenant_id_created_at", "tenant_id", "created_at"),
        Index("ix_write_audit_store_product", "tenant_id", "store_id", "product_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    product_id: Mapped[str] = mapped_column(String(100))
    variant_id: Mapped[str | None] = mapped_column(String(100), default=None)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(String(64), default=None)
    """What the store held when read just before the write (text, as sent and shown)."""
    new_value: Mapped[str | None] = mapped_column(String(64), default=None)
    result: Mapped[str] = mapped_column(String(16))
    """`applied` | `conflict` | `not_applied` | `failed`."""
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    actor: Mapped[str | None] = mapped_column(String(320), default=None)
    """Who asked: a user's email, or `None` for a rule (`rule_id`)."""
    rule_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
