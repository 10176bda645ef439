"""Structured logs: a request id on every line and in every response, one access line per
request, JSON when asked, and no password, token or cookie anywhere in the logs."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from hub_api.logging import JsonFormatter, RequestIdFilter, configure_logging
from hub_api.settings import ApiSettings
from tests.api.conftest import PASSWORD

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog at INFO, its handler stamping request ids as the service's handler does."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    return caplog


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Undo what `configure_logging` does to the process's loggers."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    access = logging.getLogger("uvicorn.access")
    saved_access = (list(access.handlers), access.propagate, access.disabled)
    httpcore = logging.getLogger("httpcore")
    saved_httpcore = httpcore.level
    yield
    httpcore.setLevel(saved_httpcore)
    for handler in root.handlers[:]:
        if handler not in saved[0]:
            root.removeHandler(handler)
    root.setLevel(saved[1])
    access.handlers[:], access.propagate, access.disabled = saved_access


async def test_each_response_carries_a_new_request_id(client: AsyncTestClient[Any]) -> None:
    first, second = await client.get("/health"), await client.get("/health")

    assert HEX_ID.fullmatch(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("lb-7f3a.9_x", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("has space", False),
        ("line\nbreak", False),
        ('quote"s', False),
        ("", False),
    ],
)
async def test_a_callers_request_id_is_kept_when_it_is_sane(
    client: AsyncTestClient[Any], sent: str, kept: bool
) -> None:
    response = await client.get("/health", headers={"X-Request-ID": sent})
    if kept:
        assert response.headers["x-request-id"] == sent
    else:
        assert HEX_ID.fullmatch(response.headers["x-request-id"])


async def test_every_line_has_the_request_id_and_no_secret(
    client: AsyncTestClient[Any], captured: pytest.LogCaptureFixture
) -> None:
    responses = [
        await client.post(
            "/api/auth/register",
            json={"email": "owner@example.com", "password": PASSWORD, "tenant_name": "Acme"},
        ),
        await client.post(
            "/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD}
        ),
        await client.post(
            "/api/auth/login", json={"email": "owner@example.com", "password": "wrong-" + PASSWORD}
        ),
    ]
    token = responses[1].json()["access_token"]
    cookies = dict(client.cookies)
    responses.append(
        await client.get(
            "/api/auth/me?access_token=" + token, headers={"Authorization": f"Bearer {token}"}
        )
    )
    responses.append(
        await client.post("/api/auth/logout", headers={"X-CSRF-Token": cookies["g4hub_csrf"]})
    )
    responses.append(await client.get("/nowhere"))

    ids = [r.headers["x-request-id"] for r in responses]
    # The test's own HTTP client logs its requests (full URLs) too; those are not the hub's.
    records = [r for r in captured.records if r.name != "httpx"]
    assert records
    for record in records:
        assert getattr(record, "request_id", None) in ids, record.getMessage()

    access = [r for r in records if r.name == "hub_api.access"]
    assert [(r.request_id, r.method, r.path, r.status) for r in access] == [  # type: ignore[attr-defined]
        (ids[0], "POST", "/api/auth/register", 201),
        (ids[1], "POST", "/api/auth/login", 200),
        (ids[2], "POST", "/api/auth/login", 401),
        (ids[3], "GET", "/api/auth/me", 200),
        (ids[4], "POST", "/api/auth/logout", 200),
        (ids[5], "GET", "/nowhere", 404),
    ]
    for record in access:
        assert record.duration_ms >= 0  # type: ignore[attr-defined]

    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(r) for r in records)
    secrets = [PASSWORD, token, *cookies.values()]
    for secret in secrets:
        assert secret not in logged
    assert "access_token" not in logged  # the query string is never logged


async def test_control_characters_in_the_path_cannot_forge_log_lines(
    client: AsyncTestClient[Any], captured: pytest.LogCaptureFixture
) -> None:
    await client.get("/api/x%0A2025-01-01 ERROR forged")

    (line,) = [r for r in captured.records if r.name == "hub_api.access"]
    assert "\n" not in line.getMessage()
    assert line.path == "/api/x?2025-01-01 ERROR forged"  # type: ignore[attr-defined]


def test_the_json_formatter_writes_one_object_per_line() -> None:
    record = logging.LogRecord(
        "hub_api.access", logging.INFO, __file__, 1, "GET / %s", (200,), None
    )
    record.request_id = "abc"
    record.method, record.path, record.status, record.duration_ms = "GET", "/", 200, 1.5

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET / 200"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "hub_api.access"
    assert entry["request_id"] == "abc"
    assert (entry["method"], entry["path"], entry["status"], entry["duration_ms"]) == (
        "GET",
        "/",
        200,
        1.5,
    )
    assert entry["time"].endswith("+00:00")


def test_the_json_formatter_keeps_a_traceback_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError as exc:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "failed",
            (),
            (
                type(exc),
                exc,
                exc.__traceback__,
            ),
        )

    entry = json.loads(JsonFormatter().format(record))

    assert "ValueError: boom" in entry["exception"]
    assert entry["request_id"] is None


async def test_configure_logging_writes_json_lines_with_the_request_id(
    client: AsyncTestClient[Any], api_settings: ApiSettings, restore_logging: None
) -> None:
    stream = io.StringIO()
    json_settings = api_settings.model_copy(update={"log_json": True})
    configure_logging(json_settings, stream=stream)
    configure_logging(json_settings, stream=stream)  # a second call replaces the first

    response = await client.get("/health")
    logging.getLogger("outside").info("no request here")

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [e for e in lines if e["logger"] == "hub_api.access"]
    assert len(access) == 1
    assert access[0]["request_id"] == response.headers["x-request-id"]
    assert access[0]["status"] == 200
    assert access[0]["path"] == "/health"
    assert lines[-1]["request_id"] == "-"
    assert logging.getLogger("uvicorn.access").disabled


def test_configure_logging_writes_plain_text_when_asked(
    api_settings: ApiSettings, restore_logging: None
) -> None:
    stream = io.StringIO()
    configure_logging(api_settings, stream=stream)  # the fixture's settings: log_json=False

    logging.getLogger("hub_api.test").warning("plain %s", "text")

    (line,) = stream.getvalue().splitlines()
    assert line.endswith("WARNING hub_api.test [-] plain text")
