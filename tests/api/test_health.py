"""`GET /health`: 200 while the database answers, 503 when it does not."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import create_async_engine

from g4hub_core import Hub, HubSettings
from g4hub_core.sync.runner import DatabaseQueue
from hub_api.app import create_app
from hub_api.settings import ApiSettings

# Nothing listens on port 1: connecting is refused at once.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/x"


async def test_health_is_ok_without_signing_in(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["cache-control"] == "no-store"


async def test_health_is_503_when_the_database_is_unreachable(
    hub_settings: HubSettings, api_settings: ApiSettings, caplog: pytest.LogCaptureFixture
) -> None:
    # The web process leaves syncs to workers, so starting it needs no database.
    hub = Hub(hub_settings, engine=create_async_engine(UNREACHABLE), jobs=DatabaseQueue())
    caplog.set_level(logging.WARNING)

    async with AsyncTestClient(app=create_app(api_settings=api_settings, hub=hub)) as client:
        response = await client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    warnings = [r.getMessage() for r in caplog.records if r.name == "hub_api.health"]
    assert warnings == ["health check: database unreachable (OperationalError)"]
