"""Fixtures for the core's tests: every test that takes `hub` runs on SQLite and on the machine's
PostgreSQL (`G4HUB_TEST_POSTGRES_URL`, default postgresql://postgres@127.0.0.1:5432/postgres).

PostgreSQL: one database per test session, migrated once, emptied after each test.
SQLite: one migrated file per session, copied for each test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from g4hub_core import Hub, HubSettings
from g4hub_core.db import create_engine, upgrade
from g4hub_core.vault import generate_key

POSTGRES_ADMIN_URL = os.environ.get(
    "G4HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TABLES = "sync_logs, store_products, stores, users, tenants"
# Procrastinate's own tables (PostgreSQL only), emptied with the hub's.
QUEUE_TABLES = (
    "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"
)


def _migrate(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (async URL)."""
    name = f"g4hub_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(drivername="postgresql+psycopg", database=name)
    rendered = url.render_as_string(hide_password=False)
    _migrate(rendered)
    yield rendered
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    _migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        target = tmp_path / "data" / "g4hub.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLES}, {QUEUE_TABLES} RESTART IDENTITY CASCADE")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> HubSettings:
    """The embedded runner on both databases: the procrastinate queue has its own tests
    (tests/core/sync/queue/), and every other test is about what a sync does, not where."""
    return HubSettings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_keys=generate_key("test").encoded(),
        allow_private_store_hosts=True,
        job_queue="embedded",
    )


@pytest.fixture
async def hub(settings: HubSettings) -> AsyncIterator[Hub]:
    """A started hub on an empty, migrated database (both kinds)."""
    async with Hub(settings) as started:
        yield started
