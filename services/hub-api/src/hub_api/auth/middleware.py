"""Authentication: a bearer token (programs) or the session cookie (the browser, with CSRF)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.status_codes import HTTP_401_UNAUTHORIZED

from hub_api.auth.csrf import check_csrf
from hub_api.auth.tokens import TokenCodec, TokenRejected
from hub_api.errors import ApiError

__all__ = ["SESSION_COOKIE", "TokenAuthenticationMiddleware", "not_authenticated"]

SESSION_COOKIE = "g4hub_session"

_MESSAGES = {
    "missing": (
        "not_authenticated",
        "Sign in first: send `Authorization: Bearer <token>` (from POST /api/auth/login) or the "
        "session cookie.",
    ),
    "expired": ("token_expired", "Your session has expired. Sign in again."),
    "invalid": ("invalid_token", "This token is not valid. Sign in again to get a new one."),
}


def not_authenticated(reason: str) -> ApiError:
    """401 with `WWW-Authenticate` (RFC 6750), saying whether a token was missing, expired or
    invalid; `reason` is one of "missing", "expired", "invalid"."""
    code, message = _MESSAGES[reason]
    challenge = 'Bearer realm="g4hub"'
    if reason != "missing":
        challenge += ', error="invalid_token"'
    return ApiError(HTTP_401_UNAUTHORIZED, code, message, headers={"WWW-Authenticate": challenge})


class TokenAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Sets `request.user` to a `Principal` from `Authorization: Bearer …` or, failing that, the
    session cookie; a cookie-authenticated unsafe request must also pass the CSRF check. Routes
    excluded by the app (sign-in, registration, health, the schema) skip it."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        codec: TokenCodec = connection.app.state.tokens
        header = connection.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        try:
            if scheme.lower() == "bearer" and credentials.strip():
                principal = codec.decode(credentials.strip())
            elif cookie := connection.cookies.get(SESSION_COOKIE):
                principal = codec.decode(cookie, via_cookie=True)
                check_csrf(connection, cookie)
            else:
                raise not_authenticated("missing")
        except TokenRejected as rejected:
            raise not_authenticated(rejected.reason) from None
        return AuthenticationResult(user=principal, auth=None)
