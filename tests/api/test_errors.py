"""Every error in one shape, `{"error": {"code", "message", "details"}}`, with the status a REST
client expects; unexpected failures answer a generic 500 with the request id."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar import get, post
from litestar.params import FromPath
from litestar.testing import AsyncTestClient
from sqlalchemy.exc import IntegrityError

from g4hub_core import (
    AccessDenied,
    Conflict,
    CoreError,
    InvalidInput,
    NotFound,
    StoreConnectionFailed,
    VaultError,
)
from hub_api.errors import core_status


def _assert_shape(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


@pytest.mark.parametrize("path", ["/nowhere", "/api/nowhere", "/api/auth/me/extra"])
async def test_an_unknown_route_is_404_in_our_shape(
    client: AsyncTestClient[Any], path: str
) -> None:
    error = _assert_shape(await client.get(path), 404, "not_found")
    assert "/schema" in error["message"]


async def test_a_wrong_method_is_405_with_allow(client: AsyncTestClient[Any]) -> None:
    response = await client.delete("/api/auth/login")

    error = _assert_shape(response, 405, "method_not_allowed")
    assert "POST" in response.headers["allow"]
    assert error["message"].startswith("DELETE is not accepted here. Allowed:")


async def test_a_body_that_is_not_json_is_400(client: AsyncTestClient[Any]) -> None:
    response = await client.post(
        "/api/auth/login",
        content=b'{"email": "a@example.com", "password": "s3cret-pass',
        headers={"content-type": "application/json"},
    )

    error = _assert_shape(response, 400, "bad_request")
    assert "s3cret" not in response.text
    assert error["message"].startswith("The request could not be read: ")


async def test_a_missing_body_names_the_body(client: AsyncTestClient[Any]) -> None:
    error = _assert_shape(await client.post("/api/auth/login"), 422, "invalid_input")
    assert error["details"] == {"body": "A JSON object body is required."}


async def test_invalid_fields_are_named_without_their_values(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.post(
        "/api/auth/login", json={"email": ["x"], "password": "p" * 2000, "extra": "sk_live_123"}
    )

    error = _assert_shape(response, 422, "invalid_input")
    assert set(error["details"]) == {"email", "password", "extra"}
    assert "email" in error["message"]
    assert "ppp" not in response.text
    assert "sk_live_123" not in response.text


@get("/test/boom", exclude_from_auth=True)
async def boom() -> None:
    raise RuntimeError("password=hunter2 leaked into an exception")


@post("/test/database", exclude_from_auth=True)
async def database() -> None:
    raise IntegrityError(
        "INSERT INTO users (email, password_hash) VALUES (?, ?)",
        ("owner@example.com", "$argon2id$secret-hash"),
        Exception("UNIQUE constraint failed: users.email"),
    )


@post("/test/vault", exclude_from_auth=True)
async def vault() -> None:
    raise VaultError("A stored credential cannot be opened with the configured keys.")


@get("/test/core/{kind:str}", exclude_from_auth=True)
async def core(kind: FromPath[str]) -> None:
    errors: dict[str, CoreError] = {
        "not_found": NotFound("This store does not exist.", code="store_not_found"),
        "conflict": Conflict("A sync is already running.", code="sync_running"),
        "timeout": StoreConnectionFailed("The store did not answer.", code="timeout"),
    }
    raise errors[kind]


async def test_an_unexpected_error_is_a_generic_500_with_the_request_id(
    client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    client.app.register(boom)
    caplog.set_level(logging.INFO)

    response = await client.get("/test/boom", headers={"X-Request-ID": "trace-500"})

    error = _assert_shape(response, 500, "internal_error")
    assert error["details"] == {"request_id": "trace-500"}
    assert "trace-500" in error["message"]
    assert response.headers["x-request-id"] == "trace-500"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text
    logged = [r for r in caplog.records if r.name == "hub_api.errors"]
    assert len(logged) == 1
    assert logged[0].exc_info is not None  # the operator gets the traceback


async def test_a_database_error_logs_no_statement_parameters(
    client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    client.app.register(database)

    response = await client.post("/test/database")

    _assert_shape(response, 500, "internal_error")
    assert "UNIQUE constraint failed" in caplog.text  # the operator still sees what went wrong
    assert "secret-hash" not in caplog.text
    assert "secret-hash" not in response.text


async def test_a_vault_error_is_500_with_the_request_id(client: AsyncTestClient[Any]) -> None:
    client.app.register(vault)

    response = await client.post("/test/vault")

    error = _assert_shape(response, 500, "vault_error")
    assert error["details"]["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("kind", "status"), [("not_found", 404), ("conflict", 409), ("timeout", 504)]
)
async def test_core_errors_keep_their_code_and_message(
    client: AsyncTestClient[Any], kind: str, status: int
) -> None:
    client.app.register(core)

    response = await client.get(f"/test/core/{kind}")

    assert response.status_code == status
    assert response.json()["error"]["code"] != "internal_error"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("x"), 404),
        (Conflict("x"), 409),
        (InvalidInput("x"), 422),
        (AccessDenied("x"), 401),
        (StoreConnectionFailed("x", code="invalid_credentials"), 422),
        (StoreConnectionFailed("x", code="permission_denied"), 422),
        (StoreConnectionFailed("x", code="invalid_store_url"), 422),
        (StoreConnectionFailed("x", code="api_version_unsupported"), 422),
        (StoreConnectionFailed("x", code="platform_unavailable"), 502),
        (StoreConnectionFailed("x", code="rate_limited"), 502),
        (StoreConnectionFailed("x", code="unexpected_response"), 502),
        (StoreConnectionFailed("x", code="timeout"), 504),
        (VaultError("x"), 500),
        (CoreError("x"), 500),
    ],
)
def test_core_status(error: CoreError, status: int) -> None:
    assert core_status(error) == status
