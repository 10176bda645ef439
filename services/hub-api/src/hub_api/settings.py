"""The service's settings: one pydantic-settings class (`G4HUB_` prefix), beside the core's."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings"]

# HS256 with a shorter key is guessable offline from one token (RFC 7518 §3.2 asks for 256 bits).
MIN_JWT_SECRET_LENGTH = 32


class ApiSettings(BaseSettings):
    """How the service listens, signs its sessions and logs. The core's own settings (database,
    keys, data directory) are `g4hub_core.HubSettings`."""

    model_config = SettingsConfigDict(env_prefix="G4HUB_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    jwt_secret: SecretStr | None = Field(default=None, min_length=MIN_JWT_SECRET_LENGTH)
    """Signs access tokens (HS256) and CSRF tokens; at least 32 characters. Unset: a secret
    generated into the data directory. Changing it signs everyone out."""
    token_ttl_seconds: int = Field(default=12 * 3600, ge=60)
    cookie_secure: bool = False
    """Mark the session and CSRF cookies Secure (set it when the hub is served over HTTPS)."""
    login_attempts_per_minute: int = Field(default=10, ge=1)
    """Failed sign-ins allowed per client address and per email in a sliding minute. Counted in
    each process's memory: with several processes an attacker gets this many per process."""
    log_json: bool = True
    """One JSON object per log line (for log collectors); plain text otherwise."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
