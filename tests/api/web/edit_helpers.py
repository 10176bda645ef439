"""What the dashboard's write tests share: the app on SQLite and on PostgreSQL (`hub_settings`,
imported by each test module), and a tenant with a synced fake store, signed in by cookie.

PostgreSQL: a fresh database per test (`G4HUB_TEST_POSTGRES_URL`, default
postgresql://postgres@127.0.0.1:5432/postgres), migrated by the `client` fixture, dropped after.
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

import g4hub_connectors as gc
from g4hub_connectors.testing import FakeStore, FakeWooCommerceStore
from g4hub_core import Hub, HubSettings
from g4hub_core.vault import generate_key
from tests.api.web.helpers import WebUser, add_store, wait_for_sync

__all__ = [
    "Synced",
    "hub_settings",
    "postgres_template",
    "product_ids",
    "product_row",
    "row_form",
    "small_woo",
    "synced_store",
]

_ADMIN = os.environ.get("G4HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated database the tests' databases are copied from (once per session)."""
    admin = make_url(_ADMIN).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    name = f"g4hub_webtpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    async def migrate() -> None:
        hub = Hub(
            HubSettings(database_url=admin.set(database=name).render_as_string(hide_password=False))
        )
        try:
            await hub.upgrade()
        finally:
            await hub.engine.dispose()

    try:
        asyncio.run(migrate())
        yield name
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubSettings]:
    """The app's settings on each database (overrides tests/api/conftest.py's SQLite-only)."""
    common: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "secret_keys": generate_key("test").encoded(),
        "allow_private_store_hosts": True,
        "job_queue": "embedded",
    }
    if request.param == "sqlite":
        yield HubSettings(**common)
        return
    admin = make_url(_ADMIN).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    name = f"g4hub_web_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            f'CREATE DATABASE "{name}" TEMPLATE "{request.getfixturevalue("postgres_template")}"'
        )
    try:
        url = admin.set(database=name).render_as_string(hide_password=False)
        yield HubSettings(database_url=url, **common)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def small_woo() -> Iterator[FakeWooCommerceStore]:
    """A fake WooCommerce store small enough to sync in a moment."""
    store = FakeWooCommerceStore(products=12, store_name="Plum Orchard Shop")
    with store.serve():
        yield store


@dataclass
class Synced:
    store: FakeStore
    store_id: str

    def outside(self) -> gc.BaseConnector:  # type: ignore[type-arg]
        """The store's own admin, changing it behind the hub's back."""
        return gc.create_connector(self.store.credentials())


async def synced_store(
    client: AsyncTestClient[Any], user: WebUser, store: FakeStore, name: str = "Orchard"
) -> Synced:
    store_id = await add_store(client, user, store, name=name)
    assert (await wait_for_sync(client, store_id))["status"] == "succeeded"
    return Synced(store, store_id)


def row_form(row: str) -> dict[str, str]:
    """The fields of a row's inline edit form, as the browser would post them."""
    return {
        name: value
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', row)
        if name != "select"
    }


def product_ids(page: str) -> list[str]:
    """The products table's product ids, top to bottom."""
    return re.findall(r'name="product_id" value="([^"]+)"', page)


def product_row(page: str, product_id: str) -> str:
    """The products table's row of `product_id` (by its inline edit form)."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        if f'name="product_id" value="{product_id}"' in row:
            return str(row)
    raise AssertionError(f"no row for product {product_id}")
