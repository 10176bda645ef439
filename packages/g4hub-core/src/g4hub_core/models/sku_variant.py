from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from g4hub_core.db.base import Base, Money

# SQLite only autoincrements an INTEGER PRIMARY KEY; the key it refers to is one.
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class SkuVariant(Base):
    """One variant of a product that lists several (`store_products.data["variants"]`), kept by
    the database itself: triggers on `store_products` write these rows whenever a product's
    `data` is inserted or changed, and the foreign key removes them with it (migration 0008).
    The SKU view walks them by SKU beside the products' own SKUs; nothing else writes them."""

    __tablename__ = "sku_variants"
    __table_args__ = (
        Index(
            "ix_sku_variants_tenant_id_sku",
            "tenant_id",
            "sku",
            postgresql_include=["store_id", "price", "stock_quantity"],
        ),
    )

    product_row_id: Mapped[int] = mapped_column(
        _ROW_ID, ForeignKey("store_products.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    variant_id: Mapped[str | None] = mapped_column(String(100))
    sku: Mapped[str | None] = mapped_column(String)
    price: Mapped[Decimal | None] = mapped_column(Money)
    stock_quantity: Mapped[int | None] = mapped_column(BigInteger)
    manage_stock: Mapped[bool] = mapped_column(Boolean)
    title: Mapped[str | None] = mapped_column(String)
