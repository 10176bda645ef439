"""Errors on the web pages are pages: HTML with a message, never JSON and never a traceback;
the JSON API keeps its JSON errors."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from g4hub_core.dashboard.service import DashboardService
from tests.api.web.helpers import WebUser

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_an_unexpected_failure_is_a_page_with_a_request_id(
    client: AsyncTestClient[Any],
    user: WebUser,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(self: DashboardService, **kwargs: Any) -> None:
        raise RuntimeError("database on fire: secret-detail")

    monkeypatch.setattr(DashboardService, "overview", broken)
    with caplog.at_level(logging.ERROR, logger="hub_api.errors"):
        response = await client.get("/overview", headers={"X-Request-ID": "trace-web-500"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "secret-detail" not in response.text
    assert "Traceback" not in response.text
    assert "trace-web-500" in response.text
    assert "Sign out" in response.text  # still the app's frame, with its navigation
    assert any("RuntimeError" in record.getMessage() for record in caplog.records)


async def test_routing_errors_are_pages_for_browsers_and_json_for_programs(
    client: AsyncTestClient[Any],
) -> None:
    page = await client.get("/no-such-page", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    wrong_method = await client.put("/overview", headers=HTML)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("text/html")

    for path, headers in (("/no-such-page", {}), ("/api/nowhere", HTML)):
        response = await client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_the_api_keeps_its_json_errors(client: AsyncTestClient[Any], user: WebUser) -> None:
    # Signed in by cookie: an API POST without the CSRF header is still the API's JSON 403.
    refused = await client.post("/api/stores/test-connection", json={}, headers=HTML)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    client.cookies.clear()
    signed_out = await client.get("/api/stores", headers=HTML)
    assert signed_out.status_code == 401
    assert signed_out.json()["error"]["code"] == "not_authenticated"


async def test_pages_are_not_cached_nor_framed(client: AsyncTestClient[Any], user: WebUser) -> None:
    for path in ("/overview", "/login"):
        response = await client.get(path)
        assert response.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "script-src 'self'" in response.headers["content-security-policy"]
    assert (await client.get("/static/app.js")).status_code == 200
    assert (await client.get("/static/app.css")).status_code == 200
