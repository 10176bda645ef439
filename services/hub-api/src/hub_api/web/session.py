"""Who is looking at a page: the browser session, read from the `g4hub_session` cookie.

The web routes are excluded from the API's token middleware (they never take bearer tokens) and
use these dependencies instead:

- `viewer`: the signed-in `Viewer`. Signed out (no cookie, or an expired or invalid one) raises
  `SignInRequired`, which the web's error handlers answer with a 303 to `/login?next=<path>`.
  For POST (any unsafe method) it also checks the CSRF token: the hidden `_csrf` form field, or
  the `X-CSRF-Token` header for scripts, must be the session's (`CsrfTokens`); else `CsrfRefused`.
- `unit`: the viewer's tenant's unit of work (commits after the handler, rolls back on error).

Every page that needs sign-in must take `viewer` (or `unit`, which takes it): a test walks every
web route signed out to hold that.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request
from litestar.di import NamedDependency, Provide

from g4hub_core import Hub, Unit
from hub_api.auth.csrf import CSRF_HEADER, UNSAFE_METHODS, CsrfTokens
from hub_api.auth.middleware import SESSION_COOKIE, session_is_current
from hub_api.auth.tokens import TokenCodec

__all__ = [
    "CSRF_FIELD",
    "CsrfRefused",
    "SignInRequired",
    "Viewer",
    "local_path",
    "login_url",
    "read_session",
    "web_dependencies",
]

CSRF_FIELD = "_csrf"


class SignInRequired(Exception):
    """The page needs a signed-in user; `next_path` is where to come back after sign-in."""

    def __init__(self, next_path: str | None) -> None:
        super().__init__("sign-in required")
        self.next_path = next_path


class CsrfRefused(Exception):
    """An unsafe request without the session's CSRF token (a stale form, or another site)."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a page. `csrf_token` goes into every form's `_csrf` field."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    csrf_token: str

    def __repr__(self) -> str:
        return f"Viewer(user_id={self.user_id}, tenant_id={self.tenant_id})"


def local_path(candidate: str | None, default: str = "/overview") -> str:
    """`candidate` if it is a path on this site (`/stores?x=1`), else `default`. Refuses
    absolute and scheme-relative URLs (`//evil.example`, `/\\evil.example`), so a `next`
    parameter can never send a signed-in user to another site."""
    if not candidate or not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return default
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or any(ch in candidate for ch in "\r\n\t\\"):
        return default
    return candidate


def login_url(next_path: str | None) -> str:
    target = local_path(next_path, default="")
    return "/login?next=" + quote(target, safe="/") if target else "/login"


def read_session(request: Request[Any, Any, Any]) -> Viewer | None:
    """The viewer the session cookie names, or `None` (no cookie, expired, invalid)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    codec: TokenCodec = request.app.state.tokens
    principal = codec.read(cookie, via_cookie=True)
    if principal is None:
        return None
    csrf: CsrfTokens = request.app.state.csrf
    return Viewer(
        user_id=principal.user_id,
        tenant_id=principal.tenant_id,
        email=principal.email,
        csrf_token=csrf.token_for(cookie),
    )


async def _check_csrf(request: Request[Any, Any, Any]) -> None:
    candidate = request.headers.get(CSRF_HEADER)
    if not candidate:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            candidate = value if isinstance(value, str) else None
    csrf: CsrfTokens = request.app.state.csrf
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if not candidate or not csrf.verify(cookie, candidate):
        raise CsrfRefused


async def provide_viewer(request: Request[Any, Any, Any]) -> Viewer:
    viewer = read_session(request)
    if viewer is None or not await session_is_current(request):
        # Only a page can be come back to; after a refused POST the user starts from the page.
        came_from = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(came_from if request.method == "GET" else None)
    # The error pages show the header (and its "Sign out" form) from here.
    request.state.viewer = viewer
    if request.method in UNSAFE_METHODS:
        await _check_csrf(request)
    return viewer


async def provide_web_unit(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer]
) -> AsyncGenerator[Unit, None]:
    """The viewer's tenant's unit of work, as the API's `unit` is for its principal."""
    hub: Hub = request.app.state.hub
    async with hub.unit(viewer.tenant_id) as unit:
        yield unit


web_dependencies = {
    "viewer": Provide(provide_viewer),
    "unit": Provide(provide_web_unit),
}
