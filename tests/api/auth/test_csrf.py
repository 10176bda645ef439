"""CSRF: an unsafe request signed in by the session cookie must echo the session's CSRF token in
`X-CSRF-Token`; bearer requests and safe methods need none."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from hub_api.auth.csrf import CsrfTokens
from tests.api.conftest import PASSWORD, auth_headers, register


async def _sign_in_with_cookie(client: AsyncTestClient[Any], email: str) -> str:
    """Log in through the cookie jar; returns the CSRF cookie's value."""
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    return client.cookies["g4hub_csrf"]


async def test_a_cookie_post_without_the_header_is_refused(client: AsyncTestClient[Any]) -> None:
    await register(client, email="owner@example.com")
    await _sign_in_with_cookie(client, "owner@example.com")

    response = await client.post("/api/auth/logout")

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "csrf_failed"
    assert "X-CSRF-Token" in error["message"]
    assert "g4hub_csrf" in error["message"]
    assert (await client.get("/api/auth/me")).status_code == 200  # still signed in


async def test_a_cookie_post_with_a_wrong_token_is_refused(client: AsyncTestClient[Any]) -> None:
    await register(client, email="owner@example.com")
    csrf = await _sign_in_with_cookie(client, "owner@example.com")

    for wrong in ("wrong", csrf[:-1], csrf.upper() if csrf.upper() != csrf else csrf + "x"):
        response = await client.post("/api/auth/logout", headers={"X-CSRF-Token": wrong})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "csrf_failed"
        assert "does not match" in response.json()["error"]["message"]


async def test_a_cookie_post_with_the_right_token_passes(client: AsyncTestClient[Any]) -> None:
    await register(client, email="owner@example.com")
    csrf = await _sign_in_with_cookie(client, "owner@example.com")

    response = await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})

    assert response.status_code == 200


async def test_another_sessions_token_does_not_pass(client: AsyncTestClient[Any]) -> None:
    """The token is bound to its session: one planted from an earlier sign-in does not pass."""
    await register(client, email="owner@example.com")
    await register(client, email="other@example.com")
    other_csrf = await _sign_in_with_cookie(client, "other@example.com")
    client.cookies.clear()
    await _sign_in_with_cookie(client, "owner@example.com")
    client.cookies.set("g4hub_csrf", other_csrf)  # both halves of the double submit agree

    response = await client.post("/api/auth/logout", headers={"X-CSRF-Token": other_csrf})

    assert response.status_code == 403


async def test_a_bearer_post_needs_no_csrf_token(client: AsyncTestClient[Any]) -> None:
    account = await register(client)

    response = await client.post("/api/auth/logout", headers=auth_headers(account["access_token"]))

    assert response.status_code == 200


async def test_a_cookie_get_needs_no_csrf_token(client: AsyncTestClient[Any]) -> None:
    await register(client, email="owner@example.com")
    await _sign_in_with_cookie(client, "owner@example.com")

    assert (await client.get("/api/auth/me")).status_code == 200


def test_tokens_depend_on_the_session_and_the_secret() -> None:
    tokens = CsrfTokens("a" * 40)

    assert tokens.verify("session-1", tokens.token_for("session-1"))
    assert not tokens.verify("session-2", tokens.token_for("session-1"))
    assert tokens.token_for("session-1") != CsrfTokens("b" * 40).token_for("session-1")
    assert "a" * 40 not in repr(tokens)
