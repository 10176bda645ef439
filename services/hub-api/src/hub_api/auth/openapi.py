"""What the OpenAPI schema tells clients about signing in and about errors.

- Every operation requires a bearer token or the session cookie (`SECURITY`, set app-wide, so a
  new route is documented as protected, as the middleware treats it); the few public routes
  mark themselves with `operation_class=PublicOperation`.
- Every operation documents the errors the hub answers in its one shape (`ERROR_SCHEMA`), in
  place of Litestar's default error schema, which the hub never sends: 400 and 422 when it takes
  input, 401 and 403 when it needs sign-in, 404 when its path has parameters, 500 always. A
  route adds its own with `raises=documented_errors(409, ...)`. `OpenApiErrorsPlugin` gives
  every route this operation class as it is registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    Components,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    RequestBody,
    Schema,
    SecurityRequirement,
    SecurityScheme,
)
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute

from g4hub_core.tenants.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from hub_api.auth.csrf import CSRF_COOKIE, CSRF_HEADER
from hub_api.auth.middleware import SESSION_COOKIE
from hub_api.errors import ERROR_SCHEMA

__all__ = [
    "AUTH_BODIES",
    "COMPONENTS",
    "SECURITY",
    "HealthOperation",
    "HubOperation",
    "OpenApiErrorsPlugin",
    "PublicOperation",
    "auth_body_operation",
]

SECURITY: list[SecurityRequirement] = [{"BearerToken": []}, {"SessionCookie": []}]

COMPONENTS = Components(
    security_schemes={
        "BearerToken": SecurityScheme(
            type="http",
            scheme="bearer",
            bearer_format="JWT",
            description="The `access_token` from `POST /api/auth/login` or `/register`, sent "
            "as `Authorization: Bearer <token>`. For programs.",
        ),
        "SessionCookie": SecurityScheme(
            type="apiKey",
            name=SESSION_COOKIE,
            security_scheme_in="cookie",
            description="The browser's session, set by sign-in (HttpOnly). POST, PUT, PATCH and "
            f"DELETE with it must also send the `{CSRF_HEADER}` header set to the value of the "
            f"`{CSRF_COOKIE}` cookie.",
        ),
    }
)

_DESCRIPTIONS = {
    "400": "The request could not be read (a body that is not JSON, for one).",
    "401": "Not signed in: the token is missing, expired or invalid.",
    "403": f"Signed in by the session cookie without a matching `{CSRF_HEADER}` header.",
    "404": "Not found (also what another tenant's ids answer).",
    "409": "Conflicts with the current state (an email taken, a sync already running).",
    "422": "Invalid input: `details` names each field and its problem.",
    "429": "Too many attempts: wait the seconds `Retry-After` says.",
    "500": "The hub failed; `details.request_id` identifies the request in its logs.",
    "502": "The store failed; the message is the store's problem, in words for the merchant.",
    "503": "The hub cannot reach its database (`database_unavailable`): retry after "
    "`Retry-After` seconds.",
    "504": "The store did not answer in time.",
}


def _error(status: str, description: str | None = None) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=description or _DESCRIPTIONS.get(status) or HTTPStatus(int(status)).phrase,
        content={"application/json": OpenAPIMediaType(schema=ERROR_SCHEMA)},
    )


@dataclass
class HubOperation(Operation):
    """An operation documenting the hub's error responses (see the module's docstring)."""

    def __post_init__(self) -> None:
        responses = self.responses if self.responses is not None else {}
        for status, response in list(responses.items()):
            if status[0] in "45" and isinstance(response, OpenAPIResponse):
                responses[status] = _error(status, _DESCRIPTIONS.get(status))
        wanted = ["500", "503"]
        if "400" in responses:  # Litestar adds 400 to any operation that takes input
            wanted.append("422")
        if self.security:
            wanted += ["401", "403"]
        if any(isinstance(p, Parameter) and p.param_in == "path" for p in self.parameters or ()):
            wanted.append("404")
        for status in wanted:
            responses.setdefault(status, _error(status))
        self.responses = dict(sorted(responses.items()))


@dataclass
class PublicOperation(HubOperation):
    """The operation of a route that needs no sign-in: it drops the app-wide requirement."""

    def __post_init__(self) -> None:
        self.security = None
        super().__post_init__()


def _text(min_length: int, max_length: int, description: str) -> Schema:
    return Schema(
        type=OpenAPIType.STRING,
        min_length=min_length,
        max_length=max_length,
        description=description,
    )


_EMAIL = Schema(
    type=OpenAPIType.STRING,
    format=OpenAPIFormat.EMAIL,
    min_length=1,
    max_length=320,
    description="The account's email address.",
)
AUTH_BODIES: dict[str, Schema] = {
    "login": Schema(
        type=OpenAPIType.OBJECT,
        required=["email", "password"],
        properties={"email": _EMAIL, "password": _text(0, 1024, "The account's password.")},
        additional_properties=False,
    ),
    "register": Schema(
        type=OpenAPIType.OBJECT,
        required=["email", "password", "tenant_name"],
        properties={
            "email": _EMAIL,
            "password": _text(
                MIN_PASSWORD_LENGTH,
                MAX_PASSWORD_LENGTH,
                f"At least {MIN_PASSWORD_LENGTH} characters, not a common password, not the email.",
            ),
            "tenant_name": _text(1, 200, "The business's name."),
        },
        additional_properties=False,
    ),
}
"""The sign-in bodies as the server takes them: no other properties (they are refused), and
the bounds the server checks."""


def auth_body_operation(body: str) -> type[Operation]:
    """A public route's `operation_class=` whose JSON body is `AUTH_BODIES[body]`."""

    @dataclass
    class AuthBodyOperation(PublicOperation):
        def __post_init__(self) -> None:
            super().__post_init__()
            given = self.request_body
            if not isinstance(given, RequestBody):
                return
            media = given.content.get("application/json")
            if media is not None:
                media.schema = AUTH_BODIES[body]

    AuthBodyOperation.__name__ = f"AuthBodyOperation_{body}"
    return AuthBodyOperation


_HEALTH_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["status", "database"],
    properties={
        "status": Schema(type=OpenAPIType.STRING, enum=["ok", "unavailable"]),
        "database": Schema(type=OpenAPIType.STRING, enum=["ok", "unreachable"]),
    },
)


@dataclass
class HealthOperation(PublicOperation):
    """`/health`'s operation: its 200 and 503 answer the health body, not the error shape."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.responses = self.responses or {}
        for status, description in (("200", "Ready."), ("503", "The database is unreachable.")):
            self.responses[status] = OpenAPIResponse(
                description=description,
                content={"application/json": OpenAPIMediaType(schema=_HEALTH_SCHEMA)},
            )


class OpenApiErrorsPlugin(ReceiveRoutePlugin):
    """Makes each registered route's operation a `HubOperation` unless it chose its own."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute):
            return
        for handler in route.route_handlers:
            if isinstance(handler, HTTPRouteHandler) and handler.operation_class is Operation:
                handler.operation_class = HubOperation
