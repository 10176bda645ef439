"""Revocable sign-ins over HTTP: logout ends the session (a replayed cookie or token is
refused), "sign out everywhere" ends them all, and a disabled or deleted user's token stops
working at once, not when it expires."""

from __future__ import annotations

import uuid
from typing import Any

import jwt
from litestar.testing import AsyncTestClient
from sqlalchemy import delete

from g4hub_core import Hub
from g4hub_core.models import User
from hub_api.auth.tokens import TokenCodec
from tests.api.conftest import PASSWORD, auth_headers, register


async def _login(client: AsyncTestClient[Any], email: str) -> dict[str, str]:
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"token": response.json()["access_token"], "csrf": client.cookies["g4hub_csrf"]}


def _refused(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "token_revoked"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_a_session_cookie_replayed_after_logout_is_refused(
    client: AsyncTestClient[Any],
) -> None:
    await register(client, email="owner@example.com")
    session = await _login(client, "owner@example.com")
    cookie = client.cookies["g4hub_session"]
    logout = await client.post("/api/auth/logout", headers={"X-CSRF-Token": session["csrf"]})
    assert logout.status_code == 200

    client.cookies.set("g4hub_session", cookie)  # a copy someone kept
    _refused(await client.get("/api/auth/me"))
    client.cookies.clear()
    _refused(await client.get("/api/stores", headers=auth_headers(session["token"])))


async def test_a_bearer_token_stops_working_after_its_logout(client: AsyncTestClient[Any]) -> None:
    account = await register(client)
    headers = auth_headers(account["access_token"])

    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 200

    _refused(await client.get("/api/auth/me", headers=headers))


async def test_sign_out_everywhere_ends_every_session_and_a_new_sign_in_works(
    client: AsyncTestClient[Any],
) -> None:
    await register(client, email="owner@example.com")
    laptop = await _login(client, "owner@example.com")
    client.cookies.clear()
    phone = await _login(client, "owner@example.com")
    client.cookies.clear()

    response = await client.post("/api/auth/logout-all", headers=auth_headers(phone["token"]))

    assert response.status_code == 200
    assert response.json() == {"status": "signed_out_everywhere"}
    for session in (laptop, phone):
        _refused(await client.get("/api/auth/me", headers=auth_headers(session["token"])))
    fresh = await _login(client, "owner@example.com")
    assert (
        await client.get("/api/auth/me", headers=auth_headers(fresh["token"]))
    ).status_code == 200


async def test_a_disabled_users_token_stops_working_at_once(client: AsyncTestClient[Any]) -> None:
    account = await register(client, email="owner@example.com")
    headers = auth_headers(account["access_token"])
    assert (await client.get("/api/stores", headers=headers)).status_code == 200

    hub: Hub = client.app.state.hub
    async with hub.unit(uuid.UUID(account["tenant"]["id"])) as unit:
        await unit.accounts.disable_user(uuid.UUID(account["user"]["id"]))

    _refused(await client.get("/api/stores", headers=headers))
    login = await client.post(
        "/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_a_deleted_users_token_stops_working_at_once(client: AsyncTestClient[Any]) -> None:
    account = await register(client)
    headers = auth_headers(account["access_token"])

    hub: Hub = client.app.state.hub
    async with hub.unit() as unit:
        await unit.session.execute(delete(User).where(User.id == uuid.UUID(account["user"]["id"])))

    _refused(await client.get("/api/stores", headers=headers))


async def test_a_token_naming_another_tenant_or_an_older_version_is_refused(
    client: AsyncTestClient[Any],
) -> None:
    """Validly signed tokens whose claims disagree with the database (a forged tenant, a
    version from before a sign-out) are refused like revoked ones."""
    alice = await register(client)
    bob = await register(client)
    codec: TokenCodec = client.app.state.tokens
    forged = codec.issue(
        user_id=uuid.UUID(alice["user"]["id"]),
        tenant_id=uuid.UUID(bob["tenant"]["id"]),
        email=alice["user"]["email"],
    )
    _refused(await client.get("/api/stores", headers=auth_headers(forged)))

    ahead = codec.issue(
        user_id=uuid.UUID(alice["user"]["id"]),
        tenant_id=uuid.UUID(alice["tenant"]["id"]),
        email=alice["user"]["email"],
        version=7,
    )
    _refused(await client.get("/api/stores", headers=auth_headers(ahead)))


def test_a_token_carries_the_version_it_was_issued_at() -> None:
    codec = TokenCodec("s" * 40, 3600)
    token = codec.issue(user_id=uuid.uuid4(), tenant_id=uuid.uuid4(), email="a@x.com", version=3)
    assert jwt.decode(token, options={"verify_signature": False})["ver"] == 3
    assert codec.decode(token).token_version == 3
