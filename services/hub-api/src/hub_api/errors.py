"""Every error the service answers, in one shape, mapped to HTTP once, here:

    {"error": {"code": "email_taken", "message": "An account with this email ...", "details": {}}}

- core errors (`g4hub_core.errors`): NotFound 404 (also another tenant's ids), Conflict 409,
  InvalidInput 422, AccessDenied 401; StoreConnectionFailed by its remedy (`Remedy`): fix_settings
  and fix_request 422 (the merchant's input to change), retry 504 when the store timed out and
  502 otherwise, report 502; its `details` carry the platform's request id when it sent one;
  VaultError 500.
- `ApiError`: the service's own (401 sign-in needed, 403 CSRF, 429 throttled), with its code.
- Litestar's: request validation 422 (field names and problems, never the values: the bad value
  may be a secret), malformed body 400, unknown route 404, wrong method 405 (with `Allow`).
- the database unreachable (refused, dropped, pool exhausted): 503 `database_unavailable` with
  `Retry-After`; the pool reconnects by itself once it is back.
- anything else: 500 with a generic message and the request id; the traceback goes to the log.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_502_BAD_GATEWAY,
    HTTP_503_SERVICE_UNAVAILABLE,
    HTTP_504_GATEWAY_TIMEOUT,
)
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from g4hub_connectors import ConnectorTimeoutError, Remedy
from g4hub_core import (
    AccessDenied,
    Conflict,
    CoreError,
    InvalidInput,
    NotFound,
    StoreConnectionFailed,
)
from hub_api.logging import current_request_id

__all__ = [
    "ERROR_SCHEMA",
    "ApiError",
    "core_status",
    "documented_errors",
    "error_body",
    "exception_handlers",
    "log_unexpected",
]

logger = logging.getLogger("hub_api.errors")

_INTERNAL_MESSAGE = (
    "Something went wrong on our side. Try again; if it keeps happening, tell the hub's operator "
    "the request id {request_id}."
)

# Codes and messages for Litestar's own HTTP errors, used when its detail is only the status
# phrase ("Not Found"), which tells a client nothing it does not already know.
_HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be read."),
    401: ("not_authenticated", "Sign in first: send a bearer token or the session cookie."),
    403: ("forbidden", "You may not do this."),
    404: (
        "not_found",
        "Nothing is here. Check the path: the API lives under /api and is described at /schema.",
    ),
    405: ("method_not_allowed", "This path does not accept this method."),
    406: ("not_acceptable", "This path cannot answer in the requested media type."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as JSON (Content-Type: application/json)."),
    429: ("too_many_requests", "Too many requests. Wait a little and try again."),
}


class ApiError(HTTPException):
    """An error of the service itself, with a stable `code` (and `details`, `headers`)."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail=message, status_code=status_code, headers=headers)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}


ERROR_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["error"],
    properties={
        "error": Schema(
            type=OpenAPIType.OBJECT,
            required=["code", "message", "details"],
            properties={
                "code": Schema(type=OpenAPIType.STRING, description="Stable, for programs."),
                "message": Schema(type=OpenAPIType.STRING, description="For people."),
                "details": Schema(
                    type=OpenAPIType.OBJECT,
                    additional_properties=Schema(),
                    description="Per field, what is wrong; never the values sent.",
                ),
            },
        )
    },
    description="Every error the hub answers.",
)
"""The OpenAPI schema of every error response (the schema shows it on each 4xx and 5xx)."""


@functools.cache
def _documented(status: int) -> type[HTTPException]:
    phrase = HTTPStatus(status).phrase
    return type(f"Http{status}", (HTTPException,), {"status_code": status, "detail": phrase})


