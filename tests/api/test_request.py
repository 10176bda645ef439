"""Request bodies nested deeper than any real client sends are a 400 in the usual error shape,
not a crash of the JSON decoder (a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from hub_api.request import MAX_JSON_DEPTH, json_depth_exceeds
from tests.api.conftest import auth_headers, register


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/register"])
async def test_a_deeply_nested_body_is_a_400(
    client: AsyncTestClient[Any], path: str, depth: int
) -> None:
    body = "[" * depth + "]" * depth

    response = await client.post(path, content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "json_too_deep"
    assert error["details"] == {"max_depth": MAX_JSON_DEPTH}


async def test_a_signed_in_route_refuses_deep_objects_too(client: AsyncTestClient[Any]) -> None:
    token = (await register(client))["access_token"]
    body = '{"a":' * 5_000 + "1" + "}" * 5_000

    response = await client.post(
        "/api/stores",
        content=body,
        headers={**auth_headers(token), "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "json_too_deep"


async def test_a_body_within_the_limit_is_judged_by_its_content(
    client: AsyncTestClient[Any],
) -> None:
    depth = MAX_JSON_DEPTH
    response = await client.post(
        "/api/auth/login",
        content="[" * depth + "]" * depth,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422  # a list is not a login, but it was read


def test_brackets_inside_strings_do_not_count() -> None:
    many = '"' + "[{" * 500 + '\\"' + "[" * 500 + '"'
    assert not json_depth_exceeds(f'{{"name": {many}}}'.encode())
    assert json_depth_exceeds(("[" * (MAX_JSON_DEPTH + 1)).encode())
    assert not json_depth_exceeds(("[]" * 10_000).encode())  # wide, not deep
