from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, JSONData, Money, UTCDateTime, utcnow
from g4hub_core.db.dialects import VARIANT_COUNT
from g4hub_core.folding import search_text


def _folded(context: DefaultExecutionContext) -> str:
    # Rows written without it (the ingest writes it itself) get it from their name and SKU.
    row: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return search_text(row.get("name"), row.get("sku"))


# SQLite only autoincrements an INTEGER PRIMARY KEY.
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class StoreProduct(Base):
    """One product of a store's catalog as last synced: the seed's columns, plus what the
    dashboard shows (status, stock status, image) and what the sync needs to count changes and
    remove products the store no longer has."""

    __tablename__ = "store_products"
    __table_args__ = (
        UniqueConstraint("store_id", "platform_product_id"),
        Index("ix_store_products_store_id_name", "store_id", "name"),
        Index("ix_store_products_store_id_sku", "store_id", "sku"),
        # The cross-store SKU view walks a tenant's SKUs in order: products' own SKUs here, the
        # variants of products with several in `sku_variants` (migration 0008).
        Index(
            "ix_store_products_sku_listing",
            "tenant_id",
            "sku",
            postgresql_include=["store_id", "price", "stock_quantity"],
            postgresql_where=text(f"{VARIANT_COUNT['postgresql']} < 2"),
            sqlite_where=text(f"{VARIANT_COUNT['sqlite']} < 2"),
        ),
        # Counting a search's matches, and ordering a page of them by name, from the index
        # alone: read from the table, each folded text sits behind the row's kilobytes of JSON
        # (SQLite; migration 0009 added `name`).
        Index("ix_store_products_store_id_search", "store_id", "tenant_id", "search_text", "name"),
        # Substring search on PostgreSQL (pg_trgm); SQLite ignores the options (migration 0004).
        Index(
            "ix_store_products_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(_ROW_ID, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stores.id", ondelete="CASCADE"))
    platform_product_id: Mapped[str] = mapped_column(String(100))
    sku: Mapped[str | None] = mapped_column(String, default=None)
    name: Mapped[str] = mapped_column(String, default="")
    search_text: Mapped[str] = mapped_column(String, default=_folded)
    """Name and SKU folded for search (`catalog.search.search_text`), written by the ingest."""
    price: Mapped[Decimal | None] = mapped_column(Money, default=None)
    currency: Mapped[str | None] = mapped_column(String(8), default=None)
    stock_quantity: Mapped[int | None] = mapped_column(BigInteger, default=None)
    manage_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    stock_status: Mapped[str] = mapped_column(String(16), default="instock")
    status: Mapped[str] = mapped_column(String(16), default="active")
    image_url: Mapped[str | None] = mapped_column(String, default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    """The normalized product, with the platform's own JSON under `raw`."""
    content_hash: Mapped[str] = mapped_column(String(32), default="")
    """A digest of `data`: a sync counts a product as updated only when this changes."""
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    seen_by_sync_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    """The last sync whose listing contained this product; a complete listing removes the rows
    it did not see."""
    last_updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    """When the hub last changed this row's content."""
