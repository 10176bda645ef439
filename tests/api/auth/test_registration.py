"""Registration under pressure: limited per client address, and concurrent registrations on
SQLite all succeed (no "database is locked")."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from hub_api.auth.throttle import RegistrationThrottle
from tests.api.auth.conftest import AppClient, FakeClock, PeerAddress
from tests.api.conftest import PASSWORD


def _body(n: int) -> dict[str, str]:
    return {"email": f"owner{n}@example.com", "password": PASSWORD, "tenant_name": f"Shop {n}"}


async def test_registrations_are_limited_per_address(
    client: AsyncTestClient[Any], peer: PeerAddress, clock: FakeClock
) -> None:
    client.app.state.registration_throttle = RegistrationThrottle(3, clock=clock)
    for n in range(3):
        assert (await client.post("/api/auth/register", json=_body(n))).status_code == 201
        clock.advance(60)

    refused = await client.post("/api/auth/register", json=_body(3))

    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "too_many_registrations"
    assert refused.headers["retry-after"] == str(3600 - 180)
    peer.address = "198.51.100.7"  # another address is not affected
    assert (await client.post("/api/auth/register", json=_body(4))).status_code == 201


async def test_the_app_limits_registrations_with_the_configured_limit(
    app_client: AppClient, api_settings: Any
) -> None:
    settings = api_settings.model_copy(update={"registrations_per_address_per_hour": 2})
    async with app_client(settings) as client:
        statuses = [
            (await client.post("/api/auth/register", json=_body(n))).status_code for n in range(3)
        ]
    assert statuses == [201, 201, 429]


async def test_concurrent_registrations_on_sqlite_all_succeed(
    app_client: AppClient, api_settings: Any
) -> None:
    settings = api_settings.model_copy(update={"registrations_per_address_per_hour": 1000})
    async with app_client(settings) as client:
        responses = await asyncio.gather(
            *(client.post("/api/auth/register", json=_body(n)) for n in range(20))
        )
        problems = [r.text for r in responses if r.status_code != 201]
        assert problems == []
        again = await asyncio.gather(
            *(client.post("/api/auth/register", json=_body(n)) for n in range(5))
        )
    assert [r.status_code for r in again] == [409] * 5  # the same emails: taken, not locked
