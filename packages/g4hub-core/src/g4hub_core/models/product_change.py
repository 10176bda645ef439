from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, UTCDateTime, utcnow

# SQLite only autoincrements an INTEGER PRIMARY KEY.
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class ProductChange(Base):
    """One product created, updated or deleted in a tenant's catalog, written in the same
    transaction as the row change (by a sync or a webhook). The change feed reads these in `id`
    order; nothing prunes them."""

    __tablename__ = "product_changes"
    __table_args__ = (
        Index("ix_product_changes_tenant_id_id", "tenant_id", "id"),
        # The last change of a product: a deletion is its tombstone against stale deliveries.
        Index("ix_product_changes_store_product", "store_id", "platform_product_id", "id"),
    )

    id: Mapped[int] = mapped_column(_ROW_ID, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    """No foreign key: a deleted store's changes stay in the feed (its products' deletions
    last, written by `stores.service` before the store goes)."""
    platform_product_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(8))
    """`created` | `updated` | `deleted`."""
    source: Mapped[str] = mapped_column(String(16), default="sync")
    """`sync` | `webhook`."""
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the store says the change happened, when it says."""
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
