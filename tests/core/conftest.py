"""Fixtures for the core's tests: every test that takes `hub` runs on SQLite and on the machine's
PostgreSQL (`G4HUB_TEST_POSTGRES_URL`, default postgresql://postgres@127.0.0.1:5432/postgres).

PostgreSQL: one database per test session (per xdist worker), migrated once, emptied after each
test. SQLite: one migrated file per session (`sqlite_template`, tests/conftest.py), copied for each
test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from g4hub_core import Hub, HubSettings
from g4hub_core.vault import generate_key
from tests.conftest import migrate_database

POSTGRES_ADMIN_URL = os.environ.get(
    "G4HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TABLES = "sync_logs, store_products, stores, users, tenants"
# Procrastinate's own tables (PostgreSQL only), emptied with the hub's.
QUEUE_TABLES = (
    "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"
)


def _migrate(url: str) -> None:
    migrate_database(url)


def _postgres_tables(dsn: str) -> tuple[list[str], list[str]]:
    """The database's tables, each after every table that refers to it (so they can be emptied
    in that order without a superuser), and its sequences."""
    with psycopg.connect(dsn) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version' ORDER BY tablename"
            )
        ]
        references = conn.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid <> confrelid"
        ).fetchall()
        sequences = [
            row[0]
            for row in conn.execute(
                "SELECT sequence_name FROM information_schema.sequences"
                " WHERE sequence_schema = 'public' ORDER BY sequence_name"
            )
        ]
    referrers: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in references:
        if parent in referrers and child in referrers:
            referrers[parent].add(child)
    ordered: list[str] = []

    def visit(table: str, path: frozenset[str]) -> None:
        if table in ordered or table in path:
            return
        for child in sorted(referrers[table]):
            visit(child, path | {table})
        ordered.append(table)

    for table in tables:
        visit(table, frozenset())
    return ordered, sequences


class _Emptier:
    """Empties every table of the session's PostgreSQL database and restarts its sequences, as
    `TRUNCATE ... RESTART IDENTITY` would: DELETE is ~50x faster than TRUNCATE on tables this
    small (TRUNCATE makes and syncs new files for each table, ~0.4 s a test)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.tables, self.sequences = _postgres_tables(dsn)

    def __call__(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn, conn.transaction():
            for table in self.tables:
                conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
            for sequence in self.sequences:
                conn.execute("SELECT setval(%s::regclass, 1, false)", (f'"{sequence}"',))


_EMPTIERS: dict[str, _Emptier] = {}


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (async URL); per xdist
    worker, since the name has the process id. Tests that take it directly empty it themselves;
    `database_url` and `empty_postgres` do it after each test."""
    name = f"g4hub_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # A test database need not survive a crash of the server: commits do not wait for the
        # disk (the machine's PostgreSQL is shared, and its fsyncs were much of the suite's time).
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = admin.set(drivername="postgresql+psycopg", database=name)
    rendered = url.render_as_string(hide_password=False)
    _migrate(rendered)
    try:
        yield rendered
    finally:
        _EMPTIERS.pop(rendered, None)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_postgres(postgres_url: str) -> Iterator[str]:
    """The session's PostgreSQL database, emptied (every table, sequences restarted) after."""
    yield postgres_url
    if postgres_url not in _EMPTIERS:
        dsn = make_url(postgres_url).set(drivername="postgresql")
        _EMPTIERS[postgres_url] = _Emptier(dsn.render_as_string(hide_password=False))
    _EMPTIERS[postgres_url]()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        target = tmp_path / "data" / "g4hub.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("empty_postgres")
    return url


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
