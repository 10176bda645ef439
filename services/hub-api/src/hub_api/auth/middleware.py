"""Authentication: a bearer token (programs) or the session cookie (the browser, with CSRF)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.status_codes import HTTP_401_UNAUTHORIZED

from g4hub_core import Hub
from g4hub_core.tenants import UserDirectory
from hub_api.auth.csrf import check_csrf
from hub_api.auth.principal import Principal
from hub_api.auth.tokens import TokenCodec, TokenRejected
from hub_api.errors import ApiError

__all__ = [
    "SESSION_COOKIE",
    "TokenAuthenticationMiddleware",
    "check_current",
    "not_authenticated",
    "session_is_current",
]

SESSION_COOKIE = "g4hub_session"

_MESSAGES = {
    "missing": (
        "not_authenticated",
        "Sign in first: send `Authorization: Bearer <token>` (from POST /api/auth/login) or the "
        "session cookie.",
    ),
    "expired": ("token_expired", "Your session has expired. Sign in again."),
    "invalid": ("invalid_token", "This token is not valid. Sign in again to get a new one."),
    "revoked": ("token_revoked", "You have been signed out. Sign in again."),
}


def not_authenticated(reason: str) -> ApiError:
    """401 with `WWW-Authenticate` (RFC 6750), saying whether a token was missing, expired or
    invalid; `reason` is one of "missing", "expired", "invalid", "revoked"."""
    code, message = _MESSAGES[reason]
    challenge = 'Bearer realm="g4hub"'
    if reason != "missing":
        challenge += ', error="invalid_token"'
    return ApiError(HTTP_401_UNAUTHORIZED, code, message, headers={"WWW-Authenticate": challenge})


async def check_current(hub: Hub, principal: Principal) -> None:
    """Raise `TokenRejected("revoked")` unless the token's user exists in its tenant, is not
    disabled and still has the token's version (a signed-out token has an older one). One
    primary-key read, so it runs on every request rather than being cached: a revocation takes
    effect at once in every process."""
    # A bare session, closed without a commit: the read needs no unit of work, and a COMMIT
    # would be one more round trip on every request.
    async with hub.sessionmaker() as session:
        state = await UserDirectory(session).sign_in_state(principal.user_id)
    if state is None:
        raise TokenRejected("revoked")
    tenant_id, version, disabled_at = state
    if (tenant_id, version, disabled_at) != (principal.tenant_id, principal.token_version, None):
        raise TokenRejected("revoked")


async def session_is_current(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Whether the session cookie is valid and not revoked (`check_current`): the dashboard's
    pages, which skip this middleware, ask it on each request."""
    cookie = connection.cookies.get(SESSION_COOKIE)
    codec: TokenCodec = connection.app.state.tokens
    principal = codec.read(cookie, via_cookie=True) if cookie else None
    if principal is None:
        return False
    try:
        await check_current(connection.app.state.hub, principal)
    except TokenRejected:
        return False
    return True


class TokenAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Sets `request.user` to a `Principal` from `Authorization: Bearer …` or, failing that, the
    session cookie, once `check_current` agrees it has not been revoked; a cookie-authenticated
    unsafe request must also pass the CSRF check. Routes excluded by the app (sign-in,
    registration, health, the schema) skip it."""

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
            await check_current(connection.app.state.hub, principal)
        except TokenRejected as rejected:
            raise not_authenticated(rejected.reason) from None
        return AuthenticationResult(user=principal, auth=None)
