"""The OpenAPI schema tells clients how to authenticate, and which routes need it."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient


async def test_the_schema_declares_bearer_auth_on_protected_routes_only(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.get("/schema/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["BearerToken"]["description"],
    }
    assert schemes["SessionCookie"]["in"] == "cookie"
    assert schemes["SessionCookie"]["name"] == "g4hub_session"
    paths = schema["paths"]
    for path, method in (("/api/auth/me", "get"), ("/api/auth/logout", "post")):
        assert {"BearerToken": []} in paths[path][method]["security"], path
    for path, method in (
        ("/api/auth/login", "post"),
        ("/api/auth/register", "post"),
        ("/health", "get"),
    ):
        assert "security" not in paths[path][method], path


async def test_every_error_response_is_documented_in_the_hubs_shape(
    client: AsyncTestClient[Any],
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]

    login = paths["/api/auth/login"]["post"]["responses"]
    assert {"400", "401", "403", "422", "429", "500"} <= set(login)
    assert "409" in paths["/api/auth/register"]["post"]["responses"]
    assert {"401", "403", "500", "503"} <= set(paths["/api/auth/me"]["get"]["responses"])
    assert "503" in paths["/api/stores"]["get"]["responses"]  # the database may be away
    # /health answers its own body, for load balancers, also when the database is away.
    health = paths.pop("/health")["get"]["responses"]["503"]["content"]["application/json"]
    assert health["schema"]["required"] == ["status", "database"]
    for item in paths.values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    body = response["content"]["application/json"]["schema"]
                    assert body["required"] == ["error"], (status, operation["operationId"])
                    assert body["properties"]["error"]["required"] == ["code", "message", "details"]


async def test_the_sign_in_bodies_are_published_as_the_server_takes_them(
    client: AsyncTestClient[Any],
) -> None:
    """No other properties, no empty email: what the schema allows, the server reads."""
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path, fields in (("login", 2), ("register", 3)):
        operation = paths[f"/api/auth/{path}"]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["additionalProperties"] is False
        assert len(body["required"]) == fields
        assert body["properties"]["email"]["minLength"] == 1
    register_body = paths["/api/auth/register"]["post"]["requestBody"]["content"]
    assert register_body["application/json"]["schema"]["properties"]["password"]["minLength"] == 10

    for body in (
        {"email": "a@example.com", "password": "x", "remember": True},
        {"email": "", "password": "x"},
    ):
        refused = await client.post("/api/auth/login", json=body)
        assert refused.status_code == 422, refused.text


async def test_every_integer_the_api_takes_is_bounded_within_64_bits(
    client: AsyncTestClient[Any],
) -> None:
    """An unbounded integer reaches the database as an offset or a count and overflows it (a
    500); bounded, it is a 422 before anything runs."""
    schema = (await client.get("/schema/openapi.json")).json()
    components = schema.get("components", {}).get("schemas", {})
    found: list[str] = []

    def walk(
        node: Any,
        where: str,
        bounds: tuple[Any, Any] = (None, None),
        seen: frozenset[str] = frozenset(),
    ) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, where, bounds, seen)
            return
        if not isinstance(node, dict):
            return
        # Bounds beside a `oneOf` (`int | None`) hold for the integer branch too.
        bounds = (node.get("minimum", bounds[0]), node.get("maximum", bounds[1]))
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            walk(components.get(ref.rsplit("/", 1)[-1]), where, bounds, seen | {ref})
        types = node.get("type")
        if types == "integer" or (isinstance(types, list) and "integer" in types):
            found.append(where)
            low, high = bounds
            assert low is not None, where
            assert high is not None, where
            assert -(2**63) <= low <= high < 2**63, where
        for value in node.values():
            walk(value, where, bounds, seen)

    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                walk(parameter.get("schema"), f"{method} {path} {parameter['name']}")
            body = operation.get("requestBody", {}).get("content", {})
            walk(body.get("application/json", {}).get("schema"), f"{method} {path} body")
    assert "get /api/stores/{store_id}/products page" in found
