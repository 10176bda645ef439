"""Fixtures for the auth tests: an app built with chosen settings, and a clock to drive the
sign-in throttle without sleeping."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_core import Hub, HubSettings
from hub_api.app import create_app
from hub_api.settings import ApiSettings

AppClient = Callable[[ApiSettings], AbstractAsyncContextManager[AsyncTestClient[Any]]]


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app_client(hub_settings: HubSettings) -> AppClient:
    """`async with app_client(ApiSettings(...)) as client:` the app on a migrated database."""
    migrating = Hub(hub_settings)
    await migrating.upgrade()
    await migrating.engine.dispose()

    @asynccontextmanager
    async def make(api_settings: ApiSettings) -> AsyncIterator[AsyncTestClient[Any]]:
        async with AsyncTestClient(app=create_app(hub_settings, api_settings)) as client:
            yield client

    return make


class PeerAddress:
    """Makes the app see requests as coming from `address` (the socket's peer), as a client
    behind a real network would; `AsyncTestClient` always says "testclient"."""

    def __init__(self, client: AsyncTestClient[Any]) -> None:
        self.address = "192.0.2.10"
        inner = client.app.asgi_handler

        async def with_peer(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                scope["client"] = (self.address, 40000)
            await inner(scope, receive, send)

        client.app.asgi_handler = with_peer


@pytest.fixture
def peer(client: AsyncTestClient[Any]) -> PeerAddress:
    return PeerAddress(client)
