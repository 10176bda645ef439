"""The dashboard's session is revocable too: after signing out, a copy of the session cookie
opens no page; signing out everywhere (the API's `logout-all`) or disabling the user ends it at
once; and signing in after a sign-out gives a session that works."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from g4hub_core import Hub
from tests.api.conftest import PASSWORD
from tests.api.web.helpers import WebUser, post_form


async def _opens_overview(client: AsyncTestClient[Any], cookie: str) -> bool:
    client.cookies.set("g4hub_session", cookie)
    response = await client.get("/overview", follow_redirects=False)
    return response.status_code == 200


async def test_a_cookie_replayed_after_signing_out_opens_nothing(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    cookie = client.cookies["g4hub_session"]
    signed_out = await post_form(client, "/logout", {"_csrf": user.csrf})
    assert signed_out.status_code == 303

    assert not await _opens_overview(client, cookie)
    client.cookies.clear()
    signed_in = await post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 303
    assert await _opens_overview(client, client.cookies["g4hub_session"])


async def test_signing_out_everywhere_ends_the_dashboard_session(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    cookie = client.cookies["g4hub_session"]
    everywhere = await client.post(
        "/api/auth/logout-all", headers={"X-CSRF-Token": client.cookies["g4hub_csrf"]}
    )
    assert everywhere.status_code == 200

    assert not await _opens_overview(client, cookie)


async def test_a_disabled_users_dashboard_session_ends_at_once(
    client: AsyncTestClient[Any], user: WebUser
) -> None:
    cookie = client.cookies["g4hub_session"]
    me = (await client.get("/api/auth/me")).json()["user"]
    hub: Hub = client.app.state.hub
    async with hub.unit(uuid.UUID(me["tenant_id"])) as unit:
        await unit.accounts.disable_user(uuid.UUID(me["id"]))

    assert not await _opens_overview(client, cookie)
