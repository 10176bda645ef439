"""Migrations make the schema, from empty to head and back, on both databases, and agree with
the models."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from g4hub_core.db import Base, create_engine, current_revision, downgrade, upgrade
from tests.core.conftest import POSTGRES_ADMIN_URL

HUB_TABLES = {"tenants", "users", "stores", "store_products", "sync_logs"}


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


async def test_upgrade_from_empty_to_head_and_back(empty_engine: AsyncEngine) -> None:
    assert await current_revision(empty_engine) is None
    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == "0001"
    assert await _tables(empty_engine) >= HUB_TABLES

    await downgrade(empty_engine, "base")
    assert await current_revision(empty_engine) is None
    assert not HUB_TABLES & await _tables(empty_engine)

    await upgrade(empty_engine)  # and up again: the downgrade left nothing behind in the way
    assert await current_revision(empty_engine) == "0001"


async def test_upgrade_twice_is_a_no_op(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == "0001"


async def test_migrations_match_the_models(empty_engine: AsyncEngine) -> None:
    """What the migrations build is exactly what the models declare: no column, index or type
    differs (so the models never describe a schema the migrations do not make)."""
    await upgrade(empty_engine)
    async with empty_engine.connect() as conn:
        differences = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )
    assert differences == []