def documented_errors(*statuses: int) -> list[type[HTTPException]]:
    """For a route's `raises=`: the error statuses it may answer beyond those every route
    documents (400/422 when it takes input, 401/403 when it needs sign-in, 404 when its path
    has parameters, 500), e.g. `@post(..., raises=documented_errors(409, 502, 504))`."""
    return [_documented(status) for status in statuses]


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _respond(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    return Response(
        error_body(code, message, details),
        status_code=status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def core_status(exc: CoreError) -> int:
    if isinstance(exc, NotFound):
        return HTTP_404_NOT_FOUND
    if isinstance(exc, Conflict):
        return HTTP_409_CONFLICT
    if isinstance(exc, InvalidInput):
        return HTTP_422_UNPROCESSABLE_ENTITY
    if isinstance(exc, AccessDenied):
        return HTTP_401_UNAUTHORIZED
    if isinstance(exc, StoreConnectionFailed):
        return _REMEDY_STATUS[exc.remedy](exc.code)
    return HTTP_500_INTERNAL_SERVER_ERROR  # VaultError and any newer error: the hub's fault


_REMEDY_STATUS: dict[Remedy, Callable[[str], int]] = {
    Remedy.FIX_SETTINGS: lambda code: HTTP_422_UNPROCESSABLE_ENTITY,
    Remedy.FIX_REQUEST: lambda code: HTTP_422_UNPROCESSABLE_ENTITY,
    Remedy.RETRY: lambda code: (
        HTTP_504_GATEWAY_TIMEOUT if code == ConnectorTimeoutError.code else HTTP_502_BAD_GATEWAY
    ),
    Remedy.REPORT: lambda code: HTTP_502_BAD_GATEWAY,
}
"""A store's failure, by what the caller should do about it, as an HTTP status: the one place."""


def _hide_statement_parameters(exc: BaseException) -> None:
    """SQLAlchemy's errors print their statement's parameters (password hashes, sealed
    credentials) in their text, and so in a logged traceback, unless told not to."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StatementError):
            current.hide_parameters = True
        current = current.__cause__ or current.__context__


def log_unexpected(request: Request[Any, Any, Any], exc: Exception) -> str:
    """Log an error nobody expected, with its traceback (statement parameters hidden), and
    return the request's id for the answer. The JSON API and the web pages both use it."""
    request_id = current_request_id() or "-"
    _hide_statement_parameters(exc)
    logger.error(
        "unexpected %s on %s %s",
        type(exc).__name__,
        request.method,
        request.url.path,
        exc_info=exc,
    )
    return request_id


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    request_id = log_unexpected(request, exc)
    return _respond(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        _INTERNAL_MESSAGE.format(request_id=request_id),
        {"request_id": request_id},
    )


def _core_error(request: Request[Any, Any, Any], exc: CoreError) -> Response[Any]:
    status = core_status(exc)
    details = dict(exc.details)
    if status == HTTP_500_INTERNAL_SERVER_ERROR:
        logger.error("%s on %s %s: %s", exc.code, request.method, request.url.path, exc.message)
        details["request_id"] = current_request_id() or "-"
    return _respond(status, exc.code, exc.message, details)


def _field_name(item: dict[str, Any]) -> str:
    key = item.get("key")
    if not key or (key == "data" and item.get("source") == "body"):
        return "body"
    return str(key)


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    problems: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        # Field and problem only: Litestar's messages name the expected type or bound, and the
        # offending value (which may be a password or a key) is never copied.
        field = _field_name(item)
        message = str(item.get("message", "invalid"))
        if field == "body" and message.strip("'") == "data":
            message = "A JSON object body is required."
        problems.setdefault(field, message)
    return _respond(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "invalid_input",
        "Some fields are missing or invalid: " + ", ".join(problems)
        if problems
        else "The request is invalid.",
        problems,
    )


def _api_error(request: Request[Any, Any, Any], exc: ApiError) -> Response[Any]:
    return _respond(exc.status_code, exc.code, exc.message, exc.details, exc.headers)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        return _internal_error(request, exc)
    code, fallback = _HTTP_ERRORS.get(status, ("http_error", HTTPStatus(status).phrase + "."))
    detail = str(exc.detail)
    # Litestar's own details for client errors ("JSON is malformed: invalid character (byte 1)")
    # describe the request's form, never its values; the bare status phrase is replaced.
    if detail in ("", HTTPStatus(status).phrase):
        message = fallback
    elif status == HTTP_400_BAD_REQUEST:
        message = f"{fallback.rstrip('.')}: {detail}"
    else:
        message = detail
    if status == 405 and exc.headers and "allow" in {k.lower() for k in exc.headers}:
        allowed = next(v for k, v in exc.headers.items() if k.lower() == "allow")
        message = f"{request.method} is not accepted here. Allowed: {allowed}."
    return _respond(status, code, message, None, exc.headers)


DATABASE_RETRY_AFTER = 5
"""Seconds a client is asked to wait while the database is unreachable."""


def _database_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # OperationalError and InterfaceError are the driver losing or not reaching the server (or
    # SQLite's lock timeout); other driver errors (a constraint, bad data) are the hub's bug
    # unless the driver says the connection died under them.
    lost = isinstance(exc, OperationalError | InterfaceError | PoolTimeout) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )
    if not lost:
        return _internal_error(request, exc)
    # The class only: a driver's message may quote the server's address or the statement.
    logger.warning(
        "database unavailable on %s %s (%s)", request.method, request.url.path, type(exc).__name__
    )
    return _respond(
        HTTP_503_SERVICE_UNAVAILABLE,
        "database_unavailable",
        "The hub cannot reach its database right now. Try again in a few seconds.",
        {"retry_after": DATABASE_RETRY_AFTER},
        {"Retry-After": str(DATABASE_RETRY_AFTER)},
    )


exception_handlers: dict[type[Exception] | int, Any] = {
    CoreError: _core_error,
    ValidationException: _validation,
    ApiError: _api_error,
    HTTPException: _http,
    OperationalError: _database_error,
    InterfaceError: _database_error,
    DBAPIError: _database_error,
    PoolTimeout: _database_error,
    Exception: _internal_error,
}
