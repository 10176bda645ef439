"""Sign-in pages: `/` (where to start), `/login`, `/register`, `POST /logout`.

They set and clear the same cookies as the API's `/api/auth` (`session_cookies`), reuse its
sign-in throttle, and refuse a sign-in or registration another site's page posted
(`refuse_cross_site`), as the API does.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromQuery
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from g4hub_core import AccessDenied, CoreError, Hub
from hub_api.auth.controller import request_address, session_cookies
from hub_api.auth.csrf import CSRF_COOKIE, CsrfTokens, refuse_cross_site
from hub_api.auth.middleware import SESSION_COOKIE, session_is_current
from hub_api.auth.throttle import LoginThrottle, LoginThrottled
from hub_api.auth.tokens import TokenCodec
from hub_api.errors import core_status
from hub_api.web.errors import PageError
from hub_api.web.forms import read_form
from hub_api.web.rendering import PAGE_HEADERS, page
from hub_api.web.session import CSRF_FIELD, CsrfRefused, local_path, read_session

__all__ = ["WebAuthController"]

_MAX_PASSWORD = 1024
# The core's answer to a wrong login, for a password too long to be anyone's.
_WRONG_LOGIN = "Wrong email or password."

# The core's registration errors, by the field the person should fix.
_FIELD_OF_CODE = {
    "invalid_email": "email",
    "email_taken": "email",
    "weak_password": "password",
    "invalid_tenant_name": "tenant_name",
}


def _same_site_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    refuse_cross_site(connection)


def _signed_in(request: Request[Any, Any, Any], token: str, target: str) -> Redirect:
    return Redirect(
        target,
        status_code=HTTP_303_SEE_OTHER,
        cookies=session_cookies(request, token),
        headers=PAGE_HEADERS,
    )


def _issue(request: Request[Any, Any, Any], **claims: Any) -> str:
    codec: TokenCodec = request.app.state.tokens
    return codec.issue(**claims)


class WebAuthController(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Redirect:
        target = "/overview" if read_session(request) else "/login"
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)

    @get("/login")
    async def login_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = ""
    ) -> Response[Any]:
        if read_session(request):
            return Redirect(local_path(next), status_code=HTTP_303_SEE_OTHER)
        return page("login.html", next=local_path(next, default=""), email="", error=None)

    @post("/login", guards=[_same_site_only])
    async def login(self, request: Request[Any, Any, Any]) -> Redirect:
        form = await read_form(request)
        email, password = form.text("email", max_length=320), form.raw("password")
        target = local_path(form.text("next"))

        def again(message: str, status: int, headers: dict[str, str] | None = None) -> PageError:
            return PageError(
                page(
                    "login.html",
                    status_code=status,
                    headers=headers,
                    next=form.text("next"),
                    email=email,
                    error=message,
                )
            )

        if not email or not password:
            raise again("Enter your email and your password.", 422)
        if len(password) > _MAX_PASSWORD:
            # Refused before hashing: no account has one (registration caps it).
            raise again(_WRONG_LOGIN, 401)
        throttle: LoginThrottle = request.app.state.login_throttle
        hub: Hub = request.app.state.hub
        address = request_address(request)
        await throttle.pause(email)
        try:
            with throttle.attempt(address=address, email=email, failures=AccessDenied):
                async with hub.unit() as unit:
                    user = await unit.accounts.authenticate(email=email, password=password)
                    version = await unit.accounts.token_version(user.id, user.tenant_id)
        except LoginThrottled as throttled:
            raise again(
                f"Too many failed sign-in attempts. Try again in {throttled.retry_after} seconds.",
                429,
                {"Retry-After": str(throttled.retry_after)},
            ) from None
        except CoreError as exc:
            raise again(exc.message, core_status(exc)) from None
        token = _issue(
            request,
            user_id=user.id,
            tenant_id=user.tenant_id,
            email=user.email,
            version=version or 0,
        )
        return _signed_in(request, token, target)

    @get("/register")
    async def register_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        if read_session(request):
            return Redirect("/overview", status_code=HTTP_303_SEE_OTHER)
        return page("register.html", values={}, error=None, field_errors={})

    @post("/register", guards=[_same_site_only])
    async def register(self, request: Request[Any, Any, Any]) -> Redirect:
        form = await read_form(request)
        values = {
            "tenant_name": form.text("tenant_name", max_length=200),
            "email": form.text("email", max_length=320),
        }
        password = form.raw("password")
        field_errors: dict[str, str] = {}
        if not values["tenant_name"]:
            field_errors["tenant_name"] = "Enter your business name."
        if not values["email"]:
            field_errors["email"] = "Enter your email address."
        if not password:
            field_errors["password"] = "Choose a password."  # noqa: S105 (a prompt, no secret)
        elif len(password) > _MAX_PASSWORD:
            field_errors["password"] = f"Use at most {_MAX_PASSWORD} characters."

        def again(message: str, status: int, fields: dict[str, str]) -> PageError:
            return PageError(
                page(
                    "register.html",
                    status_code=status,
                    values=values,
                    error=message,
                    field_errors=fields,
                )
            )

        if field_errors:
            raise again("Some fields need your attention.", 422, field_errors)
        hub: Hub = request.app.state.hub
        try:
            async with hub.unit() as unit:
                registration = await unit.accounts.register(
                    email=values["email"], password=password, tenant_name=values["tenant_name"]
                )
        except CoreError as exc:
            field = _FIELD_OF_CODE.get(exc.code)
            fields = {field: exc.message} if field else {}
            raise again(exc.message, core_status(exc), fields) from None
        token = _issue(
            request,
            user_id=registration.user.id,
            tenant_id=registration.tenant.id,
            email=registration.user.email,
        )
        return _signed_in(request, token, "/overview?notice=registered")

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        """Signs out: clears both cookies. With a valid session the form's CSRF token must
        match (another site cannot sign a user out); with none there is nothing to protect."""
        cookie = request.cookies.get(SESSION_COOKIE)
        viewer = read_session(request) if cookie else None
        if cookie and viewer is not None:
            form = await read_form(request)
            csrf: CsrfTokens = request.app.state.csrf
            if not csrf.verify(cookie, form.text(CSRF_FIELD)):
                raise CsrfRefused
            # Ends the session on the server too: a copy of the cookie is refused from now on.
            if await session_is_current(request):
                hub: Hub = request.app.state.hub
                async with hub.unit(viewer.tenant_id) as unit:
                    await unit.accounts.end_sessions(viewer.user_id)
        response = Redirect("/login?notice=signed_out", status_code=HTTP_303_SEE_OTHER)
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.delete_cookie(CSRF_COOKIE, path="/")
        return response
