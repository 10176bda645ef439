"""Alembic's environment: runs on the connection `g4hub_core.db.migrate` passes in."""

from __future__ import annotations

from alembic import context

import g4hub_core.models  # noqa: F401  (registers every table on the metadata)
from g4hub_core.db.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through g4hub_core.db.upgrade(), which passes a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
