"""`OPTIONS` answers an `Allow` header with every method the path serves, as its 405 does."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/stores", "GET, OPTIONS, POST"),
        (f"/api/stores/{uuid.uuid4()}", "DELETE, GET, OPTIONS, PUT"),
        ("/api/auth/login", "OPTIONS, POST"),
        ("/health", "GET, OPTIONS"),
    ],
    # Fixed ids: xdist's workers must collect the same test names (the store id is random).
    ids=["stores", "store", "login", "health"],
)
async def test_options_lists_every_method(
    client: AsyncTestClient[Any], path: str, allowed: str
) -> None:
    response = await client.request("OPTIONS", path)

    assert response.status_code == 204
    assert response.headers["allow"] == allowed


async def test_options_agrees_with_the_405_of_every_api_path(client: AsyncTestClient[Any]) -> None:
    for route in client.app.routes:
        if not route.path.startswith("/api/") or "{" in route.path:
            continue
        options = await client.request("OPTIONS", route.path)
        wrong = await client.request("PATCH", route.path)
        assert wrong.status_code == 405, route.path
        assert options.headers["allow"] == ", ".join(sorted(route.methods)), route.path
        listed = {m.strip() for m in wrong.headers["allow"].split(",")}
        assert listed | {"OPTIONS"} == set(route.methods), route.path
