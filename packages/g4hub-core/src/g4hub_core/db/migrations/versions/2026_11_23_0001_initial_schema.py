"""Initial schema: tenants, users, stores, store_products, sync_logs.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Plain column types, not the models' decorators: a migration must keep meaning the same schema
when the models change later.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
JSON_DATA = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
MONEY = sa.Numeric(19, 4).with_variant(sa.String(40), "sqlite")
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACTIVE_SYNC = sa.text("status IN ('queued', 'running')")


def _tenant_fk() -> sa.Column[uuid.UUID]:
    return sa.Column(
        "tenant_id", sa.Uuid(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )


def _store_fk() -> sa.Column[uuid.UUID]:
    return sa.Column(
        "store_id", sa.Uuid(), sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _tenant_fk(),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("last_login_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_users_tenant_id", "users", ["tenant_id"])
    op.create_table(
        "stores",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _tenant_fk(),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("store_url", sa.String(2048), nullable=False),
        sa.Column("api_version", sa.String(32), nullable=False),
        sa.Column("api_credentials", sa.Text(), nullable=False),
        sa.Column("credentials_hint", sa.String(64), nullable=False),
        sa.Column("connection_status", sa.String(16), nullable=False),
        sa.Column("last_connection_test", UTC_TIME, nullable=True),
        sa.Column("last_error_code", sa.String(64), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("store_info", JSON_DATA, nullable=False),
        sa.Column("products_count", sa.Integer(), nullable=False),
        sa.Column("products_synced", sa.Integer(), nullable=False),
        sa.Column("last_sync_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("tenant_id", "platform", "store_url"),
    )
    op.create_index("ix_stores_tenant_id", "stores", ["tenant_id"])
    op.create_table(
        "store_products",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        _tenant_fk(),
        _store_fk(),
        sa.Column("platform_product_id", sa.String(100), nullable=False),
        sa.Column("sku", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("price", MONEY, nullable=True),
        sa.Column("currency", sa.String(8), nullable=True),
        sa.Column("stock_quantity", sa.BigInteger(), nullable=True),
        sa.Column("manage_stock", sa.Boolean(), nullable=False),
        sa.Column("stock_status", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("image_url", sa.String(), nullable=True),
        sa.Column("data", JSON_DATA, nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("source_updated_at", UTC_TIME, nullable=True),
        sa.Column("seen_by_sync_id", sa.Uuid(), nullable=True),
        sa.Column("last_updated", UTC_TIME, nullable=False),
        sa.UniqueConstraint("store_id", "platform_product_id"),
    )
    op.create_index("ix_store_products_store_id_name", "store_products", ["store_id", "name"])
    op.create_index("ix_store_products_store_id_sku", "store_products", ["store_id", "sku"])
    op.create_table(
        "sync_logs",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _tenant_fk(),
        _store_fk(),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_since", UTC_TIME, nullable=True),
        sa.Column("products_total", sa.Integer(), nullable=True),
        sa.Column("products_fetched", sa.Integer(), nullable=False),
        sa.Column("products_created", sa.Integer(), nullable=False),
        sa.Column("products_updated", sa.Integer(), nullable=False),
        sa.Column("products_deleted", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=True),
        sa.Column("finished_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_sync_logs_tenant_id_created_at", "sync_logs", ["tenant_id", "created_at"])
    op.create_index("ix_sync_logs_store_id_created_at", "sync_logs", ["store_id", "created_at"])
    op.create_index(
        "uq_sync_logs_store_id_active",
        "sync_logs",
        ["store_id"],
        unique=True,
        sqlite_where=ACTIVE_SYNC,
        postgresql_where=ACTIVE_SYNC,
    )


def downgrade() -> None:
    # Children first; indexes go with their tables.
    for table in ("sync_logs", "store_products", "stores", "users", "tenants"):
        op.drop_table(table)
