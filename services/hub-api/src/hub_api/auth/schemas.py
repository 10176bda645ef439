"""Request and response bodies of the auth routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from g4hub_core.tenants.schemas import TenantRead, UserRead

__all__ = ["LoginRequest", "MeResponse", "RegisterRequest", "RegisterResponse", "TokenResponse"]


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=320)
    password: SecretStr = Field(max_length=1024)
    tenant_name: str = Field(max_length=200)


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=320)
    password: SecretStr = Field(max_length=1024)


class RegisterResponse(BaseModel):
    user: UserRead
    tenant: TenantRead
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth token type, no secret)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth token type, no secret)
    expires_in: int


class MeResponse(BaseModel):
    user: UserRead
    tenant: TenantRead
