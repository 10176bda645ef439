"""Who is making a request: the user and their tenant, as the access token says."""

from __future__ import annotations

import uuid

import attrs

__all__ = ["Principal"]


@attrs.frozen
class Principal:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    via_cookie: bool = False
    """Authenticated by the browser's session cookie (CSRF rules apply), not a bearer token."""
    token_version: int = 0
    """The user's `token_version` when the token was issued; current only while they match."""
