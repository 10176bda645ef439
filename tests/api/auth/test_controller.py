"""Register, log in, who am I, log out: over HTTP, with a bearer token and with the cookie."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from hub_api.settings import ApiSettings
from tests.api.auth.conftest import AppClient
from tests.api.conftest import PASSWORD, auth_headers, register


def _set_cookies(response: Any) -> dict[str, str]:
    """Each Set-Cookie header by cookie name."""
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        name = header.split("=", 1)[0]
        cookies[name] = header
    return cookies


async def test_register_answers_the_account_a_token_and_both_cookies(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "Owner@Example.com", "password": PASSWORD, "tenant_name": "Acme"},
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) >= {"user", "tenant", "access_token", "token_type"}
    assert body["token_type"] == "bearer"
    assert body["user"]["email"] == "owner@example.com"
    assert body["tenant"]["name"] == "Acme"
    assert PASSWORD not in response.text
    assert response.headers["cache-control"] == "no-store"
    cookies = _set_cookies(response)
    session, csrf = cookies["g4hub_session"], cookies["g4hub_csrf"]
    assert "HttpOnly" in session
    assert "SameSite=lax" in session
    assert "Secure" not in session
    assert "HttpOnly" not in csrf  # page scripts read it to echo it
    assert "SameSite=lax" in csrf


async def test_cookies_are_secure_when_configured(
    app_client: AppClient, api_settings: ApiSettings
) -> None:
    secure = api_settings.model_copy(update={"cookie_secure": True})
    async with app_client(secure) as client:
        response = await client.post(
            "/api/auth/register",
            json={"email": "owner@example.com", "password": PASSWORD, "tenant_name": "Acme"},
        )
    assert response.status_code == 201
    for header in _set_cookies(response).values():
        assert "Secure" in header


async def test_login_answers_a_bearer_token_that_works(client: AsyncTestClient[Any]) -> None:
    await register(client, email="owner@example.com")

    response = await client.post(
        "/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 12 * 3600
    assert response.headers["cache-control"] == "no-store"
    assert {"g4hub_session", "g4hub_csrf"} <= set(_set_cookies(response))
    client.cookies.clear()
    me = await client.get("/api/auth/me", headers=auth_headers(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "owner@example.com"
    assert me.json()["tenant"]["name"] == "Acme"


async def test_the_session_cookie_signs_in_and_logout_clears_it(
    client: AsyncTestClient[Any],
) -> None:
    await register(client, email="owner@example.com")
    login = await client.post(
        "/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200

    me = await client.get("/api/auth/me")  # the cookie jar sends the session
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "owner@example.com"

    logout = await client.post(
        "/api/auth/logout", headers={"X-CSRF-Token": client.cookies["g4hub_csrf"]}
    )
    assert logout.status_code == 200
    cleared = _set_cookies(logout)
    for name in ("g4hub_session", "g4hub_csrf"):
        assert "Max-Age=0" in cleared[name]
    assert "g4hub_session" not in client.cookies
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_logout_with_a_bearer_token(client: AsyncTestClient[Any]) -> None:
    account = await register(client)

    response = await client.post("/api/auth/logout", headers=auth_headers(account["access_token"]))

    assert response.status_code == 200
    assert response.json() == {"status": "signed_out"}


async def test_a_weak_password_is_refused_with_the_cores_message(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "owner@example.com", "password": "short", "tenant_name": "Acme"},
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "weak_password"
    assert error["message"].startswith("Choose a stronger password. Use at least 10 characters")
    assert set(error["details"]) == {"password"}
    assert "short" not in str(error["details"])


async def test_a_taken_email_is_a_conflict(client: AsyncTestClient[Any]) -> None:
    await register(client, email="owner@example.com")

    response = await client.post(
        "/api/auth/register",
        json={"email": "OWNER@example.com", "password": PASSWORD, "tenant_name": "Other"},
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "email_taken"
    assert error["message"] == (
        "An account with this email already exists. Sign in instead, or use another email."
    )


async def test_a_wrong_login_is_401_with_one_message_for_both_causes(
    client: AsyncTestClient[Any],
) -> None:
    await register(client, email="owner@example.com")

    wrong_password = await client.post(
        "/api/auth/login", json={"email": "owner@example.com", "password": "not-the-password"}
    )
    unknown_email = await client.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )

    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert response.json() == {
            "error": {"code": "invalid_login", "message": "Wrong email or password.", "details": {}}
        }
        assert "set-cookie" not in response.headers


async def test_an_invalid_body_names_the_fields_but_never_their_values(
    client: AsyncTestClient[Any],
) -> None:
    secret = "hunter2-but-much-longer-" * 50
    response = await client.post(
        "/api/auth/register", json={"email": 42, "password": secret, "surplus": secret}
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert set(error["details"]) == {"email", "password", "tenant_name", "surplus"}
    assert "hunter2" not in response.text


async def test_sign_in_from_another_sites_page_is_refused(client: AsyncTestClient[Any]) -> None:
    await register(client, email="owner@example.com")
    credentials = {"email": "owner@example.com", "password": PASSWORD}

    fetch_metadata = await client.post(
        "/api/auth/login", json=credentials, headers={"Sec-Fetch-Site": "cross-site"}
    )
    foreign_origin = await client.post(
        "/api/auth/login", json=credentials, headers={"Origin": "https://evil.example"}
    )
    sandboxed = await client.post("/api/auth/login", json=credentials, headers={"Origin": "null"})
    registration = await client.post(
        "/api/auth/register",
        json={"email": "victim@example.com", "password": PASSWORD, "tenant_name": "X"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )

    for response in (fetch_metadata, foreign_origin, sandboxed, registration):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "csrf_failed"
        assert "set-cookie" not in response.headers


async def test_sign_in_from_the_hubs_own_pages_and_programs_passes(
    client: AsyncTestClient[Any],
) -> None:
    await register(client, email="owner@example.com")
    credentials = {"email": "owner@example.com", "password": PASSWORD}
    own_origin = f"http://{client.base_url.netloc.decode()}"

    for headers in (
        {"Sec-Fetch-Site": "same-origin", "Origin": "https://behind-a-proxy.example"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": own_origin},
        {},
    ):
        response = await client.post("/api/auth/login", json=credentials, headers=headers)
        assert response.status_code == 200, headers
