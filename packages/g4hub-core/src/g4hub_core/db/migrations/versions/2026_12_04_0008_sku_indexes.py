"""The SKU view's indexes: listings by SKU, products with variants; bulk jobs' heartbeat.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

The SKU view keys a product by its own SKU when it lists fewer than two variants, and by each
variant's SKU otherwise (`skus.repository`). `ix_store_products_sku_listing` replaces
`ix_store_products_tenant_id_sku` for the first kind: partial, and on PostgreSQL carrying the
store, price and stock, so a page of SKUs is read from the index alone.
`ix_store_products_variants` finds a tenant's products with variants without reading every
product's JSON. The condition is `db.dialects.VARIANT_COUNT`, spelled the same in the queries.
`write_jobs.heartbeat_at`: when its runner last saved progress; a running job long without one
is resumed by another runner (`writes.jobs`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The same text as `g4hub_core.db.dialects.VARIANT_COUNT`, frozen here as migrations are.
_COUNT = {
    "postgresql": "coalesce(jsonb_array_length(data -> 'variants'), 0)",
    "sqlite": "coalesce(json_array_length(data, '$.variants'), 0)",
}


def upgrade() -> None:
    op.add_column("write_jobs", sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
    count = _COUNT[op.get_bind().dialect.name]
    op.create_index(
        "ix_store_products_sku_listing",
        "store_products",
        ["tenant_id", "sku"],
        postgresql_include=["store_id", "price", "stock_quantity"],
        postgresql_where=sa.text(f"{count} < 2"),
        sqlite_where=sa.text(f"{count} < 2"),
    )
    op.create_index(
        "ix_store_products_variants",
        "store_products",
        ["tenant_id", "store_id"],
        postgresql_where=sa.text(f"{count} >= 2"),
        sqlite_where=sa.text(f"{count} >= 2"),
    )
    op.drop_index("ix_store_products_tenant_id_sku", table_name="store_products")


def downgrade() -> None:
    op.create_index("ix_store_products_tenant_id_sku", "store_products", ["tenant_id", "sku"])
    op.drop_index("ix_store_products_variants", table_name="store_products")
    op.drop_index("ix_store_products_sku_listing", table_name="store_products")
    with op.batch_alter_table("write_jobs") as batch:
        batch.drop_column("heartbeat_at")
