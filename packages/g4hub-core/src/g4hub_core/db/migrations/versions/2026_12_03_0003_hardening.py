"""Revocable sign-ins and fast catalog search.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

`users.token_version` is checked on every request: raising it ends every token and session the
user holds ("sign out everywhere", a disabled or deleted user). `users.disabled_at` marks a user
who may no longer sign in.

Catalog search is a substring match (`ILIKE '%text%'`) on name and SKU. On PostgreSQL the trigram
GIN indexes (pg_trgm, a trusted extension the database owner may create) answer it without a
scan of the store's rows; SQLite ignores the PostgreSQL options and gets plain indexes there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("users", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
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


def downgrade() -> None:
    op.drop_index("ix_store_products_sku_trgm", table_name="store_products")
    op.drop_index("ix_store_products_name_trgm", table_name="store_products")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled_at")
        batch.drop_column("token_version")
