"""Access tokens: HS256 JWTs naming the user and tenant, with an expiry and the user's token
version when issued (`ver`). The version makes them revocable: the middleware compares it with
`users.token_version` on each request, and raising that column ends every token at once."""

from __future__ import annotations

import os
import secrets
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Literal

import jwt

from g4hub_core.db.base import utcnow
from hub_api.auth.principal import Principal

__all__ = ["TokenCodec", "TokenRejected", "load_jwt_secret"]

_ALGORITHM = "HS256"


class TokenRejected(Exception):
    """A token that names no one: `reason` is "expired", "invalid" (bad signature, malformed,
    missing claims) or "revoked" (signed out, or the user is disabled or gone). Never carries the
    token itself."""

    def __init__(self, reason: Literal["expired", "invalid", "revoked"]) -> None:
        super().__init__(f"token {reason}")
        self.reason = reason


class TokenCodec:
    """Issues and reads access tokens. `ttl_seconds` may be negative in tests (an expired token)."""

    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl = timedelta(seconds=ttl_seconds)

    def __repr__(self) -> str:
        return f"TokenCodec(ttl={self.ttl})"

    def issue(
        self, *, user_id: uuid.UUID, tenant_id: uuid.UUID, email: str, version: int = 0
    ) -> str:
        """A token for the user; `version` is their current `token_version` (a new user's 0)."""
        now = utcnow()
        claims = {
            "sub": str(user_id),
            "tid": str(tenant_id),
            "email": email,
            "ver": version,
            "iat": now,
            "exp": now + self.ttl,
        }
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    def decode(self, token: str, *, via_cookie: bool = False) -> Principal:
        """The principal a valid token names. Raises `TokenRejected`."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                # One algorithm only: a token cannot choose "none" or another key type.
                algorithms=[_ALGORITHM],
                options={"require": ["exp", "iat", "sub", "tid"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected("expired") from None
        except jwt.PyJWTError:
            raise TokenRejected("invalid") from None
        version = claims.get("ver", 0)
        # bool is an int to Python, not a version to anyone.
        if not isinstance(version, int) or isinstance(version, bool):
            raise TokenRejected("invalid")
        try:
            return Principal(
                user_id=uuid.UUID(claims["sub"]),
                tenant_id=uuid.UUID(claims["tid"]),
                email=str(claims.get("email", "")),
                via_cookie=via_cookie,
                token_version=version,
            )
        except (ValueError, TypeError, AttributeError):
            raise TokenRejected("invalid") from None

    def read(self, token: str, *, via_cookie: bool = False) -> Principal | None:
        """The principal a valid token names; `None` for an invalid or expired one."""
        try:
            return self.decode(token, via_cookie=via_cookie)
        except TokenRejected:
            return None


def load_jwt_secret(configured: str | None, data_dir: Path) -> str:
    """The configured secret, else one kept in `<data_dir>/jwt.key` (made with mode 0600)."""
    if configured:
        return configured
    path = data_dir / "jwt.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL with mode 0600 from the start: never readable by others, never written twice.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
