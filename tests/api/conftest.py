"""Fixtures for the service's tests: the real app on a migrated SQLite database in a temporary
folder (a copy of the session's `sqlite_template`), driven over HTTP in-process
(`AsyncTestClient`, lifespan running)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_core import Hub, HubSettings
from g4hub_core.vault import generate_key
from hub_api.app import create_app
from hub_api.settings import ApiSettings
from tests.conftest import place_migrated_sqlite

PASSWORD = "plum-orchard-42"


@pytest.fixture(autouse=True)
def _quick_hashing(quick_password_hashing: None) -> None:
    """Light argon2 parameters in the API's tests (tests/conftest.py says why)."""


@pytest.fixture
def hub_settings(tmp_path: Path) -> HubSettings:
    return HubSettings(
        data_dir=tmp_path / "data",
        secret_keys=generate_key("test").encoded(),
        allow_private_store_hosts=True,
    )


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings(jwt_secret="test-jwt-secret-" + "x" * 32, log_json=False)


@pytest.fixture
async def client(
    hub_settings: HubSettings, api_settings: ApiSettings, sqlite_template: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    # A copy of the session's migrated SQLite file where the hub's will be (the migrations take
    # longer than the copy); a database elsewhere is migrated here.
    if not place_migrated_sqlite(hub_settings.resolved_database_url, sqlite_template):
        migrating = Hub(hub_settings)
        await migrating.upgrade()
        await migrating.engine.dispose()
    app = create_app(hub_settings, api_settings)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def register(
    client: AsyncTestClient[Any],
    *,
    email: str | None = None,
    password: str = PASSWORD,
    tenant_name: str = "Acme",
) -> dict[str, Any]:
    """Register a tenant over the API; returns the JSON (user, tenant, access_token). The client's
    cookie jar is cleared after, so tests choose bearer or cookie explicitly."""
    response = await client.post(
        "/api/auth/register",
        json={
            "email": email or f"owner-{uuid.uuid4().hex[:8]}@example.com",
            "password": password,
            "tenant_name": tenant_name,
        },
    )
    assert response.status_code == 201, response.text
    client.cookies.clear()
    body: dict[str, Any] = response.json()
    return body
