from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, JSONData, UTCDateTime, utcnow
from g4hub_core.vault.sealed import Sealed, SealedType


class Store(Base):
    """A connected WooCommerce or Shopify store.

    `api_credentials` is a `Sealed` value: the connection settings sealed by the vault with the
    tenant and store ids as associated data. Only `stores.service` opens it, to build a connector.
    """

    __tablename__ = "stores"
    __table_args__ = (
        UniqueConstraint("tenant_id", "platform", "store_url"),
        # The schedule check asks for stores whose next sync is due, every minute.
        Index("ix_stores_next_sync_at", "next_sync_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    store_url: Mapped[str] = mapped_column(String(2048))
    api_version: Mapped[str] = mapped_column(String(32))
    api_credentials: Mapped[Sealed] = mapped_column(SealedType)
    credentials_hint: Mapped[str] = mapped_column(String(64), default="")
    connection_status: Mapped[str] = mapped_column(String(16), default="untested")
    last_connection_test: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    last_error_message: Mapped[str | None] = mapped_column(Text, default=None)
    store_info: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    products_count: Mapped[int] = mapped_column(Integer, default=0)
    """The store's own count at the last connection test or sync."""
    products_synced: Mapped[int] = mapped_column(Integer, default=0)
    """Rows the hub holds for this store (kept with the catalog, so the overview needs no
    count over `store_products`)."""
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the last successful sync finished."""
    sync_interval_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    """Minutes between scheduled syncs; `None`: no schedule."""
    next_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the next scheduled sync is due: `sync_interval_minutes` after the last sync was
    requested (or the schedule set). `None` without a schedule."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
