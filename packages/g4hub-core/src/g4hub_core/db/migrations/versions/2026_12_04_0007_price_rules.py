"""Price rules and the runs of every rule.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

`sync_rules` gains what a price rule (`kind = 'price'`) needs: an adjustment (`percent` or
`amount`, signed: a markdown is negative), a rounding (`none`, `whole`, `end_99`), and which
price fields it keeps (`sync_price`, `sync_sale_price`). `rule_runs`: one row per run of a rule
(by hand or on a change at its source), with its counts and its items' outcomes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
JSON_DATA = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
MONEY = sa.Numeric(19, 4).with_variant(sa.String(40), "sqlite")


def upgrade() -> None:
    op.add_column(
        "sync_rules",
        sa.Column("price_adjustment_type", sa.String(16), nullable=False, server_default="percent"),
    )
    op.add_column(
        "sync_rules", sa.Column("price_adjustment", MONEY, nullable=False, server_default="0")
    )
    op.add_column(
        "sync_rules",
        sa.Column("price_rounding", sa.String(16), nullable=False, server_default="none"),
    )
    op.add_column(
        "sync_rules",
        sa.Column("sync_price", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "sync_rules",
        sa.Column("sync_sale_price", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "rule_runs",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Uuid(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "rule_id",
            sa.Uuid(),
            sa.ForeignKey("sync_rules.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(320), nullable=True),
        sa.Column("counts", JSON_DATA, nullable=False),
        sa.Column("results", JSON_DATA, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index(
        "ix_rule_runs_tenant_id_rule_id_created_at",
        "rule_runs",
        ["tenant_id", "rule_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_rule_runs_tenant_id_rule_id_created_at", table_name="rule_runs")
    op.drop_table("rule_runs")
    with op.batch_alter_table("sync_rules") as batch:
        batch.drop_column("sync_sale_price")
        batch.drop_column("sync_price")
        batch.drop_column("price_rounding")
        batch.drop_column("price_adjustment")
        batch.drop_column("price_adjustment_type")
