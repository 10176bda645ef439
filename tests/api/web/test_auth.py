"""Signing up, in and out through the web forms, and what signed-out visitors get."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from hub_api.auth.throttle import LoginThrottle
from tests.api.conftest import PASSWORD
from tests.api.web.helpers import WebUser, alert_text, field_value, post_form, sign_up

# Pages anyone may open (signing out needs no session either); every other web route does.
PUBLIC = {"/", "/login", "/register", "/logout"}
# Webhook deliveries authenticate by signature, not session (tests/api/webhooks).
NOT_WEB = ("/api/", "/schema", "/static/", "/health", "/webhooks/")


def web_routes(client: AsyncTestClient[Any]) -> set[tuple[str, str]]:
    found = set()
    for route in client.app.routes:
        if isinstance(route, HTTPRoute) and not route.path.startswith(NOT_WEB):
            for method in route.methods - {"OPTIONS", "HEAD"}:
                found.add((method, route.path))
    return found


async def test_home_sends_to_sign_in_or_to_the_overview(client: AsyncTestClient[Any]) -> None:
    signed_out = await client.get("/", follow_redirects=False)
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/login")
    await sign_up(client)
    signed_in = await client.get("/", follow_redirects=False)
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/overview")


async def test_every_page_needs_a_session(client: AsyncTestClient[Any]) -> None:
    some_id = str(uuid.uuid4())
    routes = web_routes(client)
    assert ("GET", "/overview") in routes
    assert ("POST", "/stores/new/save") in routes
    for method, path in sorted(routes):
        if path in PUBLIC:
            continue
        url = re.sub(r"\{[a-z_]+:str\}", some_id, path)  # every id in the path
        response = await client.request(method, url, follow_redirects=False)
        assert response.status_code == 303, (method, url, response.status_code)
        expected = f"/login?next={url}" if method == "GET" else "/login"
        assert response.headers["location"] == expected, (method, url)


async def test_an_expired_or_forged_session_is_signed_out(client: AsyncTestClient[Any]) -> None:
    client.cookies.set("g4hub_session", "not-a-token")
    response = await client.get("/stores", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/stores")


async def test_register_then_sign_out_then_sign_in(client: AsyncTestClient[Any]) -> None:
    user = await sign_up(client, business="Plum Orchard")
    overview = await client.get("/overview")
    assert user.email in overview.text
    assert "Sign out" in overview.text

    signed_out = await post_form(client, "/logout", {"_csrf": user.csrf})
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/login")
    assert not client.cookies.get("g4hub_session")
    assert (await client.get("/overview", follow_redirects=False)).status_code == 303

    login_page = await client.get("/login")
    assert "Create an account" in login_page.text
    signed_in = await post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/overview")
    assert (await client.get("/overview")).status_code == 200


async def test_sign_in_returns_to_the_page_asked_for_on_this_site_only(
    client: AsyncTestClient[Any],
) -> None:
    user = await sign_up(client)
    client.cookies.clear()
    asked = await client.get("/stores", follow_redirects=False)
    login = await client.get(asked.headers["location"])
    assert field_value(login.text, "next") == "/stores"
    back = await post_form(
        client, "/login", {"email": user.email, "password": PASSWORD, "next": "/stores"}
    )
    assert back.headers["location"] == "/stores"
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "stores"):
        client.cookies.clear()
        response = await post_form(
            client, "/login", {"email": user.email, "password": PASSWORD, "next": elsewhere}
        )
        assert response.headers["location"] == "/overview", elsewhere


async def test_wrong_password_shows_the_core_message(client: AsyncTestClient[Any]) -> None:
    user = await sign_up(client)
    client.cookies.clear()
    response = await post_form(client, "/login", {"email": user.email, "password": "nope-nope"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "Wrong email or password." in alert_text(response.text)
    assert field_value(response.text, "email") == user.email  # kept; the password is not
    assert "nope-nope" not in response.text
    assert not client.cookies.get("g4hub_session")


async def test_repeated_failures_are_throttled(client: AsyncTestClient[Any]) -> None:
    client.app.state.login_throttle = LoginThrottle(per_account=2, delay_max=0)
    user = await sign_up(client)
    client.cookies.clear()
    for _ in range(2):
        failed = await post_form(client, "/login", {"email": user.email, "password": "bad"})
        assert failed.status_code == 401
    throttled = await post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert throttled.status_code == 429
    assert "Too many failed sign-in attempts" in alert_text(throttled.text)
    assert throttled.headers["retry-after"].isdigit()


async def test_registration_problems_are_shown_on_the_form(client: AsyncTestClient[Any]) -> None:
    empty = await post_form(client, "/register", {"tenant_name": "", "email": "", "password": ""})
    assert empty.status_code == 422
    assert 'aria-invalid="true"' in empty.text
    assert "Enter your business name." in empty.text

    weak = await post_form(
        client, "/register", {"tenant_name": "Acme", "email": "a@example.com", "password": "short"}
    )
    assert weak.status_code == 422
    assert 'id="f-password-error"' in weak.text
    assert 'aria-describedby="f-password-help f-password-error"' in weak.text

    user = await sign_up(client)
    client.cookies.clear()
    taken = await post_form(
        client,
        "/register",
        {"tenant_name": "Other", "email": user.email, "password": PASSWORD},
    )
    assert taken.status_code == 409
    assert "already exists" in alert_text(taken.text)
    assert field_value(taken.text, "tenant_name") == "Other"


async def test_sign_in_from_another_site_is_refused(client: AsyncTestClient[Any]) -> None:
    user = await sign_up(client)
    client.cookies.clear()
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = await post_form(
            client, "/login", {"email": user.email, "password": PASSWORD}, headers=headers
        )
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert not client.cookies.get("g4hub_session")


async def test_sign_out_needs_the_forms_token(client: AsyncTestClient[Any], user: WebUser) -> None:
    refused = await post_form(client, "/logout", {"_csrf": "forged"})
    assert refused.status_code == 403
    assert (await client.get("/overview")).status_code == 200  # still signed in
