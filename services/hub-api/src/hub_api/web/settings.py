"""`/settings`: the merchant's business name and their own password (a change signs every
other session and token out)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_422_UNPROCESSABLE_ENTITY

from g4hub_core import AccessDenied, InvalidInput, Unit
from hub_api.auth.controller import session_cookies
from hub_api.auth.tokens import TokenCodec
from hub_api.web.errors import PageError
from hub_api.web.forms import read_form
from hub_api.web.rendering import PAGE_HEADERS, page
from hub_api.web.session import Viewer

__all__ = ["SettingsController"]

_MAX_PASSWORD = 1024


class SettingsController(Controller):
    path = "/settings"
    include_in_schema = False

    @get("/")
    async def settings(
        self, unit: NamedDependency[Unit], viewer: NamedDependency[Viewer]
    ) -> Template:
        tenant = await unit.accounts.get_tenant(viewer.tenant_id)
        return page("settings.html", business_name=tenant.name, errors={})

    @post("/business")
    async def rename(
        self,
        request: Request[Any, Any, Any],
        unit: NamedDependency[Unit],
        viewer: NamedDependency[Viewer],
    ) -> Redirect:
        form = await read_form(request)
        name = form.text("business_name", max_length=400)
        try:
            await unit.accounts.rename_tenant(name)
        except InvalidInput as exc:
            raise PageError(
                page(
                    "settings.html",
                    status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                    business_name=name,
                    errors={"business_name": exc.message},
                )
            ) from None
        return Redirect(
            "/settings?notice=business_renamed",
            status_code=HTTP_303_SEE_OTHER,
            headers=PAGE_HEADERS,
        )

    @post("/password")
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        unit: NamedDependency[Unit],
        viewer: NamedDependency[Viewer],
    ) -> Redirect:
        form = await read_form(request)
        current = form.raw("current_password")[:_MAX_PASSWORD]
        new = form.raw("new_password")[:_MAX_PASSWORD]
        errors: dict[str, str] = {}
        if not current:
            errors["current_password"] = "Enter your current password."  # noqa: S105
        if not new:
            errors["new_password"] = "Enter a new password."  # noqa: S105
        if not errors:
            try:
                await unit.accounts.change_password(
                    viewer.user_id, current_password=current, new_password=new
                )
            except AccessDenied as exc:
                errors["current_password"] = exc.message
            except InvalidInput as exc:
                errors["new_password"] = exc.message
        if errors:
            tenant = await unit.accounts.get_tenant(viewer.tenant_id)
            raise PageError(
                page(
                    "settings.html",
                    status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                    business_name=tenant.name,
                    errors=errors,
                )
            )
        # A new password ends every other sign-in (a stolen session or token stops working);
        # this browser gets a fresh session so it stays signed in.
        version = await unit.accounts.end_sessions(viewer.user_id)
        codec: TokenCodec = request.app.state.tokens
        token = codec.issue(
            user_id=viewer.user_id, tenant_id=viewer.tenant_id, email=viewer.email, version=version
        )
        return Redirect(
            "/settings?notice=password_changed",
            status_code=HTTP_303_SEE_OTHER,
            headers=PAGE_HEADERS,
            cookies=session_cookies(request, token),
        )
