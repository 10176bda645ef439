"""Every error the service answers, in one shape: `{"error": {"code", "message", "details"}}`,
mapped to HTTP once, here."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_502_BAD_GATEWAY,
    HTTP_504_GATEWAY_TIMEOUT,
)

from g4hub_core import (
    AccessDenied,
    Conflict,
    CoreError,
    InvalidInput,
    NotFound,
    StoreConnectionFailed,
    VaultError,
)

__all__ = ["error_body", "exception_handlers"]

logger = logging.getLogger("hub_api.errors")

# A store that refused what the merchant typed (keys, URL, scopes, version): their input to fix.
_SETTINGS_CODES = {
    "invalid_credentials",
    "permission_denied",
    "invalid_store_url",
    "api_version_unsupported",
    "invalid_config",
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _respond(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> Response[Any]:
    return Response(
        error_body(code, message, details), status_code=status, media_type=MediaType.JSON
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
        if exc.code == "timeout":
            return HTTP_504_GATEWAY_TIMEOUT
        return (
            HTTP_422_UNPROCESSABLE_ENTITY if exc.code in _SETTINGS_CODES else HTTP_502_BAD_GATEWAY
        )
    if isinstance(exc, VaultError):
        return HTTP_500_INTERNAL_SERVER_ERROR
    return HTTP_500_INTERNAL_SERVER_ERROR


def _core_error(request: Request[Any, Any, Any], exc: CoreError) -> Response[Any]:
    status = core_status(exc)
    if status >= 500:
        logger.error("%s on %s %s: %s", exc.code, request.method, request.url.path, exc.message)
    return _respond(status, exc.code, exc.message, exc.details)


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    problems: dict[str, Any] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            # Field and problem only: the offending value may be a secret.
            where = str(item.get("key") or item.get("source") or "body")
            problems[where] = str(item.get("message", "invalid"))
    return _respond(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "invalid_input",
        "Some fields are missing or invalid.",
        {"fields": problems} if problems else None,
    )


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    codes = {
        HTTP_401_UNAUTHORIZED: "not_authenticated",
        HTTP_403_FORBIDDEN: "forbidden",
        HTTP_404_NOT_FOUND: "not_found",
    }
    code = codes.get(exc.status_code, "http_error")
    response = _respond(exc.status_code, code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return _respond(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        "Something went wrong on our side. Try again; if it keeps happening, tell the hub's "
        "operator the request id.",
    )


exception_handlers: dict[type[Exception] | int, Any] = {
    CoreError: _core_error,
    ValidationException: _validation,
    NotAuthorizedException: _http,
    PermissionDeniedException: _http,
    HTTPException: _http,
    Exception: _unexpected,
}
