from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, JSONData, UTCDateTime, utcnow


class SyncRule(Base):
    """An inventory rule: keep the stock of `target_store_ids` equal to the source store's, per
    SKU, minus `buffer` (never below zero), except the SKUs in `excluded_skus`."""

    __tablename__ = "sync_rules"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="inventory")
    source_store_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("stores.id", ondelete="CASCADE")
    )
    target_store_ids: Mapped[list[Any]] = mapped_column(JSONData, default=list)
    buffer: Mapped[int] = mapped_column(Integer, default=0)
    excluded_skus: Mapped[list[Any]] = mapped_column(JSONData, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    last_change_id: Mapped[int] = mapped_column(BigInteger, default=0)
    """The last change of the source store (`product_changes.id`) the rule has acted on."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
