from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Uuid, false, text
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base

_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class SkuSummary(Base):
    """One SKU of a tenant across its stores ('' for the listings without one), kept by the
    database's triggers on `store_products` and `sku_variants` (migration 0010): how many
    listings (products' own SKUs and variants') carry it, how many stores hold it, whether they
    disagree on price or stock. A row stays at zero listings once the SKU is gone."""

    __tablename__ = "sku_summaries"
    __table_args__ = (
        Index(
            "ix_sku_summaries_differs",
            "tenant_id",
            "sku",
            postgresql_where=text("differs"),
            sqlite_where=text("differs"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    sku: Mapped[str] = mapped_column(String, primary_key=True)
    listings: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    stores: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    differs: Mapped[bool] = mapped_column(Boolean, server_default=false())


class SkuStoreListing(Base):
    """How many listings one store holds of a tenant's SKU, while it holds any; kept by the same
    triggers as `SkuSummary`."""

    __tablename__ = "sku_store_listings"
    __table_args__ = (
        Index("ix_sku_store_listings_store", "tenant_id", "store_id", "sku"),
        Index(
            "ix_sku_store_listings_duplicates",
            "tenant_id",
            "sku",
            "store_id",
            postgresql_where=text("listings > 1"),
            sqlite_where=text("listings > 1"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    sku: Mapped[str] = mapped_column(String, primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    listings: Mapped[int] = mapped_column(Integer)


class SkuPending(Base):
    """PostgreSQL: the SKUs a transaction's statements changed, counted into the summaries at
    its commit (migration 0010); empty between transactions, and always on SQLite. A row
    without a SKU marks the transaction's first (its deferred trigger does the counting)."""

    __tablename__ = "sku_pending"

    id: Mapped[int] = mapped_column(_ROW_ID, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int] = mapped_column(BigInteger, index=True)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    sku: Mapped[str | None] = mapped_column(String)
    store_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
