"""Authentication: a bearer token (programs) or the session cookie (the browser)."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from hub_api.auth.tokens import TokenCodec

__all__ = ["SESSION_COOKIE", "TokenAuthenticationMiddleware"]

SESSION_COOKIE = "g4hub_session"


class TokenAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Sets `request.user` to a `Principal` from `Authorization: Bearer …` or the session cookie.
    Routes excluded by the app (sign-in, registration, health, the schema) skip it."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:  # type: ignore[type-arg]
        codec: TokenCodec = connection.app.state.tokens
        header = connection.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            principal = codec.read(credentials.strip())
        elif cookie := connection.cookies.get(SESSION_COOKIE):
            principal = codec.read(cookie, via_cookie=True)
        else:
            raise NotAuthorizedException(
                "Sign in first: send a bearer token or the session cookie."
            )
        if principal is None:
            raise NotAuthorizedException("Your session has expired or is invalid. Sign in again.")
        return AuthenticationResult(user=principal, auth=None)
