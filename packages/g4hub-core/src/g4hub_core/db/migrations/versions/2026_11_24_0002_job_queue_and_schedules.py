"""The job queue's schema (procrastinate, PostgreSQL only) and store sync schedules.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Procrastinate's schema is applied from a copy pinned in this package
(`migrations/sql/procrastinate-3.10.0-schema.sql`, procrastinate 3.10.0's `schema.sql`), never
from the installed library, so this revision means the same schema whatever procrastinate is
installed later. Upgrading procrastinate past 3.10 is a new revision: copy the SQL files of
procrastinate's own `sql/migrations/` folder newer than 03.04.00 (the last one 3.10 ships) next to
the pinned schema and apply them in order, as `procrastinate schema --migrations-path` lists them;
each release's notes say whether a migration runs before (`pre`) or after (`post`) the new code is
deployed.

SQLite has no job queue (the embedded runner needs none): there this revision only adds the
schedule columns.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PROCRASTINATE_SCHEMA = Path(__file__).parents[1] / "sql" / "procrastinate-3.10.0-schema.sql"

# Every object procrastinate makes is named procrastinate_*: tables first (their triggers and
# indexes go with them), then the functions and types they used.
_DROP_PROCRASTINATE = r"""
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relkind = 'r' AND c.relname LIKE 'procrastinate\_%'
          AND c.relnamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS %s CASCADE', item.name);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.proname LIKE 'procrastinate\_%'
          AND p.pronamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.name);
    END LOOP;
    FOR item IN
        SELECT t.oid::regtype AS name FROM pg_type t
        WHERE t.typname LIKE 'procrastinate\_%' AND t.typtype IN ('c', 'e')
          AND t.typnamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('DROP TYPE IF EXISTS %s CASCADE', item.name);
    END LOOP;
END;
$$;
"""


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _run_script(sql: str) -> None:
    # To the driver with no parameter collection at all: psycopg then sends the script as it is
    # (several statements, `%` and `:` untouched), where text() would read `:name` as a bind.
    op.get_bind().exec_driver_sql(sql, execution_options={"no_parameters": True})


def upgrade() -> None:
    op.add_column("stores", sa.Column("sync_interval_minutes", sa.Integer(), nullable=True))
    op.add_column("stores", sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_stores_next_sync_at", "stores", ["next_sync_at"])
    if _on_postgresql():
        _run_script(PROCRASTINATE_SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    if _on_postgresql():
        _run_script(_DROP_PROCRASTINATE)
    op.drop_index("ix_stores_next_sync_at", table_name="stores")
    # SQLite (3.35+) drops a column in place; a batch copy of `stores` would cascade-delete
    # its products and logs through the foreign keys.
    op.drop_column("stores", "next_sync_at")
    op.drop_column("stores", "sync_interval_minutes")
