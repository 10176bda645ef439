"""Migrations make the schema, from empty to head and back, on both databases, and agree with
the models."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import TextClause, Uuid, bindparam, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from g4hub_core.db import Base, create_engine, current_revision, downgrade, upgrade, utcnow
from g4hub_core.db.base import UTCDateTime
from tests.core.conftest import POSTGRES_ADMIN_URL

HUB_TABLES = {"tenants", "users", "stores", "store_products", "sync_logs"}
QUEUE_TABLES = {
    "procrastinate_jobs",
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_workers",
}
HEAD = "0010"


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """An engine on a database nothing has touched (not the suite's migrated one)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
        yield engine
        await engine.dispose()
        return
    name = f"g4hub_migrate_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(
        admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    )
    yield engine
    await engine.dispose()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def _columns(engine: AsyncEngine, table: str) -> set[str]:
    async with engine.connect() as conn:
        found = await conn.run_sync(lambda sync: inspect(sync).get_columns(table))
    return {column["name"] for column in found}


async def test_upgrade_from_empty_to_head_and_back(empty_engine: AsyncEngine) -> None:
    postgresql = empty_engine.dialect.name == "postgresql"
    assert await current_revision(empty_engine) is None
    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == HEAD
    tables = await _tables(empty_engine)
    assert tables >= HUB_TABLES
    # The job queue's tables exist on PostgreSQL only: SQLite runs syncs in-process.
    assert (tables >= QUEUE_TABLES) if postgresql else not (tables & QUEUE_TABLES)
    assert {"sync_interval_minutes", "next_sync_at"} <= await _columns(empty_engine, "stores")

    await downgrade(empty_engine, "base")
    assert await current_revision(empty_engine) is None
    assert not (HUB_TABLES | QUEUE_TABLES) & await _tables(empty_engine)

    await upgrade(empty_engine)  # and up again: the downgrade left nothing behind in the way
    assert await current_revision(empty_engine) == HEAD


async def test_downgrading_0002_keeps_the_stores_and_their_rows(empty_engine: AsyncEngine) -> None:
    """Dropping the schedule columns must not copy `stores` (SQLite's batch mode would, and
    the copy's drop would cascade to every product and log)."""
    await upgrade(empty_engine)
    tenant, store = uuid.uuid4(), uuid.uuid4()
    async with empty_engine.begin() as conn:
        await conn.execute(
            _typed("INSERT INTO tenants (id, name, created_at) VALUES (:id, 'A', :now)"),
            {"id": tenant, "now": utcnow()},
        )
        await conn.execute(
            _typed(
                "INSERT INTO stores (id, tenant_id, platform, name, store_url, api_version, "
                "api_credentials, credentials_hint, connection_status, store_info, "
                "products_count, products_synced, created_at, updated_at, "
                "sync_interval_minutes) VALUES (:id, :tenant, 'woocommerce', 'S', 'https://s', "
                "'wc/v3', 'x', '', 'connected', '{}', 0, 0, :now, :now, 60)"
            ),
            {"id": store, "tenant": tenant, "now": utcnow()},
        )
        await conn.execute(
            _typed(
                "INSERT INTO sync_logs (id, tenant_id, store_id, trigger, mode, status, "
                "products_fetched, products_created, products_updated, products_deleted, "
                "created_at) VALUES (:id, :tenant, :store, 'manual', 'full', "
                "'succeeded', 0, 0, 0, 0, :now)"
            ),
            {"id": uuid.uuid4(), "tenant": tenant, "store": store, "now": utcnow()},
        )

    await downgrade(empty_engine, "0001")

    assert await current_revision(empty_engine) == "0001"
    assert "sync_interval_minutes" not in await _columns(empty_engine, "stores")
    async with empty_engine.connect() as conn:
        logs = (await conn.execute(text("SELECT count(*) FROM sync_logs"))).scalar_one()
    assert logs == 1
    assert not QUEUE_TABLES & await _tables(empty_engine)


async def test_upgrade_twice_is_a_no_op(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == HEAD


async def test_migrations_match_the_models(empty_engine: AsyncEngine) -> None:
    """What the migrations build is exactly what the models declare: no column, index or type
    differs (so the models never describe a schema the migrations do not make)."""
    await upgrade(empty_engine)
    options = {"compare_type": True, "include_name": _not_the_queues}
    async with empty_engine.connect() as conn:
        differences = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts=options), Base.metadata
            )
        )
    assert differences == []


def _typed(sql: str) -> TextClause:
    """`sql` with its ids and times bound as the columns' types (UUIDs are text on SQLite)."""
    statement = text(sql)
    ids = [bindparam(name, type_=Uuid()) for name in ("id", "tenant", "store") if f":{name}" in sql]
    return statement.bindparams(*ids, bindparam("now", type_=UTCDateTime()))


def _not_the_queues(name: str | None, kind: str, parent: Any) -> bool:
    # Procrastinate's tables are its own schema, applied by the migration, not the models'.
    return not (kind == "table" and name is not None and name.startswith("procrastinate_"))
