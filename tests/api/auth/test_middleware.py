"""Who is asking: 401 in the error shape, saying whether the token was missing, expired or
invalid; bearer wins over the cookie."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from hub_api.auth.tokens import TokenCodec
from hub_api.settings import ApiSettings
from tests.api.conftest import auth_headers, register


async def test_no_credentials_is_401_not_authenticated(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/auth/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.headers["www-authenticate"] == 'Bearer realm="g4hub"'


async def test_an_expired_token_is_401_token_expired(
    client: AsyncTestClient[Any], api_settings: ApiSettings
) -> None:
    account = await register(client)
    assert api_settings.jwt_secret is not None
    expired = TokenCodec(api_settings.jwt_secret.get_secret_value(), -60).issue(
        user_id=uuid.UUID(account["user"]["id"]),
        tenant_id=uuid.UUID(account["tenant"]["id"]),
        email=account["user"]["email"],
    )

    response = await client.get("/api/auth/me", headers=auth_headers(expired))

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "token_expired",
        "message": "Your session has expired. Sign in again.",
        "details": {},
    }
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_a_tampered_token_is_401_invalid_token(client: AsyncTestClient[Any]) -> None:
    token = (await register(client))["access_token"]
    header, payload, signature = token.split(".")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]

    for bad in (f"{header}.{flipped}.{signature}", token + "x", "garbage"):
        response = await client.get("/api/auth/me", headers=auth_headers(bad))
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_token"
        assert bad not in response.text


async def test_an_invalid_session_cookie_is_401(client: AsyncTestClient[Any]) -> None:
    client.cookies.set("g4hub_session", "garbage")

    response = await client.get("/api/auth/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


async def test_a_bearer_token_wins_over_the_cookie(client: AsyncTestClient[Any]) -> None:
    first = await register(client, email="first@example.com")
    await register(client, email="second@example.com")
    await client.post(
        "/api/auth/login", json={"email": "second@example.com", "password": "plum-orchard-42"}
    )

    me = await client.get("/api/auth/me", headers=auth_headers(first["access_token"]))

    assert me.json()["user"]["email"] == "first@example.com"
