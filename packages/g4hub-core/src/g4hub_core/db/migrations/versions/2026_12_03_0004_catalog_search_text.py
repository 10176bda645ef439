"""Accent-insensitive catalog search on a folded column.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

`store_products.search_text` holds the product's name and SKU folded (no case, no accents;
`g4hub_core.folding`), written with every row, so "cafe" finds "Café" on both databases without
an extension beyond pg_trgm. One trigram index on it replaces 0003's two on name and SKU, and
`(store_id, tenant_id, search_text)` lets SQLite count a store's matches without reading its
rows.
Existing rows are filled in batches here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from g4hub_core.folding import search_text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 5_000


def upgrade() -> None:
    op.add_column(
        "store_products",
        sa.Column("search_text", sa.String(), nullable=False, server_default=""),
    )
    _fill()
    op.drop_index("ix_store_products_sku_trgm", table_name="store_products")
    op.drop_index("ix_store_products_name_trgm", table_name="store_products")
    op.create_index(
        "ix_store_products_store_id_search",
        "store_products",
        ["store_id", "tenant_id", "search_text"],
    )
    op.create_index(
        "ix_store_products_search_trgm",
        "store_products",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )


def _fill() -> None:
    connection = op.get_bind()
    table = sa.table(
        "store_products",
        sa.column("id", sa.BigInteger()),
        sa.column("name", sa.String()),
        sa.column("sku", sa.String()),
        sa.column("search_text", sa.String()),
    )
    write = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values(search_text=sa.bindparam("folded"))
    )
    last = -1
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.name, table.c.sku)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            write, [{"row_id": row.id, "folded": search_text(row.name, row.sku)} for row in rows]
        )
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_store_products_search_trgm", table_name="store_products")
    op.drop_index("ix_store_products_store_id_search", table_name="store_products")
    op.create_index(
        "ix_store_products_name_trgm",
        "store_products",
        ["name"],
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_store_products_sku_trgm",
        "store_products",
        ["sku"],
        postgresql_using="gin",
        postgresql_ops={"sku": "gin_trgm_ops"},
    )
    with op.batch_alter_table("store_products") as batch:
        batch.drop_column("search_text")
