"""Webhook inboxes, their deliveries, and the change feed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

`webhook_endpoints`: one per store, the unguessable address its deliveries come to, the sealed
signing secret, the subscriptions made at the store and the real-time status.
`webhook_deliveries`: verified deliveries, stored before they are acted on, unique per store and
event key (repeats refused by the database). `product_changes`: every product created, updated
or deleted, written with the row change; the change feed reads it in id order.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
JSON_DATA = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _tenant_fk() -> sa.Column[uuid.UUID]:
    return sa.Column(
        "tenant_id", sa.Uuid(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )


def _store_fk() -> sa.Column[uuid.UUID]:
    return sa.Column(
        "store_id", sa.Uuid(), sa.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False
    )


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _tenant_fk(),
        _store_fk(),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("subscriptions", JSON_DATA, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("checked_at", UTC_TIME, nullable=True),
        _count("deliveries_duplicate"),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("store_id", name="uq_webhook_endpoints_store_id"),
        sa.UniqueConstraint("token", name="uq_webhook_endpoints_token"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _tenant_fk(),
        _store_fk(),
        sa.Column("event_key", sa.String(255), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("headers", JSON_DATA, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _count("attempts"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("claimed_at", UTC_TIME, nullable=True),
        sa.Column("processed_at", UTC_TIME, nullable=True),
        sa.UniqueConstraint(
            "store_id", "event_key", name="uq_webhook_deliveries_store_id_event_key"
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_status_received_at",
        "webhook_deliveries",
        ["status", "received_at"],
    )
    op.create_table(
        "product_changes",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        _tenant_fk(),
        # No foreign key: the feed keeps a deleted store's changes.
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("platform_product_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_updated_at", UTC_TIME, nullable=True),
        sa.Column("changed_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_product_changes_tenant_id_id", "product_changes", ["tenant_id", "id"])
    op.create_index(
        "ix_product_changes_store_product",
        "product_changes",
        ["store_id", "platform_product_id", "id"],
    )


def downgrade() -> None:
    op.drop_table("product_changes")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
