"""CSRF protection for the browser's cookie session: a signed double-submit token.

At sign-in the hub sets, beside the HttpOnly session cookie, a readable `g4hub_csrf` cookie whose
value is an HMAC of the session token under a key derived from the token secret. A request that
authenticates with the session cookie and may change something (POST, PUT, PATCH, DELETE) must
copy that value into the `X-CSRF-Token` header. Another site can make the browser send our
cookies but can neither read them nor set that header, so it cannot pass. Because the value is
checked against the session itself, not only compared with the cookie, a cookie planted by a
sibling subdomain does not pass either.

Bearer-token requests need no token: a browser never adds an `Authorization` header on its own.

Sign-in and registration have no session yet. SameSite keeps another site from *using* a
session, but a cross-site top-level form POST can still *plant* one (the victim ends up signed in
to the attacker's account, "login CSRF"), because browsers store SameSite cookies set by
top-level navigations. `refuse_cross_site` closes that by the browser's own word on where the
request came from (`Sec-Fetch-Site`, else `Origin`); programs send neither and pass.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.status_codes import HTTP_403_FORBIDDEN

from hub_api.errors import ApiError

__all__ = [
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "UNSAFE_METHODS",
    "CsrfTokens",
    "check_csrf",
    "refuse_cross_site",
]

CSRF_COOKIE = "g4hub_csrf"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfTokens:
    """Derives and checks the CSRF token of a session token."""

    def __init__(self, secret: str) -> None:
        # A key of its own, so a CSRF token is never also valid as anything the JWT key signs.
        self._key = hmac.new(secret.encode(), b"g4hub csrf v1", hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "CsrfTokens()"

    def token_for(self, session_token: str) -> str:
        digest = hmac.new(self._key, session_token.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def verify(self, session_token: str, candidate: str) -> bool:
        return hmac.compare_digest(self.token_for(session_token), candidate)


def check_csrf(connection: ASGIConnection[Any, Any, Any, Any], session_token: str) -> None:
    """Raise `csrf_failed` (403) unless a cookie-authenticated unsafe request carries the
    session's CSRF token in `X-CSRF-Token`. Safe methods pass: they change nothing."""
    if connection.scope.get("method", "GET") not in UNSAFE_METHODS:
        return
    tokens: CsrfTokens = connection.app.state.csrf
    candidate = connection.headers.get(CSRF_HEADER)
    if not candidate:
        raise _csrf_failed(
            f"This request is signed in by the session cookie, so it must send the "
            f"{CSRF_HEADER} header set to the value of the {CSRF_COOKIE} cookie."
        )
    if not tokens.verify(session_token, candidate):
        raise _csrf_failed(
            f"The {CSRF_HEADER} header does not match this session: send the current value of "
            f"the {CSRF_COOKIE} cookie (it changes at each sign-in)."
        )


def refuse_cross_site(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Raise `csrf_failed` (403) for a request a browser says another site started."""
    site = connection.headers.get("sec-fetch-site")
    if site is not None:
        # "same-site" (a sibling subdomain) and "none" (typed by the user) are allowed.
        if site.lower() == "cross-site":
            raise _cross_site()
        return
    origin = connection.headers.get("origin")
    if origin is None:
        return  # not a browser, or one old enough to send neither header on same-origin posts
    own_hosts = {
        host.lower()
        for host in (connection.headers.get("host"), connection.headers.get("x-forwarded-host"))
        if host
    }
    if origin == "null" or urlsplit(origin).netloc.lower() not in own_hosts:
        raise _cross_site()


def _cross_site() -> ApiError:
    return _csrf_failed(
        "Sign-in and registration are refused from another site's page. Open the hub itself, "
        "or call the API from a program (without browser cookies)."
    )


def _csrf_failed(message: str) -> ApiError:
    return ApiError(HTTP_403_FORBIDDEN, "csrf_failed", message)
