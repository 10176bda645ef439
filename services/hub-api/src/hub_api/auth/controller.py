"""`/api/auth`: register, log in, log out, who am I."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from g4hub_core import Unit
from hub_api.auth.middleware import SESSION_COOKIE
from hub_api.auth.principal import Principal
from hub_api.auth.schemas import (
    LoginRequest,
    MeResponse,
    RegisterRequest,
    RegisterResponse,
    TokenResponse,
)
from hub_api.auth.tokens import TokenCodec

__all__ = ["AuthController"]


def session_cookie(request: Request[Any, Any, Any], token: str) -> Cookie:
    codec: TokenCodec = request.app.state.tokens
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.api_settings.cookie_secure,
        max_age=int(codec.ttl.total_seconds()),
        path="/",
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/register", exclude_from_auth=True, status_code=HTTP_201_CREATED)
    async def register(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RegisterRequest],
        anonymous_unit: NamedDependency[Unit],
    ) -> Response[RegisterResponse]:
        """Create a tenant and its owner; answers a token and sets the session cookie."""
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
            body, status_code=HTTP_201_CREATED, cookies=[session_cookie(request, token)]
        )

    @post("/login", exclude_from_auth=True, status_code=HTTP_200_OK)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginRequest],
        anonymous_unit: NamedDependency[Unit],
    ) -> Response[TokenResponse]:
        """Exchange email and password for a bearer token (and the session cookie)."""
        user = await anonymous_unit.accounts.authenticate(
            email=data.email, password=data.password.get_secret_value()
        )
        codec: TokenCodec = request.app.state.tokens
        token = codec.issue(user_id=user.id, tenant_id=user.tenant_id, email=user.email)
        body = TokenResponse(access_token=token, expires_in=int(codec.ttl.total_seconds()))
        return Response(body, cookies=[session_cookie(request, token)])

    @post("/logout", status_code=HTTP_200_OK)
    async def logout(self) -> Response[dict[str, str]]:
        """End the browser session (clears the cookie). Bearer tokens expire on their own."""
        return Response(
            {"status": "signed_out"},
            cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True)],
        )

    @get("/me")
    async def me(
        self, principal: NamedDependency[Principal], unit: NamedDependency[Unit]
    ) -> MeResponse:
        """The signed-in user and their tenant."""
        user = await unit.accounts.get_user(principal.user_id)
        tenant = await unit.accounts.get_tenant(principal.tenant_id)
        return MeResponse(user=user, tenant=tenant)
