"""Indexes for the reads under load; `sync_logs.progress` dropped.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

- `ix_sync_logs_tenant_id_created_at_id` (tenant_id, created_at, id) replaces
  `ix_sync_logs_tenant_id_created_at`: the dashboard's feed and trend are ordered by
  `created_at DESC, id DESC`, which the old index could not give without sorting every sync of
  the tenant; now the newest few are read off the end of the index.
- `ix_store_products_store_id_search` also carries `name`: a search's page picks its matches
  and their order from the index alone (`catalog.repository`), then reads only the page's rows
  (on SQLite each row's folded text sits behind its kilobytes of JSON).
- `sync_logs.progress` was never written (always 0): a sync's progress is derived from its
  counts (`sync.schemas.sync_progress`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_sync_logs_tenant_id_created_at_id", "sync_logs", ["tenant_id", "created_at", "id"]
    )
    op.drop_index("ix_sync_logs_tenant_id_created_at", table_name="sync_logs")
    op.drop_index("ix_store_products_store_id_search", table_name="store_products")
    op.create_index(
        "ix_store_products_store_id_search",
        "store_products",
        ["store_id", "tenant_id", "search_text", "name"],
    )
    with op.batch_alter_table("sync_logs") as batch:
        batch.drop_column("progress")


def downgrade() -> None:
    with op.batch_alter_table("sync_logs") as batch:
        batch.add_column(
            sa.Column("progress", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.drop_index("ix_store_products_store_id_search", table_name="store_products")
    op.create_index(
        "ix_store_products_store_id_search",
        "store_products",
        ["store_id", "tenant_id", "search_text"],
    )
    op.create_index("ix_sync_logs_tenant_id_created_at", "sync_logs", ["tenant_id", "created_at"])
    op.drop_index("ix_sync_logs_tenant_id_created_at_id", table_name="sync_logs")
