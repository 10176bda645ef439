"""`/api/auth`: register, log in, log out, who am I.

Programs use the bearer token from the body. Browsers get two cookies: `g4hub_session` (the
token; HttpOnly, so page scripts cannot read it) and `g4hub_csrf` (readable, to be echoed in
`X-CSRF-Token` on unsafe requests; see `auth/csrf.py`). Both are SameSite=Lax rather than Strict:
Lax already withholds them from another site's POST, PUT, PATCH and DELETE, from its iframes and
its scripts' requests, and the CSRF token guards unsafe requests on its own; Strict would also
drop them on a plain link into the dashboard (from an email, a chat), which would then open
signed out, for no protection that GET requests, which change nothing, need.
"""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_429_TOO_MANY_REQUESTS

from g4hub_core import AccessDenied, Unit
from hub_api.auth.addresses import TrustedProxies, client_address
from hub_api.auth.csrf import CSRF_COOKIE, CsrfTokens, refuse_cross_site
from hub_api.auth.middleware import SESSION_COOKIE
from hub_api.auth.openapi import auth_body_operation
from hub_api.auth.principal import Principal
from hub_api.auth.schemas import (
    LoginRequest,
    MeResponse,
    RegisterRequest,
    RegisterResponse,
    TokenResponse,
)
from hub_api.auth.throttle import LoginThrottle, LoginThrottled, RegistrationThrottle
from hub_api.auth.tokens import TokenCodec
from hub_api.errors import ApiError, documented_errors

__all__ = ["AuthController", "request_address", "session_cookies"]

# Token responses must not be kept by caches (RFC 6749 §5.1).
_NO_STORE = {"Cache-Control": "no-store"}


def _cookies(
    request: Request[Any, Any, Any], session: str, csrf: str, max_age: int
) -> list[Cookie]:
    secure: bool = request.app.state.api_settings.cookie_secure
    samesite: Literal["lax"] = "lax"
    return [
        Cookie(
            key=SESSION_COOKIE,
            value=session,
            httponly=True,
            samesite=samesite,
            secure=secure,
            max_age=max_age,
            path="/",
        ),
        # Readable by the page's scripts on purpose: they copy it into X-CSRF-Token.
        Cookie(
            key=CSRF_COOKIE,
            value=csrf,
            httponly=False,
            samesite=samesite,
            secure=secure,
            max_age=max_age,
            path="/",
        ),
    ]


def session_cookies(request: Request[Any, Any, Any], token: str) -> list[Cookie]:
    """The session and CSRF cookies for a freshly issued `token`."""
    codec: TokenCodec = request.app.state.tokens
    csrf: CsrfTokens = request.app.state.csrf
    return _cookies(request, token, csrf.token_for(token), int(codec.ttl.total_seconds()))


def _same_site_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    refuse_cross_site(connection)


def request_address(request: Request[Any, Any, Any]) -> str:
    """The client's address as the throttles count it (see `auth.addresses`)."""
    trusted: TrustedProxies = request.app.state.trusted_proxies
    return client_address(request, trusted)


def _too_many(code: str, what: str, retry_after: int) -> ApiError:
    return ApiError(
        HTTP_429_TOO_MANY_REQUESTS,
        code,
        f"Too many {what}. Try again in {retry_after} seconds.",
        details={"retry_after": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post(
        "/register",
        exclude_from_auth=True,
        operation_class=auth_body_operation("register"),
        guards=[_same_site_only],
        raises=documented_errors(403, 409, 429),
        status_code=HTTP_201_CREATED,
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RegisterRequest],
        anonymous_unit: NamedDependency[Unit],
    ) -> Response[RegisterResponse]:
        """Create a tenant and its owner; answers a bearer token and sets the session cookies.
        Registrations are limited per client address: past the limit, 429 with `Retry-After`."""
        throttle: RegistrationThrottle = request.app.state.registration_throttle
        try:
            throttle.check(request_address(request))
        except LoginThrottled as throttled:
            raise _too_many(
                "too_many_registrations", "registrations from this address", throttled.retry_after
            ) from None
        registration = await anonymous_unit.accounts.register(
            email=data.email,
            password=data.password.get_secret_value(),
            tenant_name=data.tenant_name,
        )
        codec: TokenCodec = request.app.state.tokens
        token = codec.issue(
            user_id=registration.user.id,
            tenant_id=registration.tenant.id,
            email=registration.user.email,
        )
        body = RegisterResponse(
            user=registration.user, tenant=registration.tenant, access_token=token
        )
        return Response(
            body,
            status_code=HTTP_201_CREATED,
            cookies=session_cookies(request, token),
            headers=_NO_STORE,
        )

    @post(
        "/login",
        exclude_from_auth=True,
        operation_class=auth_body_operation("login"),
        guards=[_same_site_only],
        raises=documented_errors(401, 403, 429),
        status_code=HTTP_200_OK,
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginRequest],
        anonymous_unit: NamedDependency[Unit],
    ) -> Response[TokenResponse]:
        """Exchange email and password for a bearer token (and the session cookies). Failed
        attempts are limited per client address, and per address for one account: past either
        limit, 429 with `Retry-After`. Many failures for one account from anywhere only slow its
        sign-ins down by a second or two: nobody can lock its owner out."""
        throttle: LoginThrottle = request.app.state.login_throttle
        await throttle.pause(data.email)
        try:
            with throttle.attempt(
                address=request_address(request), email=data.email, failures=AccessDenied
            ):
                user = await anonymous_unit.accounts.authenticate(
                    email=data.email, password=data.password.get_secret_value()
                )
        except LoginThrottled as throttled:
            raise _too_many(
                "too_many_attempts", "failed sign-in attempts", throttled.retry_after
            ) from None
        version = await anonymous_unit.accounts.token_version(user.id, user.tenant_id)
        codec: TokenCodec = request.app.state.tokens
        token = codec.issue(
            user_id=user.id, tenant_id=user.tenant_id, email=user.email, version=version or 0
        )
        body = TokenResponse(access_token=token, expires_in=int(codec.ttl.total_seconds()))
        return Response(body, cookies=session_cookies(request, token), headers=_NO_STORE)

    @post("/logout", status_code=HTTP_200_OK)
    async def logout(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        unit: NamedDependency[Unit],
    ) -> Response[dict[str, str]]:
        """Sign out: the token or session used here stops working at once, on every process,
        and the browser's cookies are cleared. The hub keeps one token version per user, not a
        list of sessions, so this also ends the user's other sessions (as `logout-all`)."""
        await unit.accounts.end_sessions(principal.user_id)
        return Response(
            {"status": "signed_out"},
            cookies=_cookies(request, "", "", max_age=0),
            headers=_NO_STORE,
        )

    @post("/logout-all", status_code=HTTP_200_OK)
    async def logout_all(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        unit: NamedDependency[Unit],
    ) -> Response[dict[str, str]]:
        """Sign out everywhere: every token and session of the signed-in user, on any device,
        stops working at once; this browser's cookies are cleared too."""
        await unit.accounts.end_sessions(principal.user_id)
        return Response(
            {"status": "signed_out_everywhere"},
            cookies=_cookies(request, "", "", max_age=0),
            headers=_NO_STORE,
        )

    @get("/me")
    async def me(
        self, principal: NamedDependency[Principal], unit: NamedDependency[Unit]
    ) -> MeResponse:
        """The signed-in user and their tenant."""
        user = await unit.accounts.get_user(principal.user_id)
        tenant = await unit.accounts.get_tenant(principal.tenant_id)
        return MeResponse(user=user, tenant=tenant)
