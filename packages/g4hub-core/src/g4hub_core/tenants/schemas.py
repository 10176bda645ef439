"""What the accounts service returns: read models, never the password hash."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

__all__ = ["Registration", "TenantRead", "UserRead"]


class TenantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    name: str
    created_at: datetime


class UserRead(BaseModel):
    """A user as the service shows it. The password hash stays in the database."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    role: str
    created_at: datetime
    last_login_at: datetime | None


class Registration(BaseModel):
    """A new tenant and its owner."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    user: UserRead
    tenant: TenantRead
