"""Writes back to the stores: the audit trail, bulk write jobs, and the SKU view's index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

`write_audit`: one row per field of every write the hub makes at a store (kept after the store
is removed). `write_jobs`: bulk changes, each row a job with its items' results.
`ix_store_products_tenant_id_sku`: the cross-store SKU view reads a tenant's SKUs in order.
`sync_rules`: inventory rules (a source store, target stores, a buffer, excluded SKUs).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
JSON_DATA = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "write_audit",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Uuid(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.String(100), nullable=False),
        sa.Column("variant_id", sa.String(100), nullable=True),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.String(64), nullable=True),
        sa.Column("new_value", sa.String(64), nullable=True),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(320), nullable=True),
        sa.Column("rule_id", sa.Uuid(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index(
        "ix_write_audit_tenant_id_created_at", "write_audit", ["tenant_id", "created_at"]
    )
    op.create_index(
        "ix_write_audit_store_product", "write_audit", ["tenant_id", "store_id", "product_id"]
    )
    op.create_table(
        "write_jobs",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Uuid(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "store_id", sa.Uuid(), sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(320), nullable=True),
        sa.Column("items", JSON_DATA, nullable=False),
        sa.Column("results", JSON_DATA, nullable=False),
        sa.Column("total", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("done", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=True),
        sa.Column("finished_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_write_jobs_status_created_at", "write_jobs", ["status", "created_at"])
    op.create_index("ix_store_products_tenant_id_sku", "store_products", ["tenant_id", "sku"])
    op.create_table(
        "sync_rules",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Uuid(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column(
            "source_store_id",
            sa.Uuid(),
            sa.ForeignKey("stores.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("target_store_ids", JSON_DATA, nullable=False),
        sa.Column("buffer", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("excluded_skus", JSON_DATA, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("last_change_id", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sync_rules")
    op.drop_index("ix_store_products_tenant_id_sku", table_name="store_products")
    op.drop_table("write_jobs")
    op.drop_table("write_audit")
