"""The app starts, answers /health, and registration gives a token that works."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import auth_headers, register


async def test_health_and_a_registered_user_sees_themselves(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/health")).json() == {"status": "ok", "database": "ok"}
    account = await register(client, email="owner@example.com")
    me = await client.get("/api/auth/me", headers=auth_headers(account["access_token"]))
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "owner@example.com"
    assert (await client.get("/api/auth/me")).status_code == 401
